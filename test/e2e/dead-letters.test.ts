/**
 * Giving up at last (issue 22, item 2), with a 3 s retry horizon so it happens within the test: a turn
 * that keeps failing (Slack's conversations.open down while a sensitive request must move to a DM) and
 * a reply Slack keeps refusing (chat.postMessage down) are given up. The person whose message was given
 * up is told; both are dead letters an admin sees — log line, /metrics, GET /api/v1/dead-letters — and
 * nobody else may list them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/app.js';
import { type ChildServer, startServer } from '../support/child-server.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { eventEnvelope, postSigned, slackTs } from '../support/slack-signing.js';

const SECRET = 'dead-letters-signing-secret';
const TOKEN = 'dead-letters-api-token-0123456789';

describe('dead letters', () => {
  let fake: FakeSlackApi;
  let server: ChildServer;
  let dir = '';
  const api = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}`, ...headers } });

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    fake.users.set('U0BOB', { id: 'U0BOB', email: 'bob@example.com', name: 'bob' });
    fake.users.set('U0ALICE', { id: 'U0ALICE', email: 'alice@example.com', name: 'alice' });
    dir = mkdtempSync(join(tmpdir(), 'chatdesk-dead-letters-'));
    server = await startServer({
      DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-dead-letters',
      SLACK_API_URL: fake.apiUrl,
      API_TOKEN: TOKEN,
      RETRY_HORIZON_SECONDS: '3',
    });
  });

  afterAll(async () => {
    await server?.kill();
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('tells the person, logs, counts and lists what was given up — to admins only', async () => {
    // A turn that cannot finish: the request must continue in a DM, and Slack cannot open one.
    fake.startOutage({
      durationMs: 15_000,
      methods: ['conversations.open'],
      failure: () => ({ status: 500 }),
    });
    const ts = slackTs();
    const mention = eventEnvelope(
      {
        type: 'app_mention',
        channel: 'C0GENERAL',
        user: 'U0BOB',
        text: '<@UBOT> I forgot my password for payroll',
        ts,
        team: 'T0001',
      },
      { eventId: 'EvDEAD1' },
    );
    expect((await postSigned(`${server.url}/slack/events`, SECRET, mention)).status).toBe(200);
    const told = await fake.waitForCalls('chat.postMessage', 1, {
      timeoutMs: 20_000,
      where: (c) => c.response !== undefined && /could not process/.test(String(c.args.text)),
    });
    expect(told[0]?.args).toMatchObject({ channel: 'C0GENERAL', thread_ts: ts });
    expect(String(told[0]?.args.text)).toMatch(/stopped trying.*service desk team has been alerted/s);
    expect(fake.callsOf('conversations.open').length).toBeGreaterThan(1);
    fake.endOutage();

    // A reply Slack keeps refusing for longer than the horizon.
    fake.startOutage({ durationMs: 15_000, methods: ['chat.postMessage'], failure: () => ({ status: 500 }) });
    const dm = eventEnvelope(
      {
        type: 'message',
        channel: 'D0ALICE',
        channel_type: 'im',
        user: 'U0ALICE',
        text: 'hello',
        ts: slackTs(),
      },
      { eventId: 'EvDEAD2' },
    );
    expect((await postSigned(`${server.url}/slack/events`, SECRET, dm)).status).toBe(200);
    await waitFor(
      () => /dead letter: outbox message given up/.test(server.output()),
      'the reply to be given up',
      20_000,
    );
    fake.endOutage();
    expect(server.output()).toMatch(/dead letter: turn given up/);

    const res = await api('/api/v1/dead-letters');
    expect(res.status).toBe(200);
    const { deadLetters } = (await res.json()) as {
      deadLetters: Array<{
        kind: string;
        platform: string;
        text: string;
        user: string | null;
        error: string;
      }>;
    };
    expect(deadLetters.map((d) => d.kind).sort()).toEqual(['reply', 'turn']);
    const turn = deadLetters.find((d) => d.kind === 'turn');
    expect(turn).toMatchObject({
      platform: 'slack',
      user: 'U0BOB',
      text: 'I forgot my password for payroll',
    });
    expect(turn?.error).toMatch(/conversations\.open/);
    expect(deadLetters.find((d) => d.kind === 'reply')?.error).toMatch(/HTTP 500/);
    const turnsOnly = (await (await api('/api/v1/dead-letters?kind=turn')).json()) as {
      deadLetters: unknown[];
    };
    expect(turnsOnly.deadLetters).toHaveLength(1);
    expect((await api('/api/v1/dead-letters?kind=other')).status).toBe(400);

    // Admins only: an employee is refused, an admin is not, no token is unauthorized.
    expect((await api('/api/v1/dead-letters', { 'x-on-behalf-of': 'alice@example.com' })).status).toBe(403);
    expect((await api('/api/v1/dead-letters', { 'x-on-behalf-of': 'oscar@example.com' })).status).toBe(200);
    expect((await fetch(`${server.url}/api/v1/dead-letters`)).status).toBe(401);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('chatdesk_dead_letters_total{kind="turn",platform="slack"} 1');
    expect(metrics).toContain('chatdesk_dead_letters_total{kind="reply",platform="slack"} 1');
  }, 120_000);
});
