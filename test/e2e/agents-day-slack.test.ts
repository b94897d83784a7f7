/**
 * An agent's day over Slack (issue 18, items 1-6): the real server on a SQLite file, signed Slack
 * events into Bolt's receiver, the fake Slack Web API on loopback, REST with the bearer token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { waitFor } from '../support/app.js';
import { type FakeSlackApi, type RecordedCall, startFakeSlackApi } from '../support/fake-slack-api.js';
import { eventEnvelope, postSigned, slackTs } from '../support/slack-signing.js';

const SECRET = 'agents-day-signing-secret';
const API_TOKEN = 'agents-day-api-token-0123456789';
let fake: FakeSlackApi;
let app: App;
let base: string;
let dir: string;

/** Staff and requesters in the Slack workspace; maria (a manager) is not, so nothing reaches her. */
const SLACK_PEOPLE = ['alice', 'erin', 'ivan', 'heidi', 'grace', 'judy', 'mallory', 'peggy'];
const slackId = (name: string) => `U0${name.toUpperCase()}`;

const textOf = (c: RecordedCall) => `${String(c.args.text ?? '')} ${JSON.stringify(c.args.blocks ?? [])}`;
const dmsTo = (name: string) =>
  fake.callsOf('chat.postMessage').filter((c) => c.args.channel === `D0${name.toUpperCase()}`);

async function api(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  onBehalfOf?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${API_TOKEN}`,
      'content-type': 'application/json',
      ...(onBehalfOf ? { 'x-on-behalf-of': `${onBehalfOf}@example.com` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function open(requester: string, title: string, extra: Record<string, unknown> = {}) {
  const r = await api('POST', '/tickets', { requester: `${requester}@example.com`, title, ...extra });
  expect(r.status).toBe(201);
  return r.json.ticket as { number: string; assigneeId: number | null; priority: string; id: number };
}

async function events(number: string) {
  const r = await api('GET', `/tickets/${number}`);
  return r.json.events as Array<{ type: string; to: string | null; data: Record<string, unknown> }>;
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

const personId = async (name: string) => (await app.directory.personByEmail(`${name}@example.com`))?.id;

beforeAll(async () => {
  fake = await startFakeSlackApi();
  for (const n of SLACK_PEOPLE)
    fake.users.set(slackId(n), { id: slackId(n), email: `${n}@example.com`, name: n });
  dir = mkdtempSync(join(tmpdir(), 'chatdesk-agents-day-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`,
    PORT: '0',
    LOG_LEVEL: 'silent',
    TEAMS_ENABLED: 'false',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-agents-day',
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

describe('issue 18: the agents day over Slack', () => {
  it('tells the assignee of a routine ticket in a DM with the card and its buttons, found by email', async () => {
    const t = await open('alice', 'The printer on floor 2 is jammed');
    expect(t.assigneeId).not.toBeNull();
    const agent = await app.directory.personById(t.assigneeId as number);
    const name = agent?.email.split('@')[0] ?? '';
    await app.drain();
    const post = await waitFor(
      () => dmsTo(name).find((c) => textOf(c).includes(t.number)),
      `the DM to ${name}`,
    );
    expect(textOf(post)).toContain('was assigned to');
    expect(textOf(post)).toContain('Claim');
    expect(textOf(post)).toContain('Open thread');
    // The bot had never talked to the agent: Slack found them by email.
    expect(fake.callsOf('users.lookupByEmail').some((c) => c.args.email === agent?.email)).toBe(true);
  });

  it('lets only the ticket group agents (or managers) edit over REST, each edit audited', async () => {
    const t = await open('alice', 'Monitor flickers on the docking station');
    const refused = await api('POST', `/tickets/${t.number}/priority`, { priority: 'P1' }, 'judy');
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.json)).toContain('only its agents');
    const ok = await api('POST', `/tickets/${t.number}/priority`, { priority: 'P1', reason: 'CEO' }, 'ivan');
    expect(ok.status).toBe(200);
    expect((ok.json.ticket as { priority: string }).priority).toBe('P1');
    const pending = await api(
      'POST',
      `/tickets/${t.number}/pending`,
      { reason: 'vendor', note: 'RMA' },
      'heidi',
    );
    expect((pending.json.ticket as { state: string; pendingReason: string }).pendingReason).toBe('vendor');
    const ev = await events(t.number);
    expect(ev.some((e) => e.type === 'priority_changed' && e.to === 'P1')).toBe(true);
    expect(ev.some((e) => e.type === 'state_changed' && e.to === 'pending')).toBe(true);
  });

  it('reassigns to a person and to a group, where dispatch picks an agent and tells them', async () => {
    const t = await open('alice', 'Keyboard keys stuck');
    const toJudy = await api(
      'POST',
      `/tickets/${t.number}/reassign`,
      { assignee: 'judy@example.com', reason: 'she knows this model' },
      'ivan',
    );
    expect(toJudy.status).toBe(200);
    const moved = toJudy.json.ticket as { assigneeId: number; groupId: number };
    expect(moved.assigneeId).toBe(await personId('judy'));
    // judy is not in Workplace: the ticket moved to her group.
    expect(moved.groupId).toBe((await app.directory.groupBySlug('infra'))?.id);
    const back = await api('POST', `/tickets/${t.number}/reassign`, { group: 'workplace' }, 'judy');
    const again = back.json.ticket as { assigneeId: number | null; groupId: number };
    expect(again.groupId).toBe((await app.directory.groupBySlug('workplace'))?.id);
    expect([await personId('ivan'), await personId('heidi')]).toContain(again.assigneeId);
    const ev = await events(t.number);
    expect(ev.filter((e) => e.type === 'assigned' && e.data.manual === true)).toHaveLength(1);
  });

  it('links duplicates, merges, and keeps parent/child free of loops', async () => {
    const a = await open('alice', 'Wifi drops on floor 4');
    const b = await open('erin', 'Wireless keeps disconnecting on the 4th floor');
    const merged = await api('POST', `/tickets/${b.number}/duplicate`, { of: a.number, merge: true }, 'judy');
    expect(merged.status).toBe(200);
    expect((merged.json.duplicate as { state: string }).state).toBe('resolved');
    const view = await api('GET', `/tickets/${a.number}`);
    expect(JSON.stringify(view.json.comments)).toContain(`Merged ${b.number}`);
    const c = await open('alice', 'Wifi on floor 4 access point 7');
    expect((await api('POST', `/tickets/${c.number}/parent`, { parent: a.number }, 'judy')).status).toBe(200);
    const loop = await api('POST', `/tickets/${a.number}/parent`, { parent: c.number }, 'judy');
    expect(loop.status).toBe(400);
    expect((await events(c.number)).some((e) => e.type === 'linked' && e.data.link === 'child_of')).toBe(
      true,
    );
  });

  it('caps an employee own claim of impact at P2 on REST', async () => {
    const r = await api(
      'POST',
      '/tickets',
      { requester: 'alice@example.com', title: 'Printer jammed again', impact: 'high', urgency: 'high' },
      'alice',
    );
    expect(r.status).toBe(201);
    const t = r.json.ticket as { number: string; priority: string };
    expect(t.priority).toBe('P2');
    const created = (await events(t.number)).find((e) => e.type === 'created');
    expect(created?.data.claim).toMatchObject({ impact: 'high', urgency: 'high', capped: 'P1' });
  });

  it('answers `my queue` before the NLU, with the queue sections and row buttons', async () => {
    await dm('heidi', 'my queue');
    const reply = await waitFor(
      () => dmsTo('heidi').find((c) => textOf(c).includes('My open tickets')),
      'the queue reply',
    );
    expect(textOf(reply)).toContain("My groups' unassigned queue");
    expect(textOf(reply)).toContain('Breaching soon');
    expect(textOf(reply)).toMatch(/(Claim|Open) INC\d{7}/);
    // `priority …` is a command, never a new incident.
    const before = (await api('GET', '/tickets?requester=heidi@example.com')).json.tickets as unknown[];
    await dm('heidi', 'priority INC0999999 P1');
    const after = (await api('GET', '/tickets?requester=heidi@example.com')).json.tickets as unknown[];
    expect(after.length).toBe(before.length);
    await waitFor(() => dmsTo('heidi').find((c) => textOf(c).includes('INC0999999')), 'the refusal');
  });

  it('understands the queue asked for in plain words, and resolves by typing: requester told and asked to rate', async () => {
    for (const ask of ["what's assigned to me?", 'show me the urgent ones']) {
      const before = dmsTo('judy').length;
      await dm('judy', ask);
      const reply = await waitFor(() => dmsTo('judy').slice(before).at(-1), `the reply to "${ask}"`);
      expect(textOf(reply), ask).toContain('My open tickets');
    }
    // Bad input: no ticket named, or one that does not exist, gets a specific answer and changes nothing.
    await dm('judy', 'resolve');
    await waitFor(
      () => dmsTo('judy').find((c) => textOf(c).includes('Resolve which ticket?')),
      'the question',
    );
    await dm('judy', 'resolve INC0999999: done');
    await waitFor(
      () => dmsTo('judy').find((c) => textOf(c).includes('There is no ticket INC0999999')),
      'the refusal',
    );
    const t = await open('erin', 'VPN profile will not import', { groupSlug: 'network' });
    const assignee = (await api('GET', `/tickets/${t.number}`)).json.ticket as { assigneeId: number | null };
    const agent = assignee.assigneeId === (await personId('heidi')) ? 'heidi' : 'judy';
    const toErin = dmsTo('erin').length;
    await dm(agent, `resolve ${t.number}: re-issued the VPN profile`);
    await waitFor(
      () => dmsTo(agent).find((c) => textOf(c).includes(`${t.number} is resolved`)),
      'the agent reply',
    );
    // The agent is never asked to rate; the requester is, with what fixed it.
    expect(dmsTo(agent).some((c) => textOf(c).includes('How did we do'))).toBe(false);
    const told = await waitFor(
      () =>
        dmsTo('erin')
          .slice(toErin)
          .find((c) => textOf(c).includes('re-issued the VPN profile')),
      'the requester notice',
    );
    expect(textOf(told)).toMatch(/Rate|rate/);
    const after = (await api('GET', `/tickets/${t.number}`)).json.ticket as { state: string };
    expect(after.state).toBe('resolved');
    expect((await events(t.number)).some((e) => e.type === 'state_changed' && e.to === 'resolved')).toBe(
      true,
    );
  });

  it('assigns tickets that waited while everyone was away when an agent says back', async () => {
    await dm('ivan', 'away');
    await dm('heidi', 'away');
    const t = await open('erin', 'The meeting room phone has no dial tone');
    expect(t.assigneeId).toBeNull();
    await dm('heidi', 'back');
    const reply = await waitFor(
      () => dmsTo('heidi').find((c) => textOf(c).includes(t.number) && textOf(c).includes('Welcome back')),
      'the back reply naming the ticket',
    );
    expect(textOf(reply)).toContain('assigned');
    const view = await api('GET', `/tickets/${t.number}`);
    expect((view.json.ticket as { assigneeId: number }).assigneeId).toBe(await personId('heidi'));
    await dm('ivan', 'back');
  });

  it('re-dispatches after a manual group move through categorize', async () => {
    const t = await open('alice', 'Laptop screen cracked');
    const r = await api('POST', `/tickets/${t.number}/categorize`, { group: 'infra' }, 'ivan');
    expect(r.status).toBe(200);
    expect([await personId('judy'), await personId('mallory')]).toContain(
      (r.json.ticket as { assigneeId: number | null }).assigneeId,
    );
  });

  it('does not take an in-progress ticket from its agent on a resolution breach', async () => {
    const t = await open('alice', 'Docking station not charging');
    const ivan = await app.directory.personByEmail('ivan@example.com');
    if (!ivan) throw new Error('ivan missing');
    const now = app.now().toISOString();
    await app.tickets.claim(t.number, ivan, 'queue', 'test claim', now);
    const later = new Date(Date.parse(now) + 30 * 24 * 3600_000).toISOString();
    await app.itil.sweep(later);
    const view = await api('GET', `/tickets/${t.number}`);
    const after = view.json.ticket as { assigneeId: number; groupId: number; state: string };
    expect(after.assigneeId).toBe(ivan.id);
    expect(after.groupId).toBe((await app.directory.groupBySlug('workplace'))?.id);
    const ev = await events(t.number);
    expect(ev.some((e) => e.type === 'sla_notified' && e.to === 'breach')).toBe(true);
  });

  it('records an undeliverable event when an approver cannot be reached, and tells the agents', async () => {
    // erin's manager maria is in no Slack workspace and never wrote to the bot.
    const t = await open('erin', 'New laptop please', {
      kind: 'service_request',
      templateId: 'laptop-request',
      // REST checks template fields as the chat form does.
      fields: {
        reason: 'New starter',
        model: 'Standard 14"',
        operating_system: 'Linux',
        needed_by: '2030-01-15',
        delivery_location: 'Lyon office',
      },
    });
    await app.itil.sweep(app.now().toISOString());
    const ev = await events(t.number);
    const undeliverable = ev.find((e) => e.type === 'undeliverable');
    expect(undeliverable?.data.personId).toBe(await personId('maria'));
    await app.drain();
    await waitFor(
      () =>
        fake
          .callsOf('chat.postMessage')
          .find((c) => textOf(c).includes("couldn't reach Maria") && textOf(c).includes(t.number)),
      'the agents told',
    );
  });
});
