/**
 * Issue 14, Microsoft Teams as an attacker meets it: real servers, Bot Framework activities over
 * HTTP, a fake Bot Connector and a local token issuer on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { loadConfig, teamsMode } from '../../src/config.js';
import { buildTestApp, waitFor } from '../support/app.js';
import { sqliteDb } from '../support/databases.js';
import { type FakeBotConnector, startFakeBotConnector } from '../support/fake-bot-connector.js';
import { type FakeTokenIssuer, startFakeTokenIssuer } from '../support/fake-token-issuer.js';
import { ALICE, BOB, messageActionActivity, messageActivity } from '../support/teams-activities.js';

const APP_ID = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const APP_PASSWORD = 'security-suite-secret';

async function post(base: string, body: unknown, authorization?: string): Promise<number> {
  const r = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
  await r.arrayBuffer();
  return r.status;
}

let connector: FakeBotConnector;
const cleanups: Array<() => Promise<void>> = [];
async function start(env: Record<string, string>): Promise<{ app: App; base: string }> {
  const db = await sqliteDb.create();
  const app = await buildTestApp(db.url, { ...env });
  cleanups.push(async () => {
    await app.close();
    await db.cleanup();
  });
  return { app, base: (await app.listen()).url };
}

beforeAll(async () => {
  connector = await startFakeBotConnector();
  connector.addMember(ALICE, 'alice@example.com');
  connector.addMember(BOB, 'bob@example.com');
});
afterAll(async () => {
  for (const c of cleanups) await c();
  await connector?.close();
});

describe('Teams attacks (issue 14)', { timeout: 120_000 }, () => {
  it('item 3: with the defaults (TEAMS_ENABLED, no MICROSOFT_APP_ID) Teams is off: no anonymous /api/messages', async () => {
    expect(teamsMode(loadConfig({}))).toBe('off');
    const { base } = await start({ TEAMS_ENABLED: 'true', NODE_ENV: 'development' });
    expect(await post(base, messageActivity('hi', { serviceUrl: connector.serviceUrl }))).toBe(404);
  });

  it('item 3: the emulator mode is refused in production, off loopback and next to an app id', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', TEAMS_EMULATOR: 'true' })).toThrow(/TEAMS_EMULATOR/);
    expect(() => loadConfig({ TEAMS_EMULATOR: 'true', HOST: '0.0.0.0' })).toThrow(/loopback HOST/);
    expect(() => loadConfig({ TEAMS_EMULATOR: 'true', MICROSOFT_APP_ID: APP_ID })).toThrow(/TEAMS_EMULATOR/);
  });

  it('item 3: in emulator mode a serviceUrl off this machine (SSRF) is refused, Microsoft hosts included; loopback works', async () => {
    const { base } = await start({ TEAMS_ENABLED: 'true', TEAMS_EMULATOR: 'true' });
    const before = connector.calls.length;
    for (const serviceUrl of [
      'http://10.0.0.7:8080/',
      'http://169.254.169.254/',
      'https://smba.trafficmanager.net/teams/',
    ])
      expect(await post(base, messageActivity('hi', { serviceUrl })), serviceUrl).toBe(403);
    expect(connector.calls.length).toBe(before);
    expect(await post(base, messageActivity('hello', { serviceUrl: connector.serviceUrl }))).toBe(200);
  });

  it('item 9: a Bot Framework token without exp is refused (401), one with exp accepted', async () => {
    const issuer: FakeTokenIssuer = await startFakeTokenIssuer({ appId: APP_ID, appPassword: APP_PASSWORD });
    cleanups.push(() => issuer.close());
    const { base } = await start({
      TEAMS_ENABLED: 'true',
      ...issuer.env(),
      TEAMS_ALLOWED_SERVICE_URLS: connector.serviceUrl,
    });
    const activity = messageActivity('hello', { serviceUrl: connector.serviceUrl });
    const forever = issuer.channelAuthHeader({
      appId: APP_ID,
      serviceUrl: connector.serviceUrl,
      omitExp: true,
    });
    expect(await post(base, activity, forever)).toBe(401);
    const fine = issuer.channelAuthHeader({ appId: APP_ID, serviceUrl: connector.serviceUrl });
    expect(await post(base, { ...activity, id: 'f:with-exp' }, fine)).toBe(200);
  });

  it('items 4 and 8: "Create ticket" on Bob\'s message by Alice: Alice is the requester, Bob is quoted verbatim, and a disguised link never reaches Teams as a link', async () => {
    const { app, base } = await start({ TEAMS_ENABLED: 'true', TEAMS_EMULATOR: 'true' });
    const bait = '[Verify your account](https://evil.example/login) my Outlook is broken';
    const status = await post(
      base,
      messageActionActivity('composeExtension/submitAction', {
        serviceUrl: connector.serviceUrl,
        id: 'f:sec-ma',
        conversation: 'groupChat',
        messageText: 'Outlook crashes <b>every</b> morning',
        author: BOB,
        data: { text: bait, chatdesk: { actionId: 'form.submit', value: { kind: 'ticket_from_message' } } },
      }),
    );
    expect(status).toBe(200);
    await app.drain();
    const t = await waitFor(
      () =>
        app.db
          .selectFrom('tickets')
          .innerJoin('people', 'people.id', 'tickets.requester_id')
          .select(['tickets.number', 'tickets.description', 'people.email'])
          .executeTakeFirst(),
      'the ticket',
    );
    expect(t.email).toBe('alice@example.com');
    expect(t.description).toContain(
      'Reported about a message by Bob Example, quoted as written:\n> Outlook crashes every morning',
    );
    const out = await waitFor(
      () => connector.messages().filter((c) => JSON.stringify(c.body).includes(t.number)),
      'a reply naming the ticket',
    );
    expect(out.length).toBeGreaterThan(0);
    const sent = JSON.stringify(connector.messages().map((c) => c.body));
    expect(sent).toContain('Verify your account');
    expect(sent).not.toContain('](https://evil.example');
  });
});
