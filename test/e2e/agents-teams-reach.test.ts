/**
 * Issue 18 over Teams. Item 6: a person first seen in a team roster (membersAdded), who never wrote to
 * the bot, is told about a ticket assigned to them through a proactive chat created at the Bot
 * Connector they were seen through (not the public default). Item 2: the typed `queue` answers with a
 * card whose Claim button claims the ticket. Real server on a SQLite file, Bot Framework activities,
 * the fake Bot Connector on loopback, REST with the bearer token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { waitFor } from '../support/app.js';
import { type FakeBotConnector, startFakeBotConnector } from '../support/fake-bot-connector.js';
import { executeActivity, installActivity, messageActivity, TENANT } from '../support/teams-activities.js';

const API_TOKEN = 'agents-teams-api-token-0123456789';
let connector: FakeBotConnector;
let app: App;
let url: string;
let dir: string;

const member = (name: string, n: number) => ({
  id: `29:1${name}`,
  name: name[0]?.toUpperCase() + name.slice(1),
  aadObjectId: `00000000-0000-0000-0000-0000000000${n}0`,
});
const HEIDI = member('heidi', 1);
const IVAN = member('ivan', 2);

async function activity(body: Record<string, unknown>): Promise<Response> {
  const res = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
  await app.drain();
  return res;
}

const say = (who: typeof HEIDI, text: string) =>
  activity(
    messageActivity(text, {
      serviceUrl: connector.serviceUrl,
      from: who,
      conversationId: `a:1personal-${who.id.slice(4)}`,
    }),
  );

async function open(title: string): Promise<{ number: string; assigneeId: number | null }> {
  const res = await fetch(`${url}/api/v1/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ requester: 'alice@example.com', title }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { ticket: { number: string; assigneeId: number | null } }).ticket;
}

const cardText = (body: Record<string, unknown> | null) => JSON.stringify(body ?? {});

beforeAll(async () => {
  connector = await startFakeBotConnector();
  connector.addMember({ ...HEIDI, tenantId: TENANT }, 'heidi@example.com');
  connector.addMember({ ...IVAN, tenantId: TENANT }, 'ivan@example.com');
  dir = mkdtempSync(join(tmpdir(), 'chatdesk-agents-teams-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`,
    PORT: '0',
    LOG_LEVEL: 'silent',
    NLU_THREAD: 'inline',
    TEAMS_ENABLED: 'true',
    TEAMS_EMULATOR: 'true',
    API_TOKEN,
  });
  app = await createApp(config, { log: silentLogger });
  ({ url } = await app.listen());
}, 180_000);

afterAll(async () => {
  await app?.close();
  await connector?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('issue 18 over Teams', () => {
  it('tells an assignee first seen in a roster through a chat created at the connector they were seen at', async () => {
    await activity({
      ...installActivity({ serviceUrl: connector.serviceUrl, conversation: 'channel' }),
      membersAdded: [HEIDI, IVAN],
    });
    const t = await open('The printer on floor 4 is jammed');
    expect(t.assigneeId).not.toBeNull();
    const assignee = await app.directory.personById(t.assigneeId as number);
    const who = assignee?.email === 'heidi@example.com' ? HEIDI : IVAN;
    const create = await waitFor(
      () =>
        connector.calls.find(
          (c) => c.kind === 'create' && JSON.stringify(c.body?.members ?? []).includes(who.id),
        ),
      `the proactive chat with ${who.name}`,
    );
    // The tenant recorded from the roster travels with it.
    expect(cardText(create.body)).toContain(TENANT);
    const notice = await waitFor(
      () =>
        connector
          .messages()
          .find((m) => m.conversationId?.startsWith('a:direct-') && cardText(m.body).includes(t.number)),
      'the assignment notice',
    );
    expect(cardText(notice.body)).toContain('Claim');
    expect(cardText(notice.body)).toContain('agent.claim');
  });

  it('answers `queue` with a card whose Claim button claims the ticket', async () => {
    await say(HEIDI, 'away');
    await say(IVAN, 'away');
    const t = await open('The meeting room screen stays black');
    expect(t.assigneeId).toBeNull();
    const before = connector.messages().length;
    await say(HEIDI, 'queue');
    const reply = await waitFor(
      () =>
        connector
          .messages()
          .slice(before)
          .find((m) => cardText(m.body).includes("My groups' unassigned queue")),
      'the queue card',
    );
    const card = cardText(reply.body);
    expect(card).toContain(`Claim ${t.number}`);
    expect(card).toContain('Action.Execute');
    // The button's data, as Teams returns it in the invoke.
    const data = { chatdesk: { actionId: 'agent.claim', value: { ticket: t.number } } };
    expect(card).toContain(JSON.stringify(data.chatdesk));
    await activity(
      executeActivity(data, {
        serviceUrl: connector.serviceUrl,
        from: HEIDI,
        conversationId: 'a:1personal-heidi',
        verb: 'agent.claim',
      }),
    );
    const heidi = await app.directory.personByEmail('heidi@example.com');
    await waitFor(
      async () =>
        (await app.tickets.byIdForSystem((await app.tickets.get(t.number, heidi!)).id))?.assigneeId ===
        heidi?.id,
      'the claim from the Teams card',
    );
    await say(HEIDI, 'back');
    await say(IVAN, 'back');
  });
});
