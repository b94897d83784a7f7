/**
 * Secrets never appear in logs: a real `chatdesk serve` with every secret set and LOG_LEVEL=debug is
 * driven through REST (right and wrong tokens), Slack (good and forged signatures) and the web chat;
 * none of the secret values may show up in anything the process printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startServer } from '../support/child-server.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { eventEnvelope, postSigned, slackTs } from '../support/slack-signing.js';

const SECRETS = {
  API_TOKEN: 'sEcReT-api-token-7f3a9c1e55',
  SLACK_SIGNING_SECRET: 'sEcReT-signing-b81d04e2aa',
  SLACK_BOT_TOKEN: 'xoxb-sEcReT-bot-0c9e7d2f41',
  MICROSOFT_APP_PASSWORD: 'sEcReT-ms-password-5a6b7c8d',
};

describe('secrets in logs', () => {
  let fake: FakeSlackApi;
  let server: ChildServer;
  let dir = '';

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    fake.users.set('U0LOG', { id: 'U0LOG', email: 'alice@example.com', name: 'alice' });
    dir = mkdtempSync(join(tmpdir(), 'chatdesk-secrets-'));
    server = await startServer({
      ...SECRETS,
      DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`,
      SLACK_API_URL: fake.apiUrl,
      MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000001',
      LOG_LEVEL: 'debug',
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints none of the secret values while serving good and hostile requests', async () => {
    const api = `${server.url}/api/v1`;
    const auth = { authorization: `Bearer ${SECRETS.API_TOKEN}`, 'content-type': 'application/json' };
    expect(
      (
        await fetch(`${api}/tickets`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ title: 'log check', requester: 'alice@example.com' }),
        })
      ).status,
    ).toBe(201);
    expect(
      (await fetch(`${api}/tickets`, { headers: { authorization: `Bearer ${SECRETS.API_TOKEN}-wrong` } }))
        .status,
    ).toBe(401);
    expect(
      (await fetch(`${api}/tickets`, { headers: { authorization: `Bearer ${SECRETS.SLACK_BOT_TOKEN}` } }))
        .status,
    ).toBe(401);
    const event = eventEnvelope({
      type: 'message',
      channel: 'D0LOG',
      channel_type: 'im',
      user: 'U0LOG',
      text: 'my vpn keeps dropping',
      ts: slackTs(),
    });
    expect((await postSigned(`${server.url}/slack/events`, SECRETS.SLACK_SIGNING_SECRET, event)).status).toBe(
      200,
    );
    expect((await postSigned(`${server.url}/slack/events`, 'forged-secret', event)).status).toBe(401);
    await fake.waitForCalls('chat.postMessage', 1, { timeoutMs: 15_000 });
    expect(
      (
        await fetch(`${server.url}/chat/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            user: 'alice@example.com',
            text: `my token is ${SECRETS.API_TOKEN.slice(0, 4)}`,
          }),
        })
      ).status,
    ).toBe(200);
    expect(await server.stop()).toBe(0);
    const out = server.output();
    expect(out.length).toBeGreaterThan(200); // the run really logged (debug level)
    expect(out).toMatch(/"msg":"request"/);
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(out.includes(value), `${name} leaked into the log`).toBe(false);
    }
    // The bot token was used (the fake saw it), so it was live in the process and still not logged.
    expect(fake.callsOf('chat.postMessage').some((c) => c.token === SECRETS.SLACK_BOT_TOKEN)).toBe(true);
  }, 60_000);
});
