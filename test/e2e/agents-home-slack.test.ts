/**
 * The agent queue in the Slack App Home (issue 18 item 2): staff see their queue (my open tickets, my
 * groups' unassigned queue, breaching soon) above their own tickets, each row with its button; a Claim
 * clicked in the App Home claims the ticket. Employees see only their tickets. Real server on a SQLite
 * file, signed Slack events and interactivity into Bolt's receiver, the fake Slack Web API on loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { agentChoices } from '../../src/chat/handoff/channels.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { waitFor } from '../support/app.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { eventEnvelope, FORM, interactivityBody, postSigned, slackTs } from '../support/slack-signing.js';

const SECRET = 'agents-home-signing-secret';
const API_TOKEN = 'agents-home-api-token-0123456789';
let fake: FakeSlackApi;
let app: App;
let base: string;
let dir: string;
/** The ticket alice reported in the first test. */
let reported = '';

const PEOPLE = ['alice', 'ivan', 'heidi'];
const slackId = (name: string) => `U0${name.toUpperCase()}`;

interface HomeBlock {
  type: string;
  text?: { text: string };
  accessory?: { action_id: string; value: string; text: { text: string } };
}

async function homeOf(name: string): Promise<HomeBlock[]> {
  const before = fake.callsOf('views.publish').length;
  const res = await postSigned(
    `${base}/slack/events`,
    SECRET,
    eventEnvelope({
      type: 'app_home_opened',
      user: slackId(name),
      channel: `D0${name.toUpperCase()}`,
      tab: 'home',
    }),
  );
  expect(res.status).toBe(200);
  const call = await waitFor(
    () =>
      fake
        .callsOf('views.publish')
        .slice(before)
        .find((c) => c.args.user_id === slackId(name)),
    `the App Home of ${name}`,
  );
  return (call.args.view as { blocks: HomeBlock[] }).blocks;
}

async function dm(name: string, text: string): Promise<void> {
  const res = await postSigned(
    `${base}/slack/events`,
    SECRET,
    eventEnvelope({
      type: 'message',
      channel: `D0${name.toUpperCase()}`,
      channel_type: 'im',
      user: slackId(name),
      text,
      ts: slackTs(),
      team: 'T0001',
    }),
  );
  expect(res.status).toBe(200);
  await app.drain();
}

async function ticket(number: string) {
  const res = await fetch(`${base}/api/v1/tickets/${number}`, {
    headers: { authorization: `Bearer ${API_TOKEN}` },
  });
  return ((await res.json()) as { ticket: { assigneeId: number | null; state: string } }).ticket;
}

const rowOf = (blocks: HomeBlock[], number: string) =>
  blocks.find((b) => b.type === 'section' && b.accessory && b.text?.text.startsWith(number));

beforeAll(async () => {
  fake = await startFakeSlackApi();
  for (const n of PEOPLE) fake.users.set(slackId(n), { id: slackId(n), email: `${n}@example.com`, name: n });
  dir = mkdtempSync(join(tmpdir(), 'chatdesk-agents-home-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`,
    PORT: '0',
    LOG_LEVEL: 'silent',
    TEAMS_ENABLED: 'false',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-agents-home',
    SLACK_API_URL: fake.apiUrl,
    API_TOKEN,
    NLU_THREAD: 'inline',
  });
  app = await createApp(config, { log: silentLogger });
  base = (await app.listen()).url;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('issue 18 item 2: the queue in the Slack App Home', () => {
  it('shows staff their queue with Claim buttons above their tickets; a Claim from the App Home claims', async () => {
    // Everyone of Workplace is away: the ticket waits unassigned in the group's queue.
    await dm('ivan', 'away');
    await dm('heidi', 'away');
    const created = await fetch(`${base}/api/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requester: 'alice@example.com', title: 'The printer on floor 3 eats paper' }),
    });
    expect(created.status).toBe(201);
    const { number } = ((await created.json()) as { ticket: { number: string } }).ticket;
    expect((await ticket(number)).assigneeId).toBeNull();
    reported = number;

    const home = await homeOf('heidi');
    const texts = home.map((b) => b.text?.text ?? '').join('\n');
    expect(texts).toContain('Your queue');
    expect(texts).toContain('*My open tickets*');
    expect(texts).toContain("*My groups' unassigned queue* (1)");
    expect(texts).toContain('*Breaching soon*');
    // The queue comes before the requester's part of the App Home.
    const queueAt = home.findIndex((b) => b.text?.text === 'Your queue');
    const ownAt = home.findIndex((b) => b.text?.text === 'You have no tickets.');
    expect(queueAt).toBeGreaterThan(-1);
    expect(ownAt).toBeGreaterThan(queueAt);
    const row = rowOf(home, number);
    expect(row?.accessory?.text.text).toBe(`Claim ${number}`);
    expect(row?.accessory?.action_id).toMatch(/^cd:agent\.claim:\d+$/);
    expect(JSON.parse(row?.accessory?.value ?? '{}')).toEqual({ ticket: number });

    // The click from the App Home: no channel, no message, only the view.
    const published = fake.callsOf('views.publish').length;
    const click = interactivityBody({
      type: 'block_actions',
      trigger_id: 'trig.home',
      user: { id: slackId('heidi'), team_id: 'T0001' },
      team: { id: 'T0001' },
      container: { type: 'view', view_id: 'VHOME1' },
      view: { id: 'VHOME1', type: 'home' },
      actions: [
        {
          type: 'button',
          action_id: row?.accessory?.action_id,
          value: row?.accessory?.value,
          block_id: 'x',
          action_ts: slackTs(),
        },
      ],
    });
    expect((await postSigned(`${base}/slack/events`, SECRET, click, { contentType: FORM })).status).toBe(200);
    await app.drain();
    const heidi = await app.directory.personByEmail('heidi@example.com');
    await waitFor(async () => (await ticket(number)).assigneeId === heidi?.id, 'the claim from the App Home');

    // The App Home refreshes itself once the claim is done: nobody has to reopen it.
    const refreshed = await waitFor(
      () =>
        fake
          .callsOf('views.publish')
          .slice(published)
          .find((c) => c.args.user_id === slackId('heidi')),
      'the App Home refreshed after the claim',
    );
    expect(JSON.stringify(refreshed.args.view)).toContain('*My open tickets* (1)');

    // Now hers: under "My open tickets" with Open.
    const after = await homeOf('heidi');
    expect(after.map((b) => b.text?.text ?? '').join('\n')).toContain('*My open tickets* (1)');
    const mine = rowOf(after, number);
    expect(mine?.accessory?.text.text).toBe(`Open ${number}`);
    expect(mine?.accessory?.action_id).toMatch(/^cd:desk\.open:\d+$/);
    await dm('ivan', 'back');
    await dm('heidi', 'back');
  });

  it('offers the edits as card buttons: Priority… and Pending… answer with choices whose click edits', async () => {
    const created = await fetch(`${base}/api/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requester: 'alice@example.com', title: 'Docking station flickers' }),
    });
    const t = ((await created.json()) as { ticket: { number: string; assigneeId: number } }).ticket;
    const agent = await app.directory.personById(t.assigneeId);
    const name = agent?.email.split('@')[0] ?? '';
    // The agent card of a handed-off ticket (its triage thread) carries the edit buttons.
    expect(agentChoices(t.number, [], null).map((c) => c.actionId)).toEqual(
      expect.arrayContaining(['agent.claim', 'desk.priority', 'desk.pending']),
    );
    const click = async (actionId: string, value: Record<string, unknown>, says: string) => {
      const before = fake.callsOf('chat.postMessage').length;
      const body = interactivityBody({
        type: 'block_actions',
        trigger_id: `trig.${actionId}`,
        user: { id: slackId(name), team_id: 'T0001' },
        team: { id: 'T0001' },
        container: { type: 'view', view_id: 'VHOME2' },
        view: { id: 'VHOME2' },
        actions: [
          {
            type: 'button',
            action_id: `cd:${actionId}:0`,
            value: JSON.stringify(value),
            block_id: 'x',
            action_ts: slackTs(),
          },
        ],
      });
      expect((await postSigned(`${base}/slack/events`, SECRET, body, { contentType: FORM })).status).toBe(
        200,
      );
      await app.drain();
      return waitFor(
        () =>
          fake
            .callsOf('chat.postMessage')
            .slice(before)
            .find((c) => c.args.channel === `D0${name.toUpperCase()}` && String(c.args.text).includes(says)),
        `the answer to ${actionId}`,
      );
    };
    const menu = await click('desk.priority', { ticket: t.number }, 'Which priority');
    const buttons = (menu.args.blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>)
      .flatMap((b) => b.elements ?? [])
      .filter((e) => e.action_id?.startsWith('cd:desk.priority:'))
      .map((e) => JSON.parse(e.value ?? '{}') as Record<string, unknown>);
    expect(buttons.map((v) => v.priority)).toEqual(['P1', 'P2', 'P3', 'P4']);
    await click('desk.priority', { ticket: t.number, priority: 'P1' }, 'is P1 now');
    const pend = await click('desk.pending', { ticket: t.number }, 'waits for whom');
    expect(JSON.stringify(pend.args.blocks)).toContain('the requester');
    await click('desk.pending', { ticket: t.number, reason: 'vendor' }, 'is pending (vendor)');
    const res = await fetch(`${base}/api/v1/tickets/${t.number}`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    const view = (await res.json()) as {
      ticket: { priority: string; state: string; pendingReason: string };
      events: Array<{ type: string; to: string | null }>;
    };
    expect(view.ticket.priority).toBe('P1');
    expect(view.ticket.state).toBe('pending');
    expect(view.ticket.pendingReason).toBe('vendor');
    expect(view.events.some((e) => e.type === 'priority_changed')).toBe(true);
  });

  it('shows an employee only their own tickets', async () => {
    await dm('alice', 'hello'); // links her Slack identity to the person who reported over REST
    const home = await homeOf('alice');
    const texts = JSON.stringify(home);
    expect(texts).not.toContain('Your queue');
    expect(texts).not.toContain('agent.claim');
    expect(texts).toContain(reported);
  });
});
