import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsAdapter } from '../../../../src/adapters/teams/index.js';
import { loadConfig } from '../../../../src/config.js';
import { silentLogger } from '../../../../src/log.js';
import {
  type FakeBotConnector,
  startFakeBotConnector,
  waitFor,
} from '../../../support/fake-bot-connector.js';
import { type FakeTokenIssuer, startFakeTokenIssuer } from '../../../support/fake-token-issuer.js';
import { messageActivity, TENANT } from '../../../support/teams-activities.js';
import { fakeEngine, type Harness, startHarness } from './harness.js';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const APP_PASSWORD = 'test-secret-value';

let issuer: FakeTokenIssuer;
let connector: FakeBotConnector;
let h: Harness;

beforeAll(async () => {
  issuer = await startFakeTokenIssuer({ appId: APP_ID, appPassword: APP_PASSWORD });
  connector = await startFakeBotConnector();
  connector.checkAuth = (authorization) => issuer.verifyBotToken(authorization);
  h = await startHarness({
    ...issuer.env(),
    TEAMS_ALLOWED_SERVICE_URLS: connector.serviceUrl,
  });
});
afterAll(async () => {
  await h?.close();
  await connector?.close();
  await issuer?.close();
});

describe('teams adapter with Bot Framework authentication', () => {
  it('accepts a correctly signed channel token and replies with a token from the issuer', async () => {
    const act = messageActivity('my vpn keeps dropping', {
      serviceUrl: connector.serviceUrl,
      id: 'f:auth-ok',
    });
    const res = await h.post(act, {
      authorization: issuer.channelAuthHeader({ appId: APP_ID, serviceUrl: connector.serviceUrl }),
    });
    expect(res.status).toBe(200);
    expect(h.engine.accepted.map((x) => x.id)).toContain('f:auth-ok');
    const sent = await waitFor(() => connector.messages()[0]);
    expect(issuer.verifyBotToken(sent.authorization)).toBe(true);
    expect(issuer.issuedToBot.length).toBeGreaterThan(0);
  });

  it.each([
    ['no token', () => undefined],
    ['garbage', () => 'Bearer not.a.jwt'],
    [
      'wrong audience',
      () => issuer.channelAuthHeader({ appId: 'someone-else', serviceUrl: connector.serviceUrl }),
    ],
    [
      'wrong issuer',
      () =>
        issuer.channelAuthHeader({
          appId: APP_ID,
          serviceUrl: connector.serviceUrl,
          issuer: 'https://evil.example.com',
        }),
    ],
    [
      'foreign signing key',
      () =>
        issuer.channelAuthHeader({ appId: APP_ID, serviceUrl: connector.serviceUrl, signWith: 'stranger' }),
    ],
    [
      'expired',
      () => issuer.channelAuthHeader({ appId: APP_ID, serviceUrl: connector.serviceUrl, expiresInS: -3600 }),
    ],
    [
      'serviceurl claim of another connector',
      () => issuer.channelAuthHeader({ appId: APP_ID, serviceUrl: 'https://smba.trafficmanager.net/emea/' }),
    ],
  ])('refuses %s with 401 and never reaches the engine', async (_name, header) => {
    const n = h.engine.received.length;
    const auth = header();
    const res = await h.post(
      messageActivity('hello', { serviceUrl: connector.serviceUrl }),
      auth ? { authorization: auth } : {},
    );
    expect(res.status).toBe(401);
    expect(h.engine.received.length).toBe(n);
  });

  it('serves Teams only: other Bot Framework channels get 403', async () => {
    const webchat = {
      ...messageActivity('hello', { serviceUrl: connector.serviceUrl }),
      channelId: 'webchat',
    };
    const res = await h.post(webchat, {
      authorization: issuer.channelAuthHeader({ appId: APP_ID, serviceUrl: connector.serviceUrl }),
    });
    expect(res.status).toBe(403);
  });

  it('does not allow loopback service URLs unless listed when credentials are set', async () => {
    const other = 'http://127.0.0.1:1/';
    const res = await h.post(messageActivity('hello', { serviceUrl: other }), {
      authorization: issuer.channelAuthHeader({ appId: APP_ID, serviceUrl: other }),
    });
    expect(res.status).toBe(403);
  });
});

describe('teams adapter when the signing keys cannot be loaded', () => {
  it('answers 503 (Teams retries) instead of blaming the token', async () => {
    const down = await startHarness({
      MICROSOFT_APP_ID: APP_ID,
      MICROSOFT_APP_PASSWORD: APP_PASSWORD,
      TEAMS_OPENID_METADATA_URL: 'http://127.0.0.1:9/v1/.well-known/openidconfiguration',
      TEAMS_TOKEN_ISSUER: issuer.issuer,
      TEAMS_OAUTH_SCOPE: issuer.scope,
      TEAMS_LOGIN_URL: issuer.loginUrl,
      TEAMS_ALLOWED_SERVICE_URLS: connector.serviceUrl,
    });
    try {
      const res = await down.post(messageActivity('hello', { serviceUrl: connector.serviceUrl }), {
        authorization: issuer.channelAuthHeader({ appId: APP_ID, serviceUrl: connector.serviceUrl }),
      });
      expect(res.status).toBe(503);
      expect(down.engine.received).toHaveLength(0);
    } finally {
      await down.close();
    }
  });
});

describe('single-tenant teams adapter', () => {
  it('refuses activities from another tenant with 403', async () => {
    const single = await startHarness({
      ...issuer.env(),
      MICROSOFT_APP_TYPE: 'SingleTenant',
      MICROSOFT_APP_TENANT_ID: TENANT,
      TEAMS_ALLOWED_SERVICE_URLS: connector.serviceUrl,
    });
    try {
      const auth = () => ({
        authorization: issuer.channelAuthHeader({ appId: APP_ID, serviceUrl: connector.serviceUrl }),
      });
      const own = messageActivity('hello', { serviceUrl: connector.serviceUrl });
      expect((await single.post(own, auth())).status).toBe(200);
      const foreign = {
        ...own,
        id: 'f:foreign',
        channelData: { tenant: { id: 'another-tenant' } },
        conversation: { id: 'a:x', conversationType: 'personal', tenantId: 'another-tenant' },
      };
      expect((await single.post(foreign, auth())).status).toBe(403);
      expect(single.engine.received.map((x) => x.id)).not.toContain('f:foreign');
    } finally {
      await single.close();
    }
  });
});

describe('teams adapter configuration', () => {
  const engine = fakeEngine();
  it('refuses anonymous mode in production', () => {
    const config = { ...loadConfig({ NODE_ENV: 'test' }), NODE_ENV: 'production' as const };
    expect(() => createTeamsAdapter({ config, engine, log: silentLogger })).toThrow(/MICROSOFT_APP_ID/);
  });
  it('refuses a partial set of endpoint variables', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      MICROSOFT_APP_ID: APP_ID,
      MICROSOFT_APP_PASSWORD: 'x',
      TEAMS_TOKEN_ISSUER: 'https://issuer.example',
    });
    expect(() => createTeamsAdapter({ config, engine, log: silentLogger })).toThrow(
      /TEAMS_OPENID_METADATA_URL/,
    );
  });
  it('needs the password with an app id', () => {
    const config = loadConfig({ NODE_ENV: 'test', MICROSOFT_APP_ID: APP_ID });
    expect(() => createTeamsAdapter({ config, engine, log: silentLogger })).toThrow(/MICROSOFT_APP_PASSWORD/);
  });
});
