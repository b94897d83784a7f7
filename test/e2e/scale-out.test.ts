import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { Incoming, Outgoing } from '../../src/chat/message.js';
import { buildTestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { type DeliveryLog, faultyAdapter, newDeliveryLog, rateLimited } from '../support/faulty-port.js';

/**
 * Scale-out: two app instances on ONE database (PostgreSQL when TEST_DATABASE_URL is set, and the
 * same SQLite file otherwise) receive the same inbox events, share the outbox and run the handoff
 * sweep at the same time. Nothing may be processed, delivered or escalated twice.
 */
const SLACK_USERS: Record<string, string> = {
  U_ALICE: 'alice@example.com',
  U_BOB: 'bob@example.com',
  U_CAROL: 'carol@example.com',
  U_DAVE: 'dave@example.com',
};
const USERS = Object.keys(SLACK_USERS);

// Two in-process instances on one SQLite file would deadlock the single JS thread (one instance's
// busy wait blocks the other's open transaction), so SQLite scale-out is covered by the
// two-process test in scale-out-processes.test.ts; this suite needs PostgreSQL.
const database = testDatabases().find((d) => d.name === 'postgres');
if (!database)
  process.stderr.write('scale-out (two in-process instances) skipped: TEST_DATABASE_URL is not set\n');

describe.skipIf(!database)('two instances on one postgres database', () => {
  let a: App;
  let b: App;
  let cleanup: () => Promise<void>;
  const log: DeliveryLog = newDeliveryLog();
  let clock = new Date('2026-03-02T09:30:00.000Z'); // Monday, business hours
  // Some deliveries fail once with a short Retry-After, so retries interleave with fresh leases.
  const flaky = new Set<string>();

  beforeAll(async () => {
    if (!database) return;
    const db = await database.create();
    cleanup = db.cleanup;
    const fault = (m: Outgoing) => {
      const key = `${m.conversation.channelId}|${m.reply.text}`;
      if (m.reply.text.startsWith('fault-once') && !flaky.has(key)) {
        flaky.add(key);
        return rateLimited(1);
      }
      return null;
    };
    const opts = (instance: string) => ({
      serve: false,
      now: () => clock,
      adapters: [faultyAdapter('slack', instance, log, { directory: SLACK_USERS, fault, delayMs: 1 })],
    });
    a = await buildTestApp(db.url, {}, opts('A'));
    b = await buildTestApp(db.url, {}, opts('B'));
  }, 120_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await cleanup?.();
  });

  // One conversation per event, so both instances work in parallel (turns of one conversation run one
  // at a time across instances: scale-out-ordering.test.ts).
  const dm = (user: string, id: string, text: string): Incoming => ({
    kind: 'message',
    id,
    platform: 'slack',
    conversation: {
      platform: 'slack',
      channelId: `D-${user}-${id}`,
      threadId: null,
      isDirect: true,
      workspaceId: 'T1',
    },
    user: { platform: 'slack', platformUserId: user },
    text,
    attachments: [],
    messageId: `${id}-ts`,
    receivedAt: clock.toISOString(),
    via: 'dm',
  });

  const human = (user: string, id: string): Incoming => ({
    kind: 'action',
    id,
    platform: 'slack',
    conversation: {
      platform: 'slack',
      channelId: `D-${user}-${id}`,
      threadId: null,
      isDirect: true,
      workspaceId: 'T1',
    },
    user: { platform: 'slack', platformUserId: user },
    actionId: 'ticket.human',
    value: {},
    sourceMessage: null,
    receivedAt: clock.toISOString(),
  });

  const drainBoth = async () => {
    for (let i = 0; i < 5; i++) await Promise.all([a.drain(), b.drain()]);
  };

  it('processes each inbox event once when both instances receive it (platform retries to another node)', async () => {
    const events: Incoming[] = [];
    for (let i = 0; i < 16; i++) {
      // Every 4th message asks for a person (a ticket and a handoff card), the rest is small talk.
      const user = USERS[Math.floor(i / 4)] ?? 'U_ALICE';
      events.push(i % 4 === 0 ? human(user, `Ev${i}`) : dm(user, `Ev${i}`, 'hello'));
    }
    const results = await Promise.all(events.flatMap((e) => [a.engine.receive(e), b.engine.receive(e)]));
    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(events.length);
    expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(events.length);
    await Promise.all(results.map((r) => r.processed));
    await drainBoth();

    const inbox = await a.db.selectFrom('inbox').select(['dedupe_key', 'status', 'attempts']).execute();
    expect(inbox).toHaveLength(events.length);
    for (const row of inbox) expect(row).toMatchObject({ status: 'done', attempts: 1 });
    const tickets = await a.db.selectFrom('tickets').select('source_key').execute();
    expect(tickets).toHaveLength(4);
    expect(new Set(tickets.map((t) => t.source_key)).size).toBe(4);
    for (const t of await a.db.selectFrom('tickets').select('id').execute()) {
      const created = await a.db
        .selectFrom('ticket_events')
        .select('id')
        .where('ticket_id', '=', t.id)
        .where('type', '=', 'created')
        .execute();
      expect(created).toHaveLength(1);
    }
  });

  it('recovers work a crash left behind exactly once when both instances recover at the same time', async () => {
    const now = clock.toISOString();
    for (let i = 0; i < 10; i++)
      await a.chatStore.accept(dm(USERS[i % USERS.length] ?? 'U_BOB', `Crash${i}`, 'thanks'), now);
    const [ra, rb] = await Promise.all([a.engine.recoverInbox(), b.engine.recoverInbox()]);
    expect(ra + rb).toBeGreaterThanOrEqual(10);
    await drainBoth();
    const rows = await a.db
      .selectFrom('inbox')
      .select(['status', 'attempts'])
      .where('dedupe_key', 'like', 'Crash%')
      .execute();
    expect(rows).toHaveLength(10);
    for (const r of rows) expect(r).toEqual({ status: 'done', attempts: 1 });
  });

  it('delivers every outbox message once, in order per conversation, with both workers racing (and retries in between)', async () => {
    const before = log.deliveries.length;
    const now = clock.toISOString();
    const items = [];
    for (let i = 0; i < 60; i++) {
      const channel = `C-ORDER-${i % 6}`;
      const text = i % 7 === 3 ? `fault-once ${i}` : `ordered ${i}`;
      items.push({
        dedupeKey: `scale:${i}`,
        message: {
          conversation: {
            platform: 'slack' as const,
            channelId: channel,
            threadId: null,
            isDirect: false,
            workspaceId: 'T1',
          },
          reply: { text },
          replyTo: null,
        },
      });
    }
    await a.chatStore.enqueue(items, now);
    // Both workers poll in rounds; retries (Retry-After 1 ms) come due as the clock advances.
    for (let round = 0; round < 40; round++) {
      clock = new Date(clock.getTime() + 5_000);
      await Promise.all([a.outbox.runOnce(), b.outbox.runOnce(), a.outbox.runOnce(), b.outbox.runOnce()]);
      const pending = await a.db
        .selectFrom('outbox')
        .select('id')
        .where('dedupe_key', 'like', 'scale:%')
        .where('status', '=', 'pending')
        .execute();
      if (pending.length === 0) break;
    }
    const mine = log.deliveries
      .slice(before)
      .filter((d) => d.message.conversation.channelId.startsWith('C-ORDER-'));
    const texts = mine.map((d) => d.message.reply.text);
    expect(texts).toHaveLength(60);
    expect(new Set(texts).size).toBe(60);
    for (let c = 0; c < 6; c++) {
      const seq = mine
        .filter((d) => d.message.conversation.channelId === `C-ORDER-${c}`)
        .map((d) => Number(/\d+$/.exec(d.message.reply.text)?.[0]));
      expect(seq).toEqual([...seq].sort((x, y) => x - y));
      expect(seq).toHaveLength(10);
    }
    expect(flaky.size).toBeGreaterThan(0);
    const rows = await a.db
      .selectFrom('outbox')
      .select(['status'])
      .where('dedupe_key', 'like', 'scale:%')
      .execute();
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
  });

  it('never delivers an outbox row twice overall (every delivery matches one sent row)', async () => {
    await drainBoth();
    const sent = await a.db
      .selectFrom('outbox')
      .select(['id', 'message_id'])
      .where('status', '=', 'sent')
      .execute();
    const posts = log.deliveries.filter((d) => !d.message.updateOf);
    const updates = log.deliveries.filter((d) => d.message.updateOf);
    expect(posts.length + updates.length).toBe(sent.length);
    expect(new Set(posts.map((d) => d.messageId)).size).toBe(posts.length);
  });

  it('escalates each unclaimed handoff once when both instances sweep at the same time', async () => {
    const queued = await a.db
      .selectFrom('conversations')
      .select('ticket_id')
      .where('owner', '=', 'queue')
      .where('ticket_id', 'is not', null)
      .execute();
    expect(queued.length).toBeGreaterThanOrEqual(4);
    clock = new Date(clock.getTime() + 48 * 3600_000); // past any response target
    const before = log.deliveries.length;
    const counts = await Promise.all([
      a.engine.sweepHandoffs(),
      b.engine.sweepHandoffs(),
      a.engine.sweepHandoffs(),
      b.engine.sweepHandoffs(),
    ]);
    const total = counts.reduce((x, y) => x + y, 0);
    await drainBoth();
    const escalated = await a.db
      .selectFrom('ticket_events')
      .select(['ticket_id', 'data'])
      .where('type', '=', 'escalated')
      .execute();
    const perTicket = new Map<number, number>();
    for (const e of escalated) perTicket.set(e.ticket_id, (perTicket.get(e.ticket_id) ?? 0) + 1);
    expect(total).toBe(escalated.length);
    expect(perTicket.size).toBe(4);
    for (const n of perTicket.values()) expect(n).toBe(1);
    const sorry = log.deliveries
      .slice(before)
      .filter((d) => /^Sorry for the wait on/.test(d.message.reply.text));
    expect(sorry).toHaveLength(4);
    expect(await Promise.all([a.engine.sweepHandoffs(), b.engine.sweepHandoffs()])).toEqual([0, 0]);
  });

  it('runs the SLA sweep on both instances at once without sending a notice twice', async () => {
    clock = new Date(clock.getTime() + 10 * 24 * 3600_000);
    const before = log.deliveries.length;
    await Promise.all([a.itil.sweep(clock.toISOString()), b.itil.sweep(clock.toISOString())]);
    await drainBoth();
    const notices = await a.db.selectFrom('sla_notifications').select('key').execute();
    expect(new Set(notices.map((n) => n.key)).size).toBe(notices.length);
    const delivered = log.deliveries.slice(before);
    const rows = await a.db
      .selectFrom('outbox')
      .select(['dedupe_key', 'status'])
      .where('created_at', '=', clock.toISOString())
      .execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    // One delivery per stored notice (the idempotency key is the sla_notifications row), none twice.
    expect(delivered).toHaveLength(rows.length);
    await Promise.all([a.itil.sweep(clock.toISOString()), b.itil.sweep(clock.toISOString())]);
    await drainBoth();
    expect(log.deliveries.length).toBe(before + delivered.length);
  });
});
