/**
 * A reply that Slack keeps refusing with 5xx survives a restart: the first process stores it in the
 * outbox and gives up for now; a new process on the same database delivers it exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { silentLogger } from '../../src/log.js';
import { buildTestApp } from '../support/app.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { eventEnvelope, postSigned, slackTs } from '../support/slack-signing.js';

const SECRET = 'restart-signing-secret-123';
let fake: FakeSlackApi;
let dir: string;
let apps: App[] = [];

async function start(): Promise<{ app: App; url: string }> {
  const app = await buildTestApp(
    `sqlite:${join(dir, 'desk.sqlite')}`,
    {
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-restart',
      SLACK_API_URL: fake.apiUrl,
      LOG_LEVEL: 'silent',
    },
    { log: silentLogger },
  );
  apps.push(app);
  const { url } = await app.listen();
  return { app, url: `${url}/slack/events` };
}

beforeAll(async () => {
  fake = await startFakeSlackApi();
  fake.users.set('U0ALICE', { id: 'U0ALICE', email: 'alice@example.com', name: 'alice' });
  dir = mkdtempSync(join(tmpdir(), 'chatdesk-slack-restart-'));
});

afterAll(async () => {
  for (const a of apps) await a.close().catch(() => {});
  apps = [];
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Slack delivery across a restart', () => {
  it('delivers a reply refused with 5xx before the restart exactly once after it', async () => {
    fake.failNext('chat.postMessage', { status: 503 }, 1000);
    const first = await start();
    const event = {
      type: 'message',
      channel: 'D0ALICE',
      channel_type: 'im',
      user: 'U0ALICE',
      text: 'my vpn keeps dropping',
      ts: slackTs(),
    };
    expect(
      (await postSigned(first.url, SECRET, eventEnvelope(event, { eventId: 'EvRESTART1' }))).status,
    ).toBe(200);
    await fake.waitForCalls('chat.postMessage', 1, { timeoutMs: 10_000 });
    await first.app.close();
    apps = apps.filter((a) => a !== first.app);
    expect(fake.callsOf('chat.postMessage').every((c) => c.response === undefined)).toBe(true);

    fake.reset();
    const second = await start();
    const delivered = await fake.waitForCalls('chat.postMessage', 1, {
      timeoutMs: 10_000,
      where: (c) => c.response !== undefined,
    });
    await second.app.drain();
    expect(fake.callsOf('chat.postMessage')).toHaveLength(1);
    expect(delivered[0]?.args.channel).toBe('D0ALICE');
    expect(String(delivered[0]?.args.text)).toMatch(/INC\d{7}/);
    const incidents = await second.app.db.selectFrom('tickets').select('number').execute();
    expect(incidents).toHaveLength(1);
  });
});
