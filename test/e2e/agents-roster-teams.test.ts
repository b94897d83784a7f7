/**
 * Teams roster members are recorded when they appear (issue 18 item 6): a manager added to a team
 * gets an identity with tenant and AAD object id before ever writing to the bot, so proactive
 * messages can reach them. Real server, Bot Framework activities, fake Bot Connector on loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { type FakeBotConnector, startFakeBotConnector } from '../support/fake-bot-connector.js';
import { installActivity, TENANT } from '../support/teams-activities.js';

let connector: FakeBotConnector;
let app: App;
let url: string;
let dir: string;

beforeAll(async () => {
  connector = await startFakeBotConnector();
  dir = mkdtempSync(join(tmpdir(), 'chatdesk-roster-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`,
    PORT: '0',
    LOG_LEVEL: 'silent',
    NLU_THREAD: 'inline',
    TEAMS_ENABLED: 'true',
    TEAMS_EMULATOR: 'true',
  });
  app = await createApp(config, { log: silentLogger });
  ({ url } = await app.listen());
}, 180_000);

afterAll(async () => {
  await app?.close();
  await connector?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Teams roster', () => {
  it('records a member added to a team with tenant and AAD object id', async () => {
    const peggy = {
      id: '29:1peggy',
      name: 'Peggy Olsen',
      aadObjectId: '00000000-0000-0000-0000-0000000000f1',
    };
    connector.addMember({ ...peggy, tenantId: TENANT }, 'peggy@example.com');
    const activity = {
      ...installActivity({ serviceUrl: connector.serviceUrl, conversation: 'channel' }),
      membersAdded: [peggy],
    };
    const res = await fetch(`${url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    expect(res.status).toBeLessThan(300);
    await app.drain();
    const person = await app.directory.personByEmail('peggy@example.com');
    const identity = await app.db
      .selectFrom('identities')
      .select(['platform', 'platform_user_id', 'tenant_id', 'aad_object_id'])
      .where('person_id', '=', person?.id ?? 0)
      .executeTakeFirst();
    expect(identity).toEqual({
      platform: 'teams',
      platform_user_id: peggy.id,
      tenant_id: TENANT,
      aad_object_id: peggy.aadObjectId,
    });
  });
});
