/**
 * The inbox half of the chat store: events stored once per platform id, their turns leased one at a
 * time per conversation (across processes), completed or released only by the lease's holder.
 */
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { conversationRefOf, type Incoming, type Platform } from '../chat/message.js';
import { type ChatStore, conversationKey, type InboxItem } from '../chat/store.js';
import { insertOutgoing } from './chat-outbox.js';
import { addMs, firstPending, LeaseTaken } from './chat-rows.js';
import { parseJsonColumn } from './json.js';
import type { DB } from './schema.js';
import { createWriteBatcher } from './write-batcher.js';

/**
 * Takes the conversation's lease row for inbox item `id` unless a live lease holds it (the second half
 * of a claim; the inbox row carries the same token). False when someone else's lease is live. A lease
 * is live until it expires or its item no longer carries its token (completed, released, taken over):
 * completing a turn needs no write to this table.
 */
async function claimConversation(
  db: Kysely<DB>,
  c: { key: string; token: string; id: number; until: string; bootId: string; now: string; renew?: string },
): Promise<boolean> {
  const lease = { lease_token: c.token, inbox_id: c.id, locked_until: c.until, boot_id: c.bootId };
  const won = await db
    .insertInto('inbox_leases')
    .values({ conversation_key: c.key, ...lease })
    .onConflict((oc) =>
      oc
        .column('conversation_key')
        .doUpdateSet(lease)
        .where((eb) =>
          eb.or([
            eb('inbox_leases.locked_until', '<', c.now),
            sql<boolean>`not exists (select 1 from inbox as h where h.id = inbox_leases.inbox_id and h.lease_token = inbox_leases.lease_token)`,
            ...(c.renew === undefined ? [] : [eb('inbox_leases.lease_token', '=', c.renew)]),
          ]),
        ),
    )
    .returning('conversation_key')
    .executeTakeFirst();
  return won !== undefined;
}

/**
 * Stores an incoming event once per platform id (see ChatStore.accept). With `lease`, the new item is
 * also claimed when its conversation is free (nothing of it pending, no live lease), in the ack's write
 * batch: the claim needs no commit of its own. A crash between the two statements leaves the item
 * locked until its lease runs out or the next start reclaims it, as a crash during a turn does.
 */
async function acceptInto(
  db: Kysely<DB>,
  incoming: Incoming,
  now: string,
  lease: { leaseMs: number; bootId: string } | undefined,
): Promise<{ id: number; duplicate: boolean; leased?: InboxItem }> {
  const key = conversationKey(conversationRefOf(incoming));
  const token = randomUUID();
  const until = lease ? addMs(now, lease.leaseMs) : null;
  // Claimed in the insert only when nothing of the conversation is pending (its order comes first).
  const free = sql<boolean>`not exists (select 1 from inbox as e where e.conversation_key = ${key} and e.status = 'pending')`;
  const ifFree = (v: string | null) =>
    lease ? sql<string | null>`case when ${free} then ${v} else null end` : null;
  const inserted = await db
    .insertInto('inbox')
    .values({
      platform: incoming.platform,
      dedupe_key: incoming.id,
      payload: JSON.stringify(incoming),
      status: 'pending',
      // A lease is an attempt, as in lease().
      attempts: lease ? sql<number>`case when ${free} then 1 else 0 end` : 0,
      locked_until: ifFree(until),
      lease_token: ifFree(token),
      lease_boot: ifFree(lease?.bootId ?? null),
      last_error: null,
      received_at: now,
      processed_at: null,
      conversation_key: key,
    })
    .onConflict((oc) => oc.columns(['platform', 'dedupe_key']).doNothing())
    .returning(['id', 'lease_token'])
    .executeTakeFirst();
  if (!inserted) {
    const existing = await db
      .selectFrom('inbox')
      .select('id')
      .where('platform', '=', incoming.platform)
      .where('dedupe_key', '=', incoming.id)
      .executeTakeFirstOrThrow();
    return { id: existing.id, duplicate: true };
  }
  const { id } = inserted;
  if (!lease || until === null || inserted.lease_token === null) return { id, duplicate: false };
  if (await claimConversation(db, { key, token, id, until, bootId: lease.bootId, now }))
    return {
      id,
      duplicate: false,
      leased: { id, platform: incoming.platform, incoming, attempts: 1, acceptedAt: now, leaseToken: token },
    };
  // Another process claimed the conversation meanwhile (PostgreSQL): this turn waits for lease().
  await db
    .updateTable('inbox')
    .set({ attempts: 0, locked_until: null, lease_token: null, lease_boot: null })
    .where('id', '=', id)
    .execute();
  return { id, duplicate: false };
}

type InboxPart = Pick<ChatStore, 'accept' | 'lease' | 'complete' | 'release' | 'peekInbox' | 'pendingInbox'>;

/** `bootId` names this process start on every lease it takes (see boots.ts). */
export function createInboxPart(db: Kysely<DB>, bootId: string): InboxPart {
  const writes = createWriteBatcher(db);
  /** The inbox row's conversation, which the claim needs; the claim itself checks the rest. */
  const keyOf = (id: number) =>
    db.selectFrom('inbox').select(['id', 'conversation_key']).where('id', '=', id).executeTakeFirst();

  return {
    // Acks that arrive together share a commit (see write-batcher.ts); each still waits for its own.
    accept: (incoming: Incoming, now, opts = {}) =>
      writes.run((d) =>
        acceptInto(
          d,
          incoming,
          now,
          opts.leaseMs === undefined ? undefined : { leaseMs: opts.leaseMs, bootId },
        ),
      ),

    /*
     * A conversation's turns run one at a time and in arrival order, across processes:
     *  - only the oldest pending item of a conversation may be leased (checked in the UPDATE itself);
     *  - at most one live lease per conversation, held in `inbox_leases` (primary key = conversation).
     * The first rule alone is not enough on PostgreSQL: ids come from a sequence, so an earlier event can
     * commit after a later one, and under READ COMMITTED two claimers can each see no earlier pending
     * event and not the other's uncommitted lease. They cannot both win the upsert of one primary key:
     * `INSERT … ON CONFLICT DO UPDATE … WHERE locked_until < now` locks the conflicting row
     * and re-checks the condition on its newest version, so exactly one gets a row back; the other sees
     * the live lease and backs off. On SQLite the write transaction is exclusive anyway. A table rather
     * than pg_advisory_xact_lock: the same statements run on both databases, and the lease must outlive
     * the claim transaction (the turn runs outside it) and expire on its own when its process dies.
     * A claim locks the lease row, then the inbox row; complete and release write only the inbox row
     * (which frees the lease row), so they cannot deadlock.
     */
    async lease(id, now, leaseMs, opts = {}): Promise<InboxItem | null> {
      // The same conditions read outside a transaction first: most failed claims (item done or leased,
      // an earlier one of its conversation pending) end here without taking a write lock. Without the
      // precheck, the claim needs only the conversation key, which a caller that scheduled by it knows.
      const known = opts.precheck === false ? opts.conversationKey : undefined;
      const head = await (known !== undefined
        ? { conversation_key: known }
        : opts.precheck === false
          ? keyOf(id)
          : db
              .selectFrom('inbox as i')
              .select(['i.id', 'i.conversation_key'])
              .where('i.id', '=', id)
              .where('i.status', '=', 'pending')
              .where((eb) => eb.or([eb('i.locked_until', 'is', null), eb('i.locked_until', '<', now)]))
              .where(firstPending('inbox', 'i'))
              .executeTakeFirst());
      if (!head) return null;
      const key = head.conversation_key;
      const token = randomUUID();
      const until = addMs(now, leaseMs);
      try {
        return await db.transaction().execute(async (trx) => {
          // First statement is a write, so SQLite takes the write lock up front (no upgrade deadlock).
          const { renew } = opts;
          const claim = { token, id, until, bootId, now, ...(renew ? { renew } : {}) };
          if (key !== null && !(await claimConversation(trx, { key, ...claim }))) throw new LeaseTaken();
          const r = await trx
            .updateTable('inbox')
            .set((eb) => ({
              locked_until: until,
              lease_token: token,
              lease_boot: bootId,
              // Renewing the lease taken at accept is no new attempt.
              attempts: eb('attempts', '+', renew ? 0 : 1),
            }))
            .where('id', '=', id)
            .where('status', '=', 'pending')
            .where((eb) =>
              eb.or([
                eb('locked_until', 'is', null),
                eb('locked_until', '<', now),
                ...(renew ? [eb('lease_token', '=', renew)] : []),
              ]),
            )
            .where(firstPending('inbox', 'inbox'))
            .returning(['id', 'platform', 'payload', 'attempts', 'received_at'])
            .executeTakeFirst();
          if (!r) throw new LeaseTaken();
          return {
            id: r.id,
            platform: r.platform as Platform,
            incoming: parseJsonColumn<Incoming>(r.payload, `inbox #${r.id}`),
            attempts: r.attempts,
            acceptedAt: r.received_at,
            leaseToken: token,
          };
        });
      } catch (e) {
        if (e instanceof LeaseTaken) return null;
        throw e;
      }
    },

    // The token alone decides, not the expiry: it is replaced on every lease, so a match means nobody
    // took the item over, and finishing a turn whose lease ran out unnoticed is still correct (and
    // cheaper than redoing it). A mismatch writes nothing, so a stale worker adds no reply.
    async complete(id, leaseToken, replies, now, opts = {}) {
      try {
        return await db.transaction().execute(async (trx) => {
          // The conversation's lease row is free once the item no longer carries its token.
          const res = await trx
            .updateTable('inbox')
            .set({
              status: 'done',
              processed_at: now,
              locked_until: null,
              lease_token: null,
              lease_boot: null,
            })
            .where('id', '=', id)
            .where('status', '=', 'pending')
            .where('lease_token', '=', leaseToken)
            .executeTakeFirst();
          if (Number(res.numUpdatedRows) !== 1) throw new LeaseTaken();
          if (opts.dialog)
            await trx
              .updateTable('conversations')
              .set({ updated_at: now, dialog: JSON.stringify(opts.dialog.dialog) })
              .where('id', '=', opts.dialog.conversationId)
              .execute();
          return insertOutgoing(trx, replies, now, bootId, opts.deliverNow);
        });
      } catch (e) {
        if (e instanceof LeaseTaken) return null;
        throw e;
      }
    },

    async release(id, leaseToken, error, at, failed, notify = []) {
      try {
        return await db.transaction().execute(async (trx) => {
          // As in complete: the conversation's lease row is free once the item no longer carries its token.
          const res = await trx
            .updateTable('inbox')
            .set({
              status: failed ? 'failed' : 'pending',
              last_error: error.slice(0, 2000),
              // Held back until `at`; later items of the conversation wait behind it (order).
              locked_until: failed ? null : at,
              processed_at: failed ? at : null,
              lease_token: null,
              lease_boot: null,
            })
            .where('id', '=', id)
            .where('status', '=', 'pending')
            .where('lease_token', '=', leaseToken)
            .executeTakeFirst();
          if (Number(res.numUpdatedRows) !== 1) throw new LeaseTaken();
          await insertOutgoing(trx, notify, at, bootId);
          return true;
        });
      } catch (e) {
        if (e instanceof LeaseTaken) return false;
        throw e;
      }
    },

    async peekInbox(id) {
      const r = await db
        .selectFrom('inbox')
        .select(['id', 'payload'])
        .where('id', '=', id)
        .executeTakeFirst();
      return r ? parseJsonColumn<Incoming>(r.payload, `inbox #${r.id}`) : null;
    },

    async pendingInbox(now, limit) {
      const rows = await db
        .selectFrom('inbox')
        .select('id')
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },
  };
}
