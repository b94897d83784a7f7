import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incoming } from '../../../src/chat/message.js';
import { createChatStore } from '../../../src/db/chat-store.js';
import { type Database, openDatabase } from '../../../src/db/connect.js';
import { createDirectoryStore } from '../../../src/db/directory-store.js';
import { migrate } from '../../../src/db/migrate.js';
import { createTicketStore } from '../../../src/db/ticket-store.js';
import { testDatabases } from '../../support/databases.js';

const NOW = '2026-03-02T10:00:00.000Z';

for (const kind of testDatabases()) {
  describe(`storage on ${kind.name}`, () => {
    let database: Database;
    let cleanup: () => Promise<void>;

    async function fresh() {
      const created = await kind.create();
      cleanup = created.cleanup;
      database = await openDatabase(created.url);
      await migrate(database);
      await database.db
        .insertInto('people')
        .values({
          email: 'alice@example.com',
          display_name: 'Alice',
          role: 'employee',
          manager_id: null,
          time_zone: 'UTC',
          capacity: null,
          created_at: NOW,
        })
        .execute();
      return database;
    }

    afterEach(async () => {
      await database?.close();
      await cleanup?.();
    });

    it('migrates twice without error and creates every table', async () => {
      const d = await fresh();
      expect(await migrate(d)).toEqual([]);
      const count = await d.db
        .selectFrom('people')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(1);
    });

    it("finds a person's direct conversations through an index, not a scan of every conversation", async () => {
      const d = await fresh();
      const indexes =
        kind.name === 'sqlite'
          ? await sql<{ name: string }>`select name from sqlite_master where type = 'index'`.execute(d.db)
          : await sql<{
              name: string;
            }>`select indexname as name from pg_indexes where schemaname = current_schema()`.execute(d.db);
      expect(indexes.rows.map((r) => r.name)).toContain('conversations_person');
      if (kind.name !== 'sqlite') return; // PostgreSQL rightly scans a near-empty table: its plan says nothing here
      const q = d.db
        .selectFrom('conversations')
        .selectAll()
        .where('person_id', '=', 1)
        .where('is_direct', '=', 1)
        .where('thread_id', '=', '')
        .orderBy('updated_at', 'desc')
        .compile();
      const plan = await d.db.executeQuery<{ detail: string }>({
        ...q,
        sql: `explain query plan ${q.sql}`,
      });
      expect(plan.rows.map((r) => r.detail).join('\n')).toContain('USING INDEX conversations_person');
    });

    it('numbers tickets per kind and writes ticket and events in one transaction', async () => {
      const d = await fresh();
      const store = createTicketStore(d.db);
      const base = {
        title: 'VPN drops',
        description: 'vpn drops',
        state: 'new' as const,
        impact: 'medium' as const,
        urgency: 'medium' as const,
        priority: 'P3' as const,
        category: 'network',
        templateId: null,
        fields: {},
        requesterId: 1,
        groupId: null,
        assigneeId: null,
        channel: 'local' as const,
        createdAt: NOW,
        sourceKey: null,
      };
      const a = await store.create({ ...base, kind: 'incident' }, [
        { at: NOW, actorId: 1, type: 'created', to: 'new' },
      ]);
      const b = await store.create({ ...base, kind: 'incident' }, []);
      const r = await store.create({ ...base, kind: 'service_request' }, []);
      expect([a.number, b.number, r.number]).toEqual(['INC0000001', 'INC0000002', 'REQ0000001']);
      expect((await store.events(a.id)).map((e) => [e.seq, e.type])).toEqual([[1, 'created']]);
      expect(await store.version(a.id)).toBe(1);
    });

    it('refuses a stale write (optimistic concurrency) and keeps the log consistent', async () => {
      const d = await fresh();
      const store = createTicketStore(d.db);
      const t = await store.create(
        {
          kind: 'incident',
          title: 't',
          description: 'd',
          state: 'new',
          impact: 'low',
          urgency: 'low',
          priority: 'P4',
          category: null,
          templateId: null,
          fields: {},
          requesterId: 1,
          groupId: null,
          assigneeId: null,
          channel: 'api',
          createdAt: NOW,
          sourceKey: 'k1',
        },
        [{ at: NOW, actorId: 1, type: 'created' }],
      );
      const first = await store.apply(t.id, 1, { state: 'in_progress', updatedAt: NOW }, [
        { at: NOW, actorId: 1, type: 'state_changed', from: 'new', to: 'in_progress' },
      ]);
      const stale = await store.apply(t.id, 1, { state: 'cancelled', updatedAt: NOW }, [
        { at: NOW, actorId: 1, type: 'state_changed', from: 'new', to: 'cancelled' },
      ]);
      expect(first?.state).toBe('in_progress');
      expect(stale).toBeNull();
      expect((await store.byNumber(t.number))?.state).toBe('in_progress');
      expect((await store.events(t.id)).map((e) => e.to)).toEqual([null, 'in_progress']);
      expect((await store.bySourceKey('k1'))?.id).toBe(t.id);
    });

    it('accepts an inbox event once and reports redeliveries as duplicates', async () => {
      const d = await fresh();
      const chat = createChatStore(d.db);
      const msg: Incoming = {
        kind: 'message',
        id: 'Ev1',
        platform: 'slack',
        conversation: {
          platform: 'slack',
          channelId: 'D1',
          threadId: null,
          isDirect: true,
          workspaceId: 'T1',
        },
        user: { platform: 'slack', platformUserId: 'U1' },
        text: 'hi',
        attachments: [],
        messageId: '1.1',
        receivedAt: NOW,
        via: 'dm',
      };
      const first = await chat.accept(msg, NOW);
      const again = await chat.accept(msg, NOW);
      expect(first.duplicate).toBe(false);
      expect(again).toEqual({ id: first.id, duplicate: true });
      const lease = await chat.lease(first.id, NOW, 60_000);
      expect(lease?.incoming).toEqual(msg);
      expect(await chat.lease(first.id, NOW, 60_000)).toBeNull();
      // After the lease expires (a crash), the item is pending work again.
      expect(await chat.pendingInbox('2026-03-02T10:02:00.000Z', 10)).toEqual([first.id]);
      expect(await chat.complete(first.id, lease?.leaseToken ?? '', [], NOW)).not.toBeNull();
      expect(await chat.pendingInbox('2026-03-02T10:02:00.000Z', 10)).toEqual([]);
    });

    it('delivers the outbox in order per channel, once per dedupe key', async () => {
      const d = await fresh();
      const chat = createChatStore(d.db);
      const conv = {
        platform: 'slack' as const,
        channelId: 'D1',
        threadId: null,
        isDirect: true,
        workspaceId: null,
      };
      const other = { ...conv, channelId: 'D2' };
      await chat.enqueue(
        [
          { dedupeKey: 'a', message: { conversation: conv, reply: { text: 'one' } } },
          { dedupeKey: 'b', message: { conversation: conv, reply: { text: 'two' } } },
          { dedupeKey: 'c', message: { conversation: other, reply: { text: 'other' } } },
        ],
        NOW,
      );
      await chat.enqueue(
        [{ dedupeKey: 'a', message: { conversation: conv, reply: { text: 'one again' } } }],
        NOW,
      );
      const batch1 = await chat.leaseDue(NOW, 10, 30_000, ['slack']);
      expect(batch1.map((i) => i.message.reply.text).sort()).toEqual(['one', 'other']);
      expect(await chat.leaseDue(NOW, 10, 30_000, ['slack'])).toEqual([]);
      expect(await chat.leaseDue(NOW, 10, 30_000, ['teams'])).toEqual([]);
      const one = batch1.find((i) => i.message.reply.text === 'one');
      expect(
        await chat.markRetry(one?.id ?? -1, one?.leaseToken ?? '', '429', '2026-03-02T10:00:05.000Z'),
      ).toBe(true);
      // "two" must wait behind "one", even though "one" is not due yet.
      expect(await chat.leaseDue(NOW, 10, 30_000, ['slack'])).toEqual([]);
      const later = await chat.leaseDue('2026-03-02T10:00:06.000Z', 10, 30_000, ['slack']);
      expect(later.map((i) => i.message.reply.text)).toEqual(['one']);
      expect(await chat.markSent(later[0]?.id ?? -1, later[0]?.leaseToken ?? '', 'ts1', NOW)).toBe(true);
      const next = await chat.leaseDue('2026-03-02T10:00:06.000Z', 10, 30_000, ['slack']);
      expect(next.map((i) => i.message.reply.text)).toEqual(['two']);
      expect(await chat.sentMessageId('a')).toBe('ts1');
    });

    it('moves conversation ownership atomically: one of two claims wins', async () => {
      const d = await fresh();
      const chat = createChatStore(d.db);
      const conv = await chat.ensureConversation(
        { platform: 'local', channelId: 'c', threadId: null, isDirect: true, workspaceId: null },
        1,
        NOW,
      );
      await chat.compareAndSetOwner(conv.id, ['bot'], 'queue', NOW);
      const results = await Promise.all([
        chat.compareAndSetOwner(conv.id, ['queue'], 'agent:7', NOW),
        chat.compareAndSetOwner(conv.id, ['queue'], 'agent:8', NOW),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await chat.conversation(conv.ref))?.owner).toMatch(/^agent:[78]$/);
    });

    it('links a Slack and a Teams identity of the same email to one person', async () => {
      const d = await fresh();
      const chat = createChatStore(d.db);
      const a = await chat.linkIdentity(
        { platform: 'slack', platformUserId: 'U1' },
        'Alice@Example.com',
        'Alice',
        NOW,
      );
      const b = await chat.linkIdentity(
        { platform: 'teams', platformUserId: '29:abc' },
        'alice@example.com',
        'Alice',
        NOW,
      );
      expect(a.id).toBe(b.id);
      expect((await chat.personFor({ platform: 'teams', platformUserId: '29:abc' }))?.email).toBe(
        'alice@example.com',
      );
      expect(await createDirectoryStore(d.db).personByEmail('ALICE@example.com')).not.toBeNull();
    });
  });
}
