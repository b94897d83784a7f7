/**
 * The real server (createApp on a temporary SQLite file) with Slack enabled, talking to the fake Slack
 * Web API on 127.0.0.1; requests signed exactly as Slack signs them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { type FakeSlackApi, type RecordedCall, startFakeSlackApi } from '../support/fake-slack-api.js';
import { eventEnvelope, FORM, interactivityBody, postSigned, slackTs, slashCommandBody } from '../support/slack-signing.js';

const SECRET = 'e2e-signing-secret-abcdef';
const INC = /INC\d{7}/;

let fake: FakeSlackApi;
let app: App;
let url: string;
let dir: string;

const post = (body: string, headers: Record<string, string> = {}) => postSigned(url, SECRET, body, { headers });
const postForm = (body: string) => postSigned(url, SECRET, body, { contentType: FORM });
const dmEvent = (user: string, text: string, extra: Record<string, unknown> = {}) => ({
  type: 'message',
  channel: `D${user.slice(1)}`,
  channel_type: 'im',
  user,
  text,
  ts: slackTs(),
  team: 'T0001',
  ...extra,
});
const postsTo = (channel: string) => fake.callsOf('chat.postMessage').filter((c) => c.args.channel === channel);
const textOf = (c: RecordedCall | undefined) => `${String(c?.args.text ?? '')} ${JSON.stringify(c?.args.blocks ?? [])}`;

async function settle(): Promise<void> {
  await app.drain();
}

beforeAll(async () => {
  fake = await startFakeSlackApi();
  for (const [id, name] of [
    ['U0ALICE', 'alice'],
    ['U0BOB', 'bob'],
    ['U0CAROL', 'carol'],
    ['U0DAVE', 'dave'],
  ] as const) {
    fake.users.set(id, { id, email: `${name}@example.com`, name });
  }
  dir = mkdtempSync(join(tmpdir(), 'chatdesk-slack-e2e-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`,
    PORT: '0',
    LOG_LEVEL: 'silent',
    TEAMS_ENABLED: 'false',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-e2e-token',
    SLACK_API_URL: fake.apiUrl,
  });
  app = await createApp(config, { log: silentLogger });
  const { url: base } = await app.listen();
  url = `${base}/slack/events`;
});

afterAll(async () => {
  await app?.close();
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => fake.reset());

describe('Slack end to end', () => {
  it('a signed DM "my vpn keeps dropping" delivered three times makes one incident and one reply with its number', async () => {
    const body = eventEnvelope(dmEvent('U0ALICE', 'my vpn keeps dropping'), { eventId: 'EvE2EVPN01' });
    const responses = [
      await post(body),
      await post(body, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }),
      await post(body, { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    for (const r of responses) expect(r.ms).toBeLessThan(3000);
    await settle();
    const incidents = await app.db.selectFrom('tickets').select(['number', 'kind', 'title']).where('kind', '=', 'incident').execute();
    expect(incidents).toHaveLength(1);
    const number = incidents[0]?.number ?? '';
    expect(number).toMatch(INC);
    const posts = postsTo('D0ALICE');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.token).toBe('xoxb-e2e-token');
    expect(String(posts[0]?.args.text)).toContain(number);
    expect(fake.callsOf('chat.postMessage')).toHaveLength(1);
  });
});
