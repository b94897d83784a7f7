/**
 * A CAB vote in a Slack thread over the real wire format: signed Events API and interactivity
 * requests in, a fake Slack Web API recording what the bot posts. The change comes in over REST;
 * two board members vote in the card's thread (one typed, one with the card's button).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { blockActions } from '../support/slack-payloads.js';
import { eventEnvelope, FORM, interactivityBody, postSigned, slackTs } from '../support/slack-signing.js';

const SECRET = 'cab-e2e-signing-secret';
const TOKEN = 'cab-e2e-api-token-0123456789';
const CAB = 'C0CAB';

let slack: FakeSlackApi;
let app: App;
let base: string;
let dir: string;

const slackPost = (body: string, opts: { form?: boolean; headers?: Record<string, string> } = {}) =>
  postSigned(`${base}/slack/events`, SECRET, body, {
    ...(opts.form ? { contentType: FORM } : {}),
    ...(opts.headers ? { headers: opts.headers } : {}),
  });
const api = (path: string, body: unknown) =>
  fetch(`${base}/api/v1${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      'x-on-behalf-of': 'judy@example.com',
    },
    body: JSON.stringify(body),
  });
const posts = (channel: string) =>
  slack.callsOf('chat.postMessage').filter((c) => c.args.channel === channel);
const threadTexts = (root: string) =>
  posts(CAB)
    .filter((c) => c.args.thread_ts === root)
    .map((c) => String(c.args.text));

type Block = { type: string; elements?: Array<{ action_id: string; value: string }> };
const buttonsOf = (blocks: unknown) =>
  ((blocks ?? []) as Block[]).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));

beforeAll(async () => {
  slack = await startFakeSlackApi();
  for (const [id, name] of [
    ['U0MARIA', 'maria'],
    ['U0PEGGY', 'peggy'],
    ['U0JUDY', 'judy'],
  ] as const)
    slack.users.set(id, { id, email: `${name}@example.com`, name });
  dir = mkdtempSync(join(tmpdir(), 'chatdesk-cab-e2e-'));
  const dataDir = join(dir, 'data');
  cpSync(join(import.meta.dirname, '../../data'), dataDir, { recursive: true });
  const itil = JSON.parse(readFileSync(join(dataDir, 'itil.json'), 'utf8'));
  itil.changes.cab = { ...itil.changes.cab, policy: 'majority', channel: { slack: { channelId: CAB } } };
  writeFileSync(join(dataDir, 'itil.json'), JSON.stringify(itil));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`,
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'silent',
    API_TOKEN: TOKEN,
    TEAMS_ENABLED: 'false',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-cab-e2e',
    SLACK_API_URL: slack.apiUrl,
  });
  app = await createApp(config, { log: silentLogger });
  ({ url: base } = await app.listen());
}, 180_000);

afterAll(async () => {
  await app?.close();
  await slack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('CAB vote in a Slack thread', () => {
  it('posts one card, two members vote in its thread (typed and button), the outcome is posted once', async () => {
    // The requester has talked to the bot before, so the outcome can reach her by DM.
    await slackPost(
      eventEnvelope({
        type: 'message',
        channel: 'D0JUDY',
        channel_type: 'im',
        user: 'U0JUDY',
        text: 'hi',
        ts: slackTs(),
        team: 'T0001',
      }),
    );
    await app.drain();

    const created = await api('/changes', {
      title: 'Upgrade the VPN concentrator firmware',
      type: 'normal',
      impact: 'medium',
      urgency: 'medium',
      assets: ['SV-4001'],
      plannedStart: '2026-06-03T20:00:00Z',
      plannedEnd: '2026-06-03T22:00:00Z',
    });
    expect(created.status).toBe(201);
    const number = ((await created.json()) as { ticket: { number: string } }).ticket.number;
    expect((await api(`/changes/${number}/submit`, {})).status).toBe(200);
    await app.drain();

    const cards = posts(CAB).filter((c) => c.args.thread_ts === undefined);
    expect(cards).toHaveLength(1);
    const card = cards[0];
    const root = String(card?.response?.ts);
    expect(String(card?.args.text)).toMatch(new RegExp(`CAB vote needed: ${number} "Upgrade the VPN`));
    expect(String(card?.args.text)).toMatch(/Policy: majority of 3/);
    const approve = buttonsOf(card?.args.blocks).find(
      (b) => b.action_id.includes('change.vote') && b.value.includes('"approve"'),
    );
    expect(approve, JSON.stringify(card?.args.blocks)).toBeDefined();

    // Maria votes by typing in the thread; Slack then delivers the same event again (a retry).
    const vote = eventEnvelope(
      {
        type: 'message',
        channel: CAB,
        channel_type: 'channel',
        user: 'U0MARIA',
        text: 'approve: looks fine, rollback plan is solid',
        ts: slackTs(),
        thread_ts: root,
        parent_user_id: 'UBOT',
        team: 'T0001',
      },
      { eventId: 'EvCABMARIA1' },
    );
    expect((await slackPost(vote)).status).toBe(200);
    await app.drain();
    expect(
      (
        await slackPost(vote, {
          headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
        })
      ).status,
    ).toBe(200);
    await app.drain();
    expect(threadTexts(root)).toEqual([
      'Maria Rossi votes approve: looks fine, rollback plan is solid. 1 of 3 approve; policy majority.',
    ]);

    // Discussion in the thread is kept on the change, not answered.
    await slackPost(
      eventEnvelope({
        type: 'message',
        channel: CAB,
        channel_type: 'channel',
        user: 'U0PEGGY',
        text: 'Did we check the firmware notes for the HA pair?',
        ts: slackTs(),
        thread_ts: root,
        parent_user_id: 'UBOT',
        team: 'T0001',
      }),
    );
    await app.drain();
    expect(threadTexts(root)).toHaveLength(1);

    // Peggy approves with the card's button (the card now has replies, so Slack names its thread).
    const click = interactivityBody(
      blockActions({
        user: 'U0PEGGY',
        channel: CAB,
        ts: root,
        threadTs: root,
        button: { action_id: approve?.action_id, value: approve?.value },
        triggerId: 'trig.peggy',
      }),
    );
    expect((await slackPost(click, { form: true })).status).toBe(200);
    await app.drain();
    // The same click delivered twice counts once.
    expect((await slackPost(click, { form: true })).status).toBe(200);
    await app.drain();

    const said = threadTexts(root);
    expect(said).toEqual([
      'Maria Rossi votes approve: looks fine, rollback plan is solid. 1 of 3 approve; policy majority.',
      'Peggy Olsen votes approve. 2 of 3 approve; policy majority.',
      expect.stringMatching(
        new RegExp(
          `^CAB approved ${number} .*\\(2 of 3 approve; policy majority\\); it is scheduled for 2026-06-03T20:00:00Z`,
        ),
      ),
    ]);
    expect(posts('D0JUDY').map((c) => String(c.args.text))).toContainEqual(
      expect.stringMatching(new RegExp(`CAB approved ${number}`)),
    );
    // Nothing else went to the channel itself.
    expect(posts(CAB).filter((c) => c.args.thread_ts === undefined)).toHaveLength(1);

    const view = (await (
      await fetch(`${base}/api/v1/changes/${number}`, {
        headers: { authorization: `Bearer ${TOKEN}`, 'x-on-behalf-of': 'judy@example.com' },
      })
    ).json()) as { change: { phase: string }; votes: Array<{ state: string; comment: string | null }> };
    expect(view.change.phase).toBe('scheduled');
    expect(view.votes.filter((v) => v.state === 'approved').map((v) => v.comment)).toEqual([
      'looks fine, rollback plan is solid',
      null,
    ]);
    const comments = await app.db.selectFrom('comments').select(['body', 'platform']).execute();
    expect(comments).toContainEqual({
      body: 'Did we check the firmware notes for the HA pair?',
      platform: 'slack',
    });
  });
});
