/**
 * Issue 22 on SQLite and PostgreSQL, with injected hosts, pids and clocks:
 *  - a process start reclaims at once the leases of earlier boots known dead (same host and gone, same
 *    host and pid, same NODE_ID) and leaves a live neighbour's and another host's to expire;
 *  - a provisional person (the platform could not say who wrote) is completed from the profile later:
 *    renamed when the email is new, merged into the existing person otherwise, with everything that
 *    named them (tickets, comments, conversations, knowledge answers) moved over.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../../../src/chat/message.js';
import type { NewOutgoing } from '../../../src/chat/store.js';
import { endBoot, startBoot } from '../../../src/db/boots.js';
import { createChatStore } from '../../../src/db/chat-store.js';
import { type Database, openDatabase } from '../../../src/db/connect.js';
import { migrate } from '../../../src/db/migrate.js';
import { testDatabases } from '../../support/databases.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

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
const reply = (key: string, channel: string): NewOutgoing => ({
  dedupeKey: key,
  message: {
    conversation: {
      platform: 'slack',
      channelId: channel,
      threadId: null,
      isDirect: true,
      workspaceId: 'T1',
    },
    reply: { text: key },
  },
});

for (const kind of testDatabases()) {
  describe(`boots and provisional identities on ${kind.name}`, () => {
    let database: Database | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await database?.close();
      await cleanup?.();
      database = undefined;
    });
    async function fresh() {
      const created = await kind.create();
      cleanup = created.cleanup;
      database = await openDatabase(created.url);
      await migrate(database);
      return database.db;
    }

    it('reclaims at start the leases of dead boots only', async () => {
      const db = await fresh();
      const running = new Set([100, 200, 300]);
      const isAlive = (pid: number) => running.has(pid);
      const boot = (o: { host: string; pid: number; nodeId?: string }) =>
        startBoot(db, { nodeId: o.nodeId ?? null, now: at(0), host: o.host, pid: o.pid, isAlive });
      // Four processes hold a conversation's turn and a reply each.
      const holders = {
        crashed: await boot({ host: 'h1', pid: 100 }), // on h1, gone
        neighbour: await boot({ host: 'h1', pid: 200 }), // on h1, still running
        remote: await boot({ host: 'h2', pid: 100 }), // another host: cannot be judged
        named: await boot({ host: 'h3', pid: 300, nodeId: 'desk-0' }), // NODE_ID, its host gone for good
      };
      for (const [name, b] of Object.entries(holders)) {
        const store = createChatStore(db, { bootId: b.bootId });
        const item = await store.accept(dm(`D-${name}`, `in-${name}`), at(0));
        expect(await store.lease(item.id, at(0), 60_000)).not.toBeNull();
        await store.enqueue([reply(`out-${name}`, `D-${name}`)], at(0));
        expect(await store.leaseDue(at(0), 10, 30_000, ['slack'])).toHaveLength(1);
      }
      // h1's pid 100 dies; the process of desk-0 on h3 too (h3 is gone with it). A restart on h1, as desk-0.
      running.delete(100);
      const restarted = await startBoot(db, {
        nodeId: 'desk-0',
        now: at(1_000),
        host: 'h1',
        pid: 400,
        isAlive,
      });
      expect(restarted.reclaimed).toEqual({ boots: 2, inbox: 2, outbox: 2 });
      const store = createChatStore(db, { bootId: restarted.bootId });
      // Long before the 60 s / 30 s leases expire, the dead holders' work is free; the others' is not.
      expect((await store.pendingInbox(at(2_000), 10)).length).toBe(2);
      const ids = async (name: string) =>
        (
          await db
            .selectFrom('inbox')
            .select('id')
            .where('dedupe_key', '=', `in-${name}`)
            .executeTakeFirstOrThrow()
        ).id;
      for (const name of ['crashed', 'named'])
        expect((await store.lease(await ids(name), at(2_000), 60_000))?.incoming.id).toBe(`in-${name}`);
      for (const name of ['neighbour', 'remote'])
        expect(await store.lease(await ids(name), at(2_000), 60_000)).toBeNull();
      const replies = await store.leaseDue(at(2_000), 10, 30_000, ['slack']);
      expect(replies.map((r) => r.dedupeKey).sort()).toEqual(['out-crashed', 'out-named']);
      // Their holders may have posted them before dying: the next attempt checks first.
      expect(replies.every((r) => r.inDoubt)).toBe(true);
      const left = await db.selectFrom('boots').select('boot_id').execute();
      expect(left.map((b) => b.boot_id).sort()).toEqual(
        [holders.neighbour.bootId, holders.remote.bootId, restarted.bootId].sort(),
      );

      // A container restarted with the same hostname gets the same pid: the earlier boot is not alive.
      const again = await startBoot(db, {
        nodeId: null,
        now: at(3_000),
        host: 'h1',
        pid: 400,
        isAlive: () => true,
      });
      expect(again.reclaimed.boots).toBe(1);
      expect(again.reclaimed.inbox).toBe(2);
      await endBoot(db, again.bootId);
      expect(
        await db.selectFrom('boots').select('boot_id').where('boot_id', '=', again.bootId).execute(),
      ).toEqual([]);
    });

    it('a provisional person becomes the person the profile names: renamed, or merged with all they did', async () => {
      const db = await fresh();
      const store = createChatStore(db, { dialect: kind.name });
      const alice = { platform: 'slack' as const, platformUserId: 'U0ALICE' };
      const newcomer = { platform: 'slack' as const, platformUserId: 'U0NEW' };
      await db
        .insertInto('people')
        .values({
          email: 'alice@example.com',
          display_name: 'Alice',
          role: 'employee',
          manager_id: null,
          time_zone: 'Europe/Berlin',
          capacity: null,
          created_at: at(0),
        })
        .execute();
      const provisional = await store.provisionalPerson(alice, 'slack user U0ALICE', at(0));
      expect(provisional.email).toBe('slack.u0alice@identity-pending.invalid');
      expect(await store.personFor(alice)).toMatchObject({ id: provisional.id, identityPending: true });
      // Idempotent: a second turn during the outage gets the same person.
      expect((await store.provisionalPerson(alice, 'slack user U0ALICE', at(1))).id).toBe(provisional.id);
      // What the provisional person did during the outage.
      const ticket = await db
        .insertInto('tickets')
        .values({
          number: 'INC0000001',
          kind: 'incident',
          title: 'vpn',
          description: 'vpn drops',
          state: 'new',
          pending_reason: null,
          impact: 'low',
          urgency: 'low',
          priority: 'P4',
          category: null,
          template_id: null,
          fields: '{}',
          requester_id: provisional.id,
          group_id: null,
          assignee_id: null,
          channel: 'slack',
          source_key: null,
          version: 1,
          created_at: at(0),
          updated_at: at(0),
          resolved_at: null,
          closed_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('comments')
        .values({
          ticket_id: ticket.id,
          author_id: provisional.id,
          body: 'also at home',
          internal: 0,
          platform: 'slack',
          created_at: at(0),
        })
        .execute();
      const conv = await store.ensureConversation(dm('D0ALICE', 'x').conversation, provisional.id, at(0));
      await store.recordKbAnswer({
        personId: provisional.id,
        articleId: 'kb-vpn',
        query: 'vpn',
        intent: null,
        confidence: null,
        platform: 'slack',
        answeredAt: at(0),
      });
      expect(await store.pendingIdentities(10)).toEqual([{ user: alice, where: conv.ref }]);

      // The profile says alice@example.com, who exists: merged.
      const merged = await store.linkIdentity(alice, 'Alice@Example.com', 'Alice', at(5_000));
      expect(merged.email).toBe('alice@example.com');
      expect(merged.timeZone).toBe('Europe/Berlin');
      expect(await store.personFor(alice)).toMatchObject({ id: merged.id, identityPending: false });
      const ref = async (table: string, col: string) =>
        (await sql<{ p: number }>`select ${sql.ref(col)} as p from ${sql.table(table)}`.execute(db)).rows.map(
          (r) => Number(r.p),
        );
      expect(await ref('tickets', 'requester_id')).toEqual([merged.id]);
      expect(await ref('comments', 'author_id')).toEqual([merged.id]);
      expect(await ref('conversations', 'person_id')).toEqual([merged.id]);
      expect(await ref('kb_answers', 'person_id')).toEqual([merged.id]);
      expect(await db.selectFrom('people').select('id').where('id', '=', provisional.id).execute()).toEqual(
        [],
      );
      expect(await store.pendingIdentities(10)).toEqual([]);

      // Someone new to the desk: the provisional person is simply renamed.
      const temp = await store.provisionalPerson(newcomer, 'slack user U0NEW', at(6_000));
      const renamed = await store.linkIdentity(newcomer, 'new@example.com', 'Nina New', at(7_000));
      expect(renamed).toMatchObject({ id: temp.id, email: 'new@example.com', displayName: 'Nina New' });
      expect(await store.personFor(newcomer)).toMatchObject({ id: temp.id, identityPending: false });
    });
  });
}
