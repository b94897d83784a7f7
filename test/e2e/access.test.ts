/**
 * Access rules (DESIGN §6) across every entry point of one running server: chat (engine, local
 * channel), card actions (Slack-platform actions through a recording port), the web chat endpoint and
 * the REST API with X-On-Behalf-Of. A requester never reads or changes another's ticket; a non-agent
 * cannot claim or resolve; a non-approver cannot approve.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveredMessage } from '../../src/adapters/local/local-port.js';
import type { App } from '../../src/app.js';
import type { Incoming } from '../../src/chat/message.js';
import { buildTestApp, TEST_API_TOKEN } from '../support/app.js';
import { sqliteDb } from '../support/databases.js';
import { ChatUser, localAdapter, texts } from '../support/local-chat.js';
import { type Recorded, recordingAdapter } from '../support/recording-port.js';

describe('nobody is let in', () => {
  let app: App;
  let cleanup: () => Promise<void>;
  let base = '';
  let local: DeliveredMessage[];
  let slack: Recorded[];
  let aliceTicket = '';
  let n = 0;

  beforeAll(async () => {
    const db = await sqliteDb.create();
    cleanup = db.cleanup;
    const l = localAdapter();
    const s = recordingAdapter('slack', { U_BOB: 'bob@example.com', U_GRACE: 'grace@example.com' });
    local = l.sent;
    slack = s.sent;
    app = await buildTestApp(db.url, {}, { adapters: [l.adapter, s.adapter] });
    base = (await app.listen()).url;
    const r = await fetch(`${base}/api/v1/tickets`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TEST_API_TOKEN}`,
        'content-type': 'application/json',
        'x-on-behalf-of': 'alice@example.com',
      },
      body: JSON.stringify({
        title: 'Secret project laptop broken',
        description: 'confidential: project falcon',
        requester: 'alice@example.com',
        group: 'service-desk',
      }),
    });
    expect(r.status).toBe(201);
    aliceTicket = ((await r.json()) as { ticket: { number: string } }).ticket.number;
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  const eventsOf = async (number: string) => {
    const t = await app.db
      .selectFrom('tickets')
      .select(['id', 'state', 'assignee_id'])
      .where('number', '=', number)
      .executeTakeFirstOrThrow();
    const events = await app.db
      .selectFrom('ticket_events')
      .select(['type', 'actor_id'])
      .where('ticket_id', '=', t.id)
      .execute();
    const comments = await app.db
      .selectFrom('comments')
      .select('body')
      .where('ticket_id', '=', t.id)
      .execute();
    return { state: t.state, assignee: t.assignee_id, events: events.length, comments: comments.length };
  };

  it('chat: another requester cannot see, change, cancel, reopen, rate or add to the ticket', async () => {
    const before = await eventsOf(aliceTicket);
    const bob = new ChatUser(app, local, 'bob@example.com');
    const said: string[] = [];
    for (const line of [
      `status ${aliceTicket}`,
      `add info to ${aliceTicket}: please also delete everything`,
      `cancel ${aliceTicket}`,
      `reopen ${aliceTicket}`,
      `close ${aliceTicket}`,
    ]) {
      said.push(texts(await bob.say(line)));
    }
    for (const [actionId, value] of [
      ['ticket.status', { ticket: aliceTicket }],
      ['ticket.close', { ticket: aliceTicket }],
      ['ticket.cancel', { ticket: aliceTicket }],
      ['ticket.reopen', { ticket: aliceTicket }],
      ['ticket.rate', { ticket: aliceTicket, rating: 1 }],
      ['ticket.add_info', { ticket: aliceTicket, text: 'injected' }],
      ['approval.approve', { ticket: aliceTicket }],
    ] as const) {
      said.push(texts(await bob.act(actionId, value)));
    }
    const all = said.join('\n');
    expect(all).not.toMatch(/Secret project|falcon/i);
    expect(all).not.toMatch(/You approved/);
    expect(await eventsOf(aliceTicket)).toEqual(before);
  });

  it('cards: an employee pressing agent buttons (claim, resolve, escalate, hand back) is refused', async () => {
    const before = await eventsOf(aliceTicket);
    const said: string[] = [];
    for (const actionId of ['agent.claim', 'agent.resolve', 'agent.escalate', 'agent.handback'] as const) {
      const from = slack.length;
      const incoming = {
        kind: 'action',
        id: `access-${++n}`,
        platform: 'slack',
        conversation: {
          platform: 'slack',
          channelId: 'C0SERVICEDESK',
          threadId: null,
          isDirect: false,
          workspaceId: 'T1',
        },
        user: { platform: 'slack', platformUserId: 'U_BOB' },
        actionId,
        value: { ticket: aliceTicket },
        sourceMessage: null,
        receivedAt: new Date().toISOString(),
      } satisfies Incoming;
      await (await app.engine.receive(incoming)).processed;
      await app.drain();
      said.push(
        slack
          .slice(from)
          .map((m) => m.message.reply.text)
          .join(' '),
      );
    }
    for (const s of said) expect(s).toMatch(/only|agents|not allowed|can't|cannot|no ticket/i);
    expect(said.join('\n')).not.toMatch(/claimed|is resolved/);
    expect(await eventsOf(aliceTicket)).toEqual(before);
  });

  const rest = (path: string, init: RequestInit & { as?: string } = {}) =>
    fetch(`${base}/api/v1${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${TEST_API_TOKEN}`,
        'content-type': 'application/json',
        ...(init.as ? { 'x-on-behalf-of': init.as } : {}),
        ...(init.headers as Record<string, string> | undefined),
      },
    });

  it('REST: X-On-Behalf-Of an employee sees only their own tickets and cannot act on others', async () => {
    const before = await eventsOf(aliceTicket);
    const read = await rest(`/tickets/${aliceTicket}`, { as: 'bob@example.com' });
    expect(read.status).toBe(404);
    expect(await read.text()).not.toMatch(/falcon|Secret project/);
    expect((await rest('/tickets?requester=alice@example.com', { as: 'bob@example.com' })).status).toBe(403);
    const list = (await (await rest('/tickets', { as: 'bob@example.com' })).json()) as {
      tickets: Array<{ requesterId: number }>;
    };
    const bob = await app.directory.personByEmail('bob@example.com');
    expect(list.tickets.every((t) => t.requesterId === bob?.id)).toBe(true);
    for (const to of ['cancelled', 'resolved', 'in_progress', 'closed']) {
      const r = await rest(`/tickets/${aliceTicket}/transitions`, {
        method: 'POST',
        as: 'bob@example.com',
        body: JSON.stringify({ to }),
      });
      expect([403, 404]).toContain(r.status);
    }
    const c = await rest(`/tickets/${aliceTicket}/comments`, {
      method: 'POST',
      as: 'bob@example.com',
      body: JSON.stringify({ body: 'hi' }),
    });
    expect([403, 404]).toContain(c.status);
    const forOther = await rest('/tickets', {
      method: 'POST',
      as: 'bob@example.com',
      body: JSON.stringify({ title: 'x', requester: 'alice@example.com' }),
    });
    expect(forOther.status).toBe(403);
    expect(await eventsOf(aliceTicket)).toEqual(before);
  });

  it('REST: a requester cannot move their own ticket to agent-only states; an unknown or missing identity is refused', async () => {
    const before = await eventsOf(aliceTicket);
    const r = await rest(`/tickets/${aliceTicket}/transitions`, {
      method: 'POST',
      as: 'alice@example.com',
      body: JSON.stringify({ to: 'in_progress' }),
    });
    expect(r.status).toBe(403);
    expect((await rest('/tickets', { as: 'nobody@example.com' })).status).toBe(403);
    expect((await fetch(`${base}/api/v1/tickets`)).status).toBe(401);
    expect(
      (await fetch(`${base}/api/v1/tickets`, { headers: { authorization: 'Bearer wrong-token' } })).status,
    ).toBe(401);
    expect(
      (await fetch(`${base}/api/v1/tickets`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}x` } }))
        .status,
    ).toBe(401);
    expect(await eventsOf(aliceTicket)).toEqual(before);
  });

  it('web chat: posting as another user cannot reveal their ticket to a third person', async () => {
    const r = await fetch(`${base}/chat/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'carol@example.com', text: `status ${aliceTicket}` }),
    });
    expect(r.status).toBe(200);
    expect(await r.text()).not.toMatch(/falcon|Secret project/);
  });

  it('an agent of the group can still claim it (the refusals above are not a broken button)', async () => {
    const from = slack.length;
    await (
      await app.engine.receive({
        kind: 'action',
        id: `access-${++n}`,
        platform: 'slack',
        conversation: {
          platform: 'slack',
          channelId: 'C0SERVICEDESK',
          threadId: null,
          isDirect: false,
          workspaceId: 'T1',
        },
        user: { platform: 'slack', platformUserId: 'U_GRACE' },
        actionId: 'agent.claim',
        value: { ticket: aliceTicket },
        sourceMessage: null,
        receivedAt: new Date().toISOString(),
      })
    ).processed;
    await app.drain();
    expect(
      slack
        .slice(from)
        .map((m) => m.message.reply.text)
        .join('\n'),
    ).not.toMatch(/only its agents|not allowed/);
    const grace = await app.directory.personByEmail('grace@example.com');
    expect((await eventsOf(aliceTicket)).assignee).toBe(grace?.id);
  });
});
