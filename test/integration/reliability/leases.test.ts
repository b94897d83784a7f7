/**
 * Leases across processes (issue 9), with an injected clock: a conversation's turns are leased one at
 * a time and in arrival order, a dead process's conversation is taken over after the lease timeout,
 * and a worker whose lease ran out and was taken over (a long GC pause) records nothing — no second
 * reply, no overwritten outcome. SQLite and PostgreSQL; the concurrent-claim race needs PostgreSQL
 * (two connections in one process on one SQLite file would block each other's thread).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type {
  ChatPort,
  ConversationRef,
  Incoming,
  IncomingMessage,
  Outgoing,
} from '../../../src/chat/message.js';
import type { NewOutgoing } from '../../../src/chat/store.js';
import { createChatStore } from '../../../src/db/chat-store.js';
import { type Database, openDatabase } from '../../../src/db/connect.js';
import { migrate } from '../../../src/db/migrate.js';
import { createOutboxWorker } from '../../../src/jobs/outbox.js';
import { createLogger } from '../../../src/log.js';
import { buildTestApp } from '../../support/app.js';
import { testDatabases } from '../../support/databases.js';
import { faultyAdapter, newDeliveryLog } from '../../support/faulty-port.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const LEASE_MS = 60_000;

const dm = (channel: string, id: string): IncomingMessage => ({
  kind: 'message',
  id,
  platform: 'slack',
  conversation: { platform: 'slack', channelId: channel, threadId: null, isDirect: true, workspaceId: 'T1' },
  user: { platform: 'slack', platformUserId: 'U1' },
  text: `message ${id}`,
  attachments: [],
  messageId: `${id}.ts`,
  receivedAt: at(0),
  via: 'dm',
});

const reply = (key: string, channel: string, text: string): NewOutgoing => ({
  dedupeKey: key,
  message: {
    conversation: {
      platform: 'slack',
      channelId: channel,
      threadId: null,
      isDirect: true,
      workspaceId: 'T1',
    },
    reply: { text },
  },
});

for (const kind of testDatabases()) {
  describe(`leases on ${kind.name}`, () => {
    const opened: Database[] = [];
    let cleanup: (() => Promise<void>) | undefined;

    async function fresh() {
      const created = await kind.create();
      cleanup = created.cleanup;
      const database = await openDatabase(created.url);
      opened.push(database);
      await migrate(database);
      return { database, url: created.url, store: createChatStore(database.db) };
    }

    afterEach(async () => {
      for (const d of opened.splice(0)) await d.close();
      await cleanup?.();
      cleanup = undefined;
    });

    it("leases a conversation's turns one at a time and in arrival order; other conversations run meanwhile", async () => {
      const { store } = await fresh();
      const a1 = await store.accept(dm('D-A', 'a1'), at(0));
      const a2 = await store.accept(dm('D-A', 'a2'), at(0));
      const b1 = await store.accept(dm('D-B', 'b1'), at(0));
      // A top-level channel message starts its own thread, so it is a conversation of its own.
      const channel = (id: string): Incoming => ({
        ...dm('C-GEN', id),
        conversation: {
          platform: 'slack',
          channelId: 'C-GEN',
          threadId: null,
          isDirect: false,
          workspaceId: 'T1',
        },
        via: 'mention',
      });
      const c1 = await store.accept(channel('c1'), at(0));
      const c2 = await store.accept(channel('c2'), at(0));

      expect(await store.lease(a2.id, at(1), LEASE_MS)).toBeNull(); // a1 is pending before it
      const first = await store.lease(a1.id, at(1), LEASE_MS);
      expect(first?.incoming.id).toBe('a1');
      expect(await store.lease(a1.id, at(2), LEASE_MS)).toBeNull();
      expect(await store.lease(a2.id, at(2), LEASE_MS)).toBeNull(); // a1's turn is running
      expect((await store.lease(b1.id, at(2), LEASE_MS))?.incoming.id).toBe('b1');
      expect((await store.lease(c2.id, at(2), LEASE_MS))?.incoming.id).toBe('c2');
      expect((await store.lease(c1.id, at(2), LEASE_MS))?.incoming.id).toBe('c1');

      expect(
        await store.complete(a1.id, first?.leaseToken ?? '', [reply('r-a1', 'D-A', 'one')], at(3)),
      ).not.toBeNull();
      const second = await store.lease(a2.id, at(4), LEASE_MS);
      expect(second).toMatchObject({ incoming: { id: 'a2' }, attempts: 1 });
      expect(second?.leaseToken).not.toBe(first?.leaseToken);
    });

    it('claims a new event with its accept only when its conversation is free; a claim renewed counts no new attempt', async () => {
      const { store } = await fresh();
      const claim = { leaseMs: LEASE_MS };
      const a1 = await store.accept(dm('D-A', 'a1'), at(0), claim);
      expect(a1.leased).toMatchObject({ id: a1.id, incoming: { id: 'a1' }, attempts: 1 });
      // Nothing more to take: the claim holds the item and its conversation.
      expect(await store.lease(a1.id, at(1), LEASE_MS)).toBeNull();
      // a1 is pending: a2 waits, unclaimed, and cannot be leased before a1 is done.
      const a2 = await store.accept(dm('D-A', 'a2'), at(1), claim);
      expect(a2.leased).toBeUndefined();
      expect(await store.lease(a2.id, at(2), LEASE_MS, { precheck: false })).toBeNull();
      // Another conversation is claimed meanwhile; a redelivery is a duplicate and claims nothing.
      expect((await store.accept(dm('D-B', 'b1'), at(2), claim)).leased?.incoming.id).toBe('b1');
      expect(await store.accept(dm('D-A', 'a1'), at(2), claim)).toEqual({ id: a1.id, duplicate: true });

      // Renewed by its holder (the turn waited for a slot): a new token, the same attempt.
      const renewed = await store.lease(a1.id, at(3), LEASE_MS, {
        precheck: false,
        renew: a1.leased?.leaseToken as string,
      });
      expect(renewed).toMatchObject({ incoming: { id: 'a1' }, attempts: 1 });
      expect(renewed?.leaseToken).not.toBe(a1.leased?.leaseToken);
      // The old token finishes nothing; the renewed one does, and frees the conversation for a2.
      expect(await store.complete(a1.id, a1.leased?.leaseToken as string, [], at(4))).toBeNull();
      expect(await store.complete(a1.id, renewed?.leaseToken as string, [], at(4))).not.toBeNull();
      expect(await store.lease(a2.id, at(5), LEASE_MS, { precheck: false })).toMatchObject({
        incoming: { id: 'a2' },
        attempts: 1,
      });
    });

    it('completing a turn saves its dialog and leases to the caller only replies first in line in their channel', async () => {
      const { database, store } = await fresh();
      const conv = await store.ensureConversation(dm('D-A', 'x').conversation, null, at(0));
      // D-B has an older reply still waiting (a retry): its new replies must queue behind it.
      await store.enqueue([reply('old-b', 'D-B', 'older')], at(0));
      const a1 = await store.accept(dm('D-A', 'a1'), at(0));
      const item = await store.lease(a1.id, at(1), LEASE_MS);
      const deliverNow = { platforms: ['slack' as const], leaseMs: 30_000 };
      const leased = await store.complete(
        a1.id,
        item?.leaseToken ?? '',
        [
          reply('a1:0', 'D-A', 'first in D-A'),
          reply('a1:1', 'D-A', 'second in D-A'),
          reply('a1:2', 'D-B', 'behind the older one'),
          reply('a1:3', 'D-C', 'first in D-C'),
        ],
        at(2),
        { dialog: { conversationId: conv.id, dialog: { kind: 'kb', query: 'vpn' } }, deliverNow },
      );
      expect(leased?.map((o) => o.message.reply.text)).toEqual(['first in D-A', 'first in D-C']);
      expect(leased?.every((o) => o.leasedUntil === at(30_002) && o.attempts === 0)).toBe(true);
      // The poller does not take what is leased, and keeps each channel's order for the rest.
      const polled = await store.leaseDue(at(3), 10, 30_000, ['slack']);
      expect(polled.map((o) => o.message.reply.text)).toEqual(['older']);
      expect((await store.conversation(conv.ref))?.dialog).toEqual({ kind: 'kb', query: 'vpn' });
      // A reply queued before (a retried turn re-emitting it) is not leased twice.
      const a2 = await store.accept(dm('D-E', 'a2'), at(4));
      const item2 = await store.lease(a2.id, at(4), LEASE_MS);
      await store.enqueue([reply('a2:0', 'D-E', 'queued by an earlier attempt')], at(4));
      await database.db
        .updateTable('outbox')
        .set({ status: 'sent' })
        .where('dedupe_key', '=', 'a2:0')
        .execute();
      const again = await store.complete(
        a2.id,
        item2?.leaseToken ?? '',
        [reply('a2:0', 'D-E', 'again')],
        at(5),
        {
          deliverNow,
        },
      );
      expect(again).toEqual([]);
    });

    it("takes over a dead process's conversation after the lease timeout, and only then", async () => {
      const { store } = await fresh();
      const a1 = await store.accept(dm('D-A', 'a1'), at(0));
      const a2 = await store.accept(dm('D-A', 'a2'), at(0));
      const dead = await store.lease(a1.id, at(0), LEASE_MS);
      expect(dead).not.toBeNull();
      // The process that holds the lease dies: nobody gets the conversation until the lease expires.
      expect(await store.lease(a1.id, at(LEASE_MS - 1), LEASE_MS)).toBeNull();
      expect(await store.lease(a2.id, at(LEASE_MS + 1), LEASE_MS)).toBeNull(); // still in order: a1 first
      expect(await store.pendingInbox(at(LEASE_MS + 1), 10)).toEqual([a1.id, a2.id]);
      const taken = await store.lease(a1.id, at(LEASE_MS + 1), LEASE_MS);
      expect(taken).toMatchObject({ incoming: { id: 'a1' }, attempts: 2 });
      expect(await store.complete(a1.id, taken?.leaseToken ?? '', [], at(LEASE_MS + 2))).not.toBeNull();
      expect((await store.lease(a2.id, at(LEASE_MS + 3), LEASE_MS))?.incoming.id).toBe('a2');
    });

    it('a stale completion (lease expired and taken over) writes nothing; the new holder completes once', async () => {
      const { database, store } = await fresh();
      const a1 = await store.accept(dm('D-A', 'a1'), at(0));
      const paused = await store.lease(a1.id, at(0), LEASE_MS);
      // A long pause: the lease runs out and another process takes the turn over and finishes it.
      const other = await store.lease(a1.id, at(LEASE_MS + 5_000), LEASE_MS);
      expect(other).not.toBeNull();
      expect(
        await store.complete(
          a1.id,
          other?.leaseToken ?? '',
          [reply('slack:a1:0', 'D-A', 'from B')],
          at(LEASE_MS + 6_000),
        ),
      ).not.toBeNull();
      // The paused process wakes up with the same turn's replies (same dedupe key) and one of its own.
      expect(
        await store.complete(
          a1.id,
          paused?.leaseToken ?? '',
          [reply('slack:a1:0', 'D-A', 'from A'), reply('slack:a1:1', 'D-A', 'extra from A')],
          at(LEASE_MS + 7_000),
        ),
      ).toBeNull();
      expect(
        await store.release(a1.id, paused?.leaseToken ?? '', 'late failure', at(LEASE_MS + 8_000), true),
      ).toBe(false);
      const outbox = await database.db.selectFrom('outbox').select(['dedupe_key', 'payload']).execute();
      expect(outbox.map((o) => o.dedupe_key)).toEqual(['slack:a1:0']);
      expect(outbox[0]?.payload).toContain('from B');
      const row = await database.db
        .selectFrom('inbox')
        .select(['status', 'attempts', 'processed_at'])
        .where('id', '=', a1.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'done', attempts: 2, processed_at: at(LEASE_MS + 6_000) });
    });

    it('a turn that failed holds later turns of its conversation back until it is retried and done', async () => {
      const { store } = await fresh();
      const a1 = await store.accept(dm('D-A', 'a1'), at(0));
      const a2 = await store.accept(dm('D-A', 'a2'), at(0));
      const first = await store.lease(a1.id, at(0), LEASE_MS);
      expect(await store.release(a1.id, first?.leaseToken ?? '', 'directory down', at(2_000), false)).toBe(
        true,
      );
      // The conversation is free, but a1 is still pending before a2 (and held back until 2 s).
      expect(await store.lease(a2.id, at(1_000), LEASE_MS)).toBeNull();
      expect(await store.lease(a1.id, at(1_000), LEASE_MS)).toBeNull();
      const retry = await store.lease(a1.id, at(2_001), LEASE_MS);
      expect(retry).toMatchObject({ attempts: 2 });
      expect(await store.complete(a1.id, retry?.leaseToken ?? '', [], at(2_002))).not.toBeNull();
      expect((await store.lease(a2.id, at(2_003), LEASE_MS))?.incoming.id).toBe('a2');
    });

    it('an outbox worker that stalled past its lease neither posts nor records; the message goes out once', async () => {
      const { database, store } = await fresh();
      await store.enqueue([reply('o1', 'D-A', 'hello once'), reply('o2', 'D-A', 'then this')], at(0));
      let clock = T0;
      const posted: Array<{ worker: string; text: string }> = [];
      const warnings: string[] = [];
      const log = createLogger({ level: 'warn', write: (line) => warnings.push(line) });
      let stall: (() => Promise<void>) | null = null;
      const port = (worker: string): ChatPort => ({
        platform: 'slack',
        async deliver(message: Outgoing) {
          // Worker A pauses mid-post (after the HTTP call left) long enough for its lease to run out.
          if (worker === 'A' && stall) {
            const s = stall;
            stall = null;
            await s();
          }
          posted.push({ worker, text: message.reply.text });
          return { messageId: `${worker}-${posted.length}` };
        },
        lookupUser: async () => null,
        openDirect: async (_u, ref: ConversationRef) => ref,
      });
      const worker = (name: string) =>
        createOutboxWorker({
          store,
          ports: () => port(name),
          platforms: () => ['slack'],
          log,
          now: () => new Date(clock),
          leaseMs: 30_000,
        });
      const a = worker('A');
      const b = worker('B');
      stall = async () => {
        clock += 31_000;
        await b.runOnce(); // B leases the same message and posts it
      };
      const ra = await a.runOnce();
      // A's request was in flight when its lease ran out (the platform has no idempotency key, so that
      // post cannot be taken back), but A records nothing: B's outcome stands, and B went on in order.
      expect(ra).toEqual({ sent: 0, retried: 0, dead: 0 });
      expect(posted.filter((p) => p.worker === 'B').map((p) => p.text)).toEqual(['hello once', 'then this']);
      const rows = await database.db
        .selectFrom('outbox')
        .select(['dedupe_key', 'status', 'message_id', 'attempts'])
        .orderBy('id')
        .execute();
      expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
      expect(rows[0]).toMatchObject({ dedupe_key: 'o1', attempts: 1 });
      expect(rows[0]?.message_id).toMatch(/^B-/);
      expect(warnings.join('\n')).toMatch(/outbox lease lost before the delivery was recorded/);

      // A worker whose lease ran out before it posted does not post at all.
      await store.enqueue([reply('o3', 'D-B', 'exactly once')], at(40_000));
      clock = T0 + 40_000;
      const leased = await store.leaseDue(at(40_000), 10, 30_000, ['slack']);
      expect(leased).toHaveLength(1);
      clock = T0 + 71_000; // the stall happened between leasing and posting
      const lateWorker = createOutboxWorker({
        store: { ...store, leaseDue: async () => leased.splice(0) },
        ports: () => port('A'),
        platforms: () => ['slack'],
        log,
        now: () => new Date(clock),
      });
      await lateWorker.runOnce();
      await b.runOnce();
      expect(posted.filter((p) => p.text === 'exactly once')).toEqual([
        { worker: 'B', text: 'exactly once' },
      ]);
      expect(warnings.join('\n')).toMatch(/outbox lease lost before delivery/);
    });

    it('a turn that stalls past its lease and is taken over adds no reply of its own (engine)', async () => {
      const created = await kind.create();
      cleanup = created.cleanup;
      let clock = Date.parse('2026-03-02T09:30:00.000Z');
      const lines: string[] = [];
      const app = await buildTestApp(
        created.url,
        {},
        {
          serve: false,
          now: () => new Date(clock),
          log: createLogger({ level: 'warn', write: (line) => lines.push(line) }),
          adapters: [
            faultyAdapter('slack', 'A', newDeliveryLog(), { directory: { U_ALICE: 'alice@example.com' } }),
          ],
        },
      );
      try {
        app.engine.registerActionHandler('choice', async ({ action }) => {
          // A long GC pause mid-turn: the lease runs out, another process takes the turn over and finishes.
          clock += LEASE_MS + 1_000;
          const row = await app.db
            .selectFrom('inbox')
            .select('id')
            .where('dedupe_key', '=', action.id)
            .executeTakeFirstOrThrow();
          const nowIso = new Date(clock).toISOString();
          const other = await app.chatStore.lease(row.id, nowIso, LEASE_MS);
          if (!other) throw new Error('the other process could not take the turn over');
          await app.chatStore.complete(
            row.id,
            other.leaseToken,
            [reply(`slack:${action.id}:0`, 'D-U_ALICE', 'reply of the process that took over')],
            nowIso,
          );
          return [{ reply: { text: 'reply of the stalled turn' } }];
        });
        const r = await app.engine.receive({
          kind: 'action',
          id: 'stall-1',
          platform: 'slack',
          conversation: {
            platform: 'slack',
            channelId: 'D-U_ALICE',
            threadId: null,
            isDirect: true,
            workspaceId: 'T1',
          },
          user: { platform: 'slack', platformUserId: 'U_ALICE' },
          actionId: 'choice',
          value: {},
          sourceMessage: null,
          receivedAt: new Date(clock).toISOString(),
        });
        await r.processed;
        const inbox = await app.db
          .selectFrom('inbox')
          .select(['status', 'attempts'])
          .where('dedupe_key', '=', 'stall-1')
          .executeTakeFirstOrThrow();
        expect(inbox).toEqual({ status: 'done', attempts: 2 });
        const replies = await app.db
          .selectFrom('outbox')
          .select('payload')
          .where('dedupe_key', 'like', 'slack:stall-1:%')
          .execute();
        expect(replies).toHaveLength(1);
        expect(replies[0]?.payload).toContain('reply of the process that took over');
        expect(lines.join('\n')).toMatch(/inbox lease lost before the turn finished/);
      } finally {
        await app.close();
      }
    });

    it('a turn that waited long for a slot renews the claim its accept took, as the same attempt (engine)', async () => {
      const created = await kind.create();
      cleanup = created.cleanup;
      let clock = Date.parse('2026-03-02T09:30:00.000Z');
      const app = await buildTestApp(
        created.url,
        // Holds the turn back (real time) so the clock can move between accept and turn.
        { TEST_TURN_DELAY_MS: '200' },
        {
          serve: false,
          now: () => new Date(clock),
          adapters: [
            faultyAdapter('slack', 'A', newDeliveryLog(), { directory: { U_ALICE: 'alice@example.com' } }),
          ],
        },
      );
      try {
        let heldUntil: string | null = null;
        app.engine.registerActionHandler('choice', async ({ action }) => {
          const row = await app.db
            .selectFrom('inbox')
            .select('locked_until')
            .where('dedupe_key', '=', action.id)
            .executeTakeFirstOrThrow();
          heldUntil = row.locked_until;
          return [{ reply: { text: 'done after the wait' } }];
        });
        const acceptedAt = clock;
        const r = await app.engine.receive({
          kind: 'action',
          id: 'wait-1',
          platform: 'slack',
          conversation: {
            platform: 'slack',
            channelId: 'D-U_ALICE',
            threadId: null,
            isDirect: true,
            workspaceId: 'T1',
          },
          user: { platform: 'slack', platformUserId: 'U_ALICE' },
          actionId: 'choice',
          value: {},
          sourceMessage: null,
          receivedAt: new Date(clock).toISOString(),
        });
        expect(
          await app.db
            .selectFrom('inbox')
            .select(['attempts', 'locked_until'])
            .where('dedupe_key', '=', 'wait-1')
            .executeTakeFirstOrThrow(),
        ).toEqual({ attempts: 1, locked_until: new Date(acceptedAt + LEASE_MS).toISOString() });
        clock += LEASE_MS / 2;
        await r.processed;
        // The turn ran on a lease renewed when it started, not on the half-spent one.
        expect(heldUntil).toBe(new Date(clock + LEASE_MS).toISOString());
        expect(
          await app.db
            .selectFrom('inbox')
            .select(['status', 'attempts'])
            .where('dedupe_key', '=', 'wait-1')
            .executeTakeFirstOrThrow(),
        ).toEqual({ status: 'done', attempts: 1 });
        const replies = await app.db
          .selectFrom('outbox')
          .select('payload')
          .where('dedupe_key', 'like', 'slack:wait-1:%')
          .execute();
        expect(replies.map((x) => x.payload)).toEqual([expect.stringContaining('done after the wait')]);
      } finally {
        await app.close();
      }
    });

    it.skipIf(kind.name !== 'postgres')(
      'claims racing from two connection pools never give one conversation two live leases',
      async () => {
        const { url, store } = await fresh();
        const other = await openDatabase(url);
        opened.push(other);
        const stores = [store, createChatStore(other.db)];
        const ids: number[] = [];
        for (let i = 0; i < 6; i++) ids.push((await store.accept(dm('D-RACE', `race-${i}`), at(0))).id);
        const order: string[] = [];
        for (let round = 0; round < ids.length; round++) {
          const now = at(1_000 * (round + 1));
          // Every pending item of the conversation, claimed from both pools at once, twice over.
          const claims = await Promise.all(
            [...ids, ...ids].flatMap((id) => stores.map((s) => s.lease(id, now, LEASE_MS))),
          );
          const won = claims.filter((c) => c !== null);
          expect(won).toHaveLength(1);
          const item = won[0];
          if (!item) throw new Error('no claim won');
          order.push(item.incoming.id);
          expect(await store.complete(item.id, item.leaseToken, [], now)).not.toBeNull();
        }
        expect(order).toEqual(ids.map((_, i) => `race-${i}`));
      },
    );

    it.skipIf(kind.name !== 'postgres')(
      'an earlier event that commits after a later one waits for the later turn (one lease per conversation)',
      async () => {
        const { database, store } = await fresh();
        // Two processes accept two events of one conversation at the same time: the earlier id commits last.
        let commit: () => void = () => undefined;
        const held = new Promise<void>((resolve) => {
          commit = resolve;
        });
        let earlierId = 0;
        let inserted: () => void = () => undefined;
        const insertedP = new Promise<void>((resolve) => {
          inserted = resolve;
        });
        const slowAccept = database.db.transaction().execute(async (trx) => {
          earlierId = (await createChatStore(trx).accept(dm('D-SKEW', 'skew-1'), at(0))).id;
          inserted();
          await held;
        });
        await insertedP;
        const later = await store.accept(dm('D-SKEW', 'skew-2'), at(0));
        expect(later.id).toBeGreaterThan(earlierId);
        const running = await store.lease(later.id, at(1), LEASE_MS);
        expect(running?.incoming.id).toBe('skew-2');
        commit();
        await slowAccept;
        // The earlier event is now the oldest pending one, but the conversation's turn is running.
        expect(await store.lease(earlierId, at(2), LEASE_MS)).toBeNull();
        expect(await store.complete(later.id, running?.leaseToken ?? '', [], at(3))).not.toBeNull();
        expect((await store.lease(earlierId, at(4), LEASE_MS))?.incoming.id).toBe('skew-1');
      },
    );
  });
}
