/**
 * The real server with Bot Framework authentication on: tokens are validated against a local token
 * issuer (OpenID metadata + JWKS on 127.0.0.1), and the bot's own calls to the fake Bot Connector
 * carry a token it obtained from that issuer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { type FakeBotConnector, startFakeBotConnector } from '../support/fake-bot-connector.js';
import { type FakeTokenIssuer, startFakeTokenIssuer } from '../support/fake-token-issuer.js';
import { ALICE, messageActivity } from '../support/teams-activities.js';

const APP_ID = '6b0c3f5e-1d2a-4c3b-9e8f-0a1b2c3d4e5f';
const APP_PASSWORD = 'e2e-client-secret-value';

let issuer: FakeTokenIssuer;
let connector: FakeBotConnector;
let app: App;
let url: string;
let dir: string;

async function post(body: unknown, authorization?: string): Promise<number> {
  const res = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  issuer = await startFakeTokenIssuer({ appId: APP_ID, appPassword: APP_PASSWORD });
  connector = await startFakeBotConnector();
  connector.checkAuth = (authorization) => issuer.verifyBotToken(authorization);
  connector.members.set(ALICE.id, {
    id: ALICE.id,
    name: ALICE.name,
    aadObjectId: ALICE.aadObjectId,
    email: 'alice@example.com',
  });
  dir = mkdtempSync(join(tmpdir(), 'chatdesk-teams-auth-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`,
    PORT: '0',
    LOG_LEVEL: 'silent',
    ...issuer.env(),
    TEAMS_ALLOWED_SERVICE_URLS: connector.serviceUrl,
  });
  app = await createApp(config, { log: silentLogger });
  ({ url } = await app.listen());
});

afterAll(async () => {
  await app?.close();
  await connector?.close();
  await issuer?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Teams end to end with Bot Framework authentication', () => {
  it('refuses missing, forged and expired tokens with 401 and creates nothing', async () => {
    const act = messageActivity('my vpn keeps dropping', {
      serviceUrl: connector.serviceUrl,
      id: 'f:auth-bad',
    });
    expect(await post(act)).toBe(401);
    expect(await post(act, 'Bearer abc.def.ghi')).toBe(401);
    expect(
      await post(
        act,
        issuer.channelAuthHeader({ appId: APP_ID, serviceUrl: connector.serviceUrl, signWith: 'stranger' }),
      ),
    ).toBe(401);
    expect(
      await post(
        act,
        issuer.channelAuthHeader({ appId: APP_ID, serviceUrl: connector.serviceUrl, expiresInS: -600 }),
      ),
    ).toBe(401);
    expect(
      await post(act, issuer.channelAuthHeader({ appId: 'another-bot', serviceUrl: connector.serviceUrl })),
    ).toBe(401);
    await app.drain();
    expect(await app.db.selectFrom('tickets').select('id').execute()).toHaveLength(0);
    expect(await app.db.selectFrom('inbox').select('id').execute()).toHaveLength(0);
    expect(connector.calls).toHaveLength(0);
  });

  it('accepts a valid token: one incident, one reply, sent with a token from the issuer', async () => {
    const act = messageActivity('my vpn keeps dropping', {
      serviceUrl: connector.serviceUrl,
      id: 'f:auth-good',
    });
    for (let i = 0; i < 3; i++)
      expect(
        await post(act, issuer.channelAuthHeader({ appId: APP_ID, serviceUrl: connector.serviceUrl })),
      ).toBe(200);
    await app.drain();
    const incidents = await app.db
      .selectFrom('tickets')
      .select('number')
      .where('kind', '=', 'incident')
      .execute();
    expect(incidents).toHaveLength(1);
    const replies = connector.messages();
    expect(replies).toHaveLength(1);
    expect(JSON.stringify(replies[0]?.body)).toContain(incidents[0]?.number ?? 'INC?');
    // Every call the bot made (member look-up, reply) was accepted by the connector's token check.
    expect(connector.calls.every((c) => issuer.verifyBotToken(c.authorization))).toBe(true);
    expect(issuer.issuedToBot.length).toBeGreaterThan(0);
  });
});
