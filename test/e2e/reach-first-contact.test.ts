/**
 * First contact from Slack and Teams: a person the desk has never met gets the platform's time zone
 * and email (Slack users.info `tz` and `profile.email`; the Teams roster's email and tenant, and the
 * client's `localTimezone`), not UTC, and their Teams identity keeps tenant and AAD object id. Real
 * server, signed Slack events, Bot Framework activities, fake Slack API and Bot Connector on loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { type FakeBotConnector, startFakeBotConnector } from '../support/fake-bot-connector.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { eventEnvelope, postSigned, slackTs } from '../support/slack-signing.js';
import { messageActivity, TENANT } from '../support/teams-activities.js';

const SECRET = 'reach-first-contact-secret';
let slack: FakeSlackApi;
let connector: FakeBotConnector;
let app: App;
let url: string;
let dir: string;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  connector = await startFakeBotConnector();
  slack.users.set('U0NEWBIE', {
    id: 'U0NEWBIE',
    email: 'Newbie@Example.com',
    name: 'Nia Newbie',
    tz: 'America/Chicago',
  });
  slack.users.set('U0ALICE', { id: 'U0ALICE', email: 'alice@example.com', name: 'Alice', tz: 'Asia/Tokyo' });
  dir = mkdtempSync(join(tmpdir(), 'chatdesk-reach-first-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`,
    PORT: '0',
    LOG_LEVEL: 'silent',
    NLU_THREAD: 'inline',
    TEAMS_ENABLED: 'true',
    TEAMS_EMULATOR: 'true',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-reach-token',
    SLACK_API_URL: slack.apiUrl,
  });
  app = await createApp(config, { log: silentLogger });
  ({ url } = await app.listen());
}, 180_000);

afterAll(async () => {
  await app?.close();
  await slack?.close();
  await connector?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const dm = (user: string, text: string) => ({
  type: 'message',
  channel: `D${user.slice(1)}`,
  channel_type: 'im',
  user,
  text,
  ts: slackTs(),
  team: 'T0001',
});

describe('first contact takes time zone and email from the platform', () => {
  it('Slack: users.info gives a new person their tz and email; a seeded person keeps the zone the directory gave', async () => {
    for (const [user, id] of [
      ['U0NEWBIE', 'EvReachTz1'],
      ['U0ALICE', 'EvReachTz2'],
    ] as const) {
      const r = await postSigned(
        `${url}/slack/events`,
        SECRET,
        eventEnvelope(dm(user, 'hello'), { eventId: id }),
      );
      expect(r.status).toBe(200);
    }
    await app.drain();
    expect(
      slack
        .callsOf('users.info')
        .map((c) => c.args.user)
        .sort(),
    ).toEqual(['U0ALICE', 'U0NEWBIE']);
    const nia = await app.directory.personByEmail('newbie@example.com');
    expect(nia).toMatchObject({ displayName: 'Nia Newbie', timeZone: 'America/Chicago', role: 'employee' });
    // data/seed/people.json gave Alice Europe/Berlin: an explicit zone is not replaced.
    expect((await app.directory.personByEmail('alice@example.com'))?.timeZone).toBe('Europe/Berlin');
  });

  it('Teams: the roster gives email and tenant, the activity the client time zone; the identity keeps tenant and AAD object id', async () => {
    const who = {
      id: '29:1newteams',
      name: 'Theo Teams',
      aadObjectId: '00000000-0000-0000-0000-0000000071e0',
    };
    connector.addMember({ ...who, tenantId: TENANT }, 'theo@example.com');
    const activity = {
      ...messageActivity('hello', {
        serviceUrl: connector.serviceUrl,
        from: who,
        conversationId: 'a:1personal-theo',
      }),
      localTimezone: 'Australia/Sydney',
    };
    const res = await fetch(`${url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    expect(res.status).toBeLessThan(300);
    await app.drain();
    const theo = await app.directory.personByEmail('theo@example.com');
    expect(theo).toMatchObject({ displayName: 'Theo Teams', timeZone: 'Australia/Sydney' });
    const identity = await app.db
      .selectFrom('identities')
      .select(['platform_user_id', 'tenant_id', 'aad_object_id'])
      .where('person_id', '=', theo?.id ?? 0)
      .executeTakeFirst();
    expect(identity).toEqual({ platform_user_id: who.id, tenant_id: TENANT, aad_object_id: who.aadObjectId });
  });
});
