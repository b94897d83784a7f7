import { randomUUID } from 'node:crypto';
import { type Kysely, type SqlBool, sql } from 'kysely';
import {
  type ConversationRef,
  conversationRefOf,
  type Incoming,
  type Outgoing,
  type Platform,
} from '../chat/message.js';
import {
  type ChatStore,
  type Conversation,
  type ConversationRole,
  conversationKey,
  type InboxItem,
  type NewOutgoing,
  type OutboxItem,
} from '../chat/store.js';
import type { ConversationOwner } from '../itsm/types.js';
import { toPerson } from './directory-store.js';
import { parseJsonColumn } from './json.js';
import type { ConversationRow, DB, OutboxRow } from './schema.js';
import { createWriteBatcher } from './write-batcher.js';

interface StoredOutgoing {
  message: Outgoing;
  bindTicketId: number | null;
  bindRole?: ConversationRole;
}

function toConversation(r: ConversationRow): Conversation {
  return {
    id: r.id,
    ref: {
      platform: r.platform as Platform,
      channelId: r.channel_id,
      threadId: r.thread_id === '' ? null : r.thread_id,
      isDirect: r.is_direct === 1,
      workspaceId: r.workspace_id,
      serviceUrl: r.service_url,
      isPublic: r.is_public === 1,
    },
    role: r.role,
    personId: r.person_id,
    ticketId: r.ticket_id,
    owner: r.owner as ConversationOwner,
    dialog: parseJsonColumn<Record<string, unknown>>(r.dialog, `conversations.dialog #${r.id}`),
    updatedAt: r.updated_at,
  };
}

const addMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/** Outbox order is kept per platform channel: a thread reply never overtakes the card it answers. */
const channelKey = (ref: ConversationRef) => `${ref.platform}:${ref.channelId}`;

/**
 * No earlier pending row of the same conversation (inbox) or channel (outbox) than the row `outer`
 * names: each conversation's items are worked one at a time, in order.
 */
const firstPending = (table: 'inbox' | 'outbox', outer: string) =>
  sql<SqlBool>`not exists (select 1 from ${sql.table(table)} as e where e.conversation_key = ${sql.ref(`${outer}.conversation_key`)} and e.status = 'pending' and e.id < ${sql.ref(`${outer}.id`)})`;

/** Thrown inside a claim transaction to roll it back when the lease went to someone else. */
class LeaseTaken extends Error {}

function outboxRow(i: NewOutgoing, now: string) {
  return {
    platform: i.message.conversation.platform,
    conversation_key: channelKey(i.message.conversation),
    dedupe_key: i.dedupeKey,
    payload: JSON.stringify({
      message: i.message,
      bindTicketId: i.bindTicketId ?? null,
      bindRole: i.bindRole ?? 'requester',
    } satisfies StoredOutgoing),
    status: 'pending' as const,
    attempts: 0,
    next_attempt_at: now,
    locked_until: null as string | null,
    lease_token: null as string | null,
    last_error: null,
    message_id: null,
    created_at: now,
    sent_at: null,
  };
}

/**
 * Queues replies in order (ids rise with the list). With `lease`, the first reply of each channel is
 * leased to the caller when nothing older is pending in that channel; those are returned.
 */
async function insertOutgoing(
  db: Kysely<DB>,
  items: NewOutgoing[],
  now: string,
  lease?: { platforms: Platform[]; leaseMs: number },
): Promise<OutboxItem[]> {
  if (items.length === 0) return [];
  const rows = items.map((i) => outboxRow(i, now));
  const until = lease ? addMs(now, lease.leaseMs) : '';
  const leasedAt = new Map<number, string>();
  if (lease) {
    const seen = new Set<string>();
    for (const [k, row] of rows.entries()) {
      if (seen.has(row.conversation_key)) continue;
      seen.add(row.conversation_key);
      if (!lease.platforms.includes(row.platform)) continue;
      const waiting = await db
        .selectFrom('outbox')
        .select('id')
        .where('conversation_key', '=', row.conversation_key)
        .where('status', '=', 'pending')
        .limit(1)
        .executeTakeFirst();
      if (waiting) continue;
      const token = randomUUID();
      row.locked_until = until;
      row.lease_token = token;
      leasedAt.set(k, token);
    }
  }
  const inserted = await db
    .insertInto('outbox')
    .values(rows)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning(['id', 'dedupe_key'])
    .execute();
  if (leasedAt.size === 0) return [];
  const idOf = new Map(inserted.map((r) => [r.dedupe_key, r.id]));
  const leased: OutboxItem[] = [];
  for (const [k, token] of leasedAt) {
    const item = items[k] as NewOutgoing;
    const id = idOf.get(item.dedupeKey);
    // Not inserted: the same reply was queued before (a retried turn); the worker delivers that one.
    if (id === undefined) continue;
    leased.push({
      id,
      platform: item.message.conversation.platform,
      message: item.message,
      attempts: 0,
      bindTicketId: item.bindTicketId ?? null,
      bindRole: item.bindRole ?? 'requester',
      leaseToken: token,
      leasedUntil: until,
    });
  }
  return leased;
}

/**
 * Records how a delivery went on a leased outbox row, only while the lease is still the caller's:
 * frees the lease and counts the attempt. False (nothing written) when the lease was taken over.
 */
async function recordOutcome(
  db: Kysely<DB>,
  id: number,
  leaseToken: string,
  outcome: Partial<Pick<OutboxRow, 'status' | 'message_id' | 'sent_at' | 'last_error' | 'next_attempt_at'>>,
): Promise<boolean> {
  const res = await db
    .updateTable('outbox')
    .set((eb) => ({ ...outcome, locked_until: null, lease_token: null, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('lease_token', '=', leaseToken)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Stores an incoming event once per platform id (see ChatStore.accept). */
async function acceptInto(
  db: Kysely<DB>,
  incoming: Incoming,
  now: string,
): Promise<{ id: number; duplicate: boolean }> {
  const inserted = await db
    .insertInto('inbox')
    .values({
      platform: incoming.platform,
      dedupe_key: incoming.id,
      payload: JSON.stringify(incoming),
      status: 'pending',
      attempts: 0,
      locked_until: null,
      last_error: null,
      received_at: now,
      processed_at: null,
      conversation_key: conversationKey(conversationRefOf(incoming)),
    })
    .onConflict((oc) => oc.columns(['platform', 'dedupe_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, duplicate: false };
  const existing = await db
    .selectFrom('inbox')
    .select('id')
    .where('platform', '=', incoming.platform)
    .where('dedupe_key', '=', incoming.id)
    .executeTakeFirstOrThrow();
  return { id: existing.id, duplicate: true };
}

export function createChatStore(db: Kysely<DB>): ChatStore {
  const conversation = async (ref: ConversationRef) => {
    const r = await db
      .selectFrom('conversations')
      .selectAll()
      .where('platform', '=', ref.platform)
      .where('channel_id', '=', ref.channelId)
      .where('thread_id', '=', ref.threadId ?? '')
      .executeTakeFirst();
    return r ? toConversation(r) : null;
  };

  const writes = createWriteBatcher(db);
  /** The inbox row's conversation, which the claim needs; the claim itself checks the rest. */
  const keyOf = (id: number) =>
    db.selectFrom('inbox').select(['id', 'conversation_key']).where('id', '=', id).executeTakeFirst();

  return {
    async recordKbAnswer(a) {
      const r = await db
        .insertInto('kb_answers')
        .values({
          person_id: a.personId,
          article_id: a.articleId,
          query: a.query.slice(0, 2000),
          intent: a.intent,
          confidence: a.confidence,
          platform: a.platform,
          answered_at: a.answeredAt,
          outcome: 'none',
          outcome_at: null,
          ticket_id: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },

    async setKbOutcome(id, outcome, at, ticketId) {
      await db
        .updateTable('kb_answers')
        .set({ outcome, outcome_at: at, ticket_id: ticketId })
        .where('id', '=', id)
        .execute();
    },

    async personFor(user) {
      const r = await db
        .selectFrom('identities as i')
        .innerJoin('people as p', 'p.id', 'i.person_id')
        .selectAll('p')
        .where('i.platform', '=', user.platform)
        .where('i.platform_user_id', '=', user.platformUserId)
        .executeTakeFirst();
      return r ? toPerson(r) : null;
    },

    async linkIdentity(user, email, displayName, now, details = {}) {
      const normalized = email.trim().toLowerCase();
      return db.transaction().execute(async (trx) => {
        await trx
          .insertInto('people')
          .values({
            email: normalized,
            display_name: displayName,
            role: 'employee',
            manager_id: null,
            time_zone: details.timeZone ?? 'UTC',
            capacity: null,
            created_at: now,
          })
          .onConflict((oc) => oc.column('email').doNothing())
          .execute();
        const person = await trx
          .selectFrom('people')
          .selectAll()
          .where('email', '=', normalized)
          .executeTakeFirstOrThrow();
        // UTC is only the placeholder of people nobody gave a zone: the platform's is better.
        if (person.time_zone === 'UTC' && details.timeZone && details.timeZone !== 'UTC') {
          await trx
            .updateTable('people')
            .set({ time_zone: details.timeZone })
            .where('id', '=', person.id)
            .execute();
          person.time_zone = details.timeZone;
        }
        const tenant = { tenant_id: details.tenantId ?? null, aad_object_id: details.aadObjectId ?? null };
        await trx
          .insertInto('identities')
          .values({
            person_id: person.id,
            platform: user.platform,
            platform_user_id: user.platformUserId,
            workspace_id: null,
            created_at: now,
            ...tenant,
          })
          .onConflict((oc) =>
            oc.columns(['platform', 'platform_user_id']).doUpdateSet({ person_id: person.id, ...tenant }),
          )
          .execute();
        return toPerson(person);
      });
    },

    conversation,

    async queuedConversations(limit) {
      const rows = await db
        .selectFrom('conversations')
        .selectAll()
        .where('owner', '=', 'queue')
        .where('role', '=', 'requester')
        .where('ticket_id', 'is not', null)
        .orderBy('updated_at')
        .limit(limit)
        .execute();
      return rows.map(toConversation);
    },

    async directConversationsOf(personId) {
      const rows = await db
        .selectFrom('conversations')
        .selectAll()
        .where('person_id', '=', personId)
        .where('is_direct', '=', 1)
        .where('thread_id', '=', '')
        .orderBy('updated_at', 'desc')
        .execute();
      return rows.map(toConversation);
    },

    async identitiesOf(personId) {
      const rows = await db
        .selectFrom('identities')
        .selectAll()
        .where('person_id', '=', personId)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        platform: r.platform as Platform,
        platformUserId: r.platform_user_id,
        workspaceId: r.workspace_id,
      }));
    },

    async ensureConversation(ref, personId, now, role = 'requester') {
      const inserted = await db
        .insertInto('conversations')
        .values({
          platform: ref.platform,
          channel_id: ref.channelId,
          thread_id: ref.threadId ?? '',
          is_direct: ref.isDirect ? 1 : 0,
          is_public: ref.isPublic ? 1 : 0,
          workspace_id: ref.workspaceId,
          service_url: ref.serviceUrl ?? null,
          person_id: personId,
          ticket_id: null,
          owner: 'bot',
          dialog: '{}',
          role,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.columns(['platform', 'channel_id', 'thread_id']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return toConversation(inserted);
      const found = await conversation(ref);
      if (!found) throw new Error(`conversation ${channelKey(ref)} vanished after insert`);
      // Teams may move a conversation to another service URL; the newest one is the one that works.
      if (ref.serviceUrl && found.ref.serviceUrl !== ref.serviceUrl) {
        await db
          .updateTable('conversations')
          .set({ service_url: ref.serviceUrl })
          .where('id', '=', found.id)
          .execute();
        found.ref.serviceUrl = ref.serviceUrl;
      }
      return found;
    },

    async saveConversation(id, patch, now) {
      await db
        .updateTable('conversations')
        .set({
          updated_at: now,
          ...(patch.dialog !== undefined ? { dialog: JSON.stringify(patch.dialog) } : {}),
          ...(patch.ticketId !== undefined ? { ticket_id: patch.ticketId } : {}),
          ...(patch.owner !== undefined ? { owner: patch.owner } : {}),
          ...(patch.personId !== undefined ? { person_id: patch.personId } : {}),
        })
        .where('id', '=', id)
        .execute();
    },

    async compareAndSetOwner(id, from, to, now) {
      const res = await db
        .updateTable('conversations')
        .set({ owner: to, updated_at: now })
        .where('id', '=', id)
        .where('owner', 'in', from)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    async conversationsOfTicket(ticketId) {
      const rows = await db
        .selectFrom('conversations')
        .selectAll()
        .where('ticket_id', '=', ticketId)
        .orderBy('id')
        .execute();
      return rows.map(toConversation);
    },

    // Acks that arrive together share a commit (see write-batcher.ts); each still waits for its own.
    accept: (incoming: Incoming, now) => writes.run((d) => acceptInto(d, incoming, now)),

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
     * Lock order is always lease row, then inbox row (claim, complete, release), so they cannot deadlock.
     */
    async lease(id, now, leaseMs, opts = {}): Promise<InboxItem | null> {
      // The same conditions read outside a transaction first: most failed claims (item done or leased,
      // an earlier one of its conversation pending) end here without taking a write lock.
      const head = await (opts.precheck === false
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
          if (key !== null) {
            // First statement is a write, so SQLite takes the write lock up front (no upgrade deadlock).
            const won = await trx
              .insertInto('inbox_leases')
              .values({ conversation_key: key, lease_token: token, inbox_id: id, locked_until: until })
              .onConflict((oc) =>
                oc
                  .column('conversation_key')
                  .doUpdateSet({ lease_token: token, inbox_id: id, locked_until: until })
                  .where('inbox_leases.locked_until', '<', now),
              )
              .returning('conversation_key')
              .executeTakeFirst();
            if (!won) throw new LeaseTaken();
          }
          const r = await trx
            .updateTable('inbox')
            .set((eb) => ({ locked_until: until, lease_token: token, attempts: eb('attempts', '+', 1) }))
            .where('id', '=', id)
            .where('status', '=', 'pending')
            .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
            .where(firstPending('inbox', 'inbox'))
            .returning(['id', 'platform', 'payload', 'attempts'])
            .executeTakeFirst();
          if (!r) throw new LeaseTaken();
          return {
            id: r.id,
            platform: r.platform as Platform,
            incoming: parseJsonColumn<Incoming>(r.payload, `inbox #${r.id}`),
            attempts: r.attempts,
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
          await trx.deleteFrom('inbox_leases').where('lease_token', '=', leaseToken).execute();
          const res = await trx
            .updateTable('inbox')
            .set({ status: 'done', processed_at: now, locked_until: null, lease_token: null })
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
          return insertOutgoing(trx, replies, now, opts.deliverNow);
        });
      } catch (e) {
        if (e instanceof LeaseTaken) return null;
        throw e;
      }
    },

    async release(id, leaseToken, error, at, failed) {
      try {
        return await db.transaction().execute(async (trx) => {
          await trx.deleteFrom('inbox_leases').where('lease_token', '=', leaseToken).execute();
          const res = await trx
            .updateTable('inbox')
            .set({
              status: failed ? 'failed' : 'pending',
              last_error: error.slice(0, 2000),
              // Held back until `at`; later items of the conversation wait behind it (order).
              locked_until: failed ? null : at,
              processed_at: failed ? at : null,
              lease_token: null,
            })
            .where('id', '=', id)
            .where('status', '=', 'pending')
            .where('lease_token', '=', leaseToken)
            .executeTakeFirst();
          if (Number(res.numUpdatedRows) !== 1) throw new LeaseTaken();
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

    async enqueue(items, now) {
      await insertOutgoing(db, items, now);
    },

    async leaseDue(now, limit, leaseMs, platforms): Promise<OutboxItem[]> {
      if (platforms.length === 0) return [];
      const candidates = await db
        .selectFrom('outbox as o')
        .selectAll('o')
        .where('o.status', '=', 'pending')
        .where('o.platform', 'in', platforms)
        .where('o.next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('o.locked_until', 'is', null), eb('o.locked_until', '<', now)]))
        .where(firstPending('outbox', 'o'))
        .orderBy('o.id')
        .limit(limit)
        .execute();
      const leased: OutboxItem[] = [];
      const until = addMs(now, leaseMs);
      for (const r of candidates) {
        const token = randomUUID();
        const res = await db
          .updateTable('outbox')
          .set({ locked_until: until, lease_token: token })
          .where('id', '=', r.id)
          .where('status', '=', 'pending')
          // Re-checked here: another instance may have failed it meanwhile and scheduled a retry (Retry-After).
          .where('next_attempt_at', '<=', now)
          .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) continue;
        const stored = parseJsonColumn<StoredOutgoing>(r.payload, `outbox #${r.id}`);
        leased.push({
          id: r.id,
          platform: r.platform as Platform,
          message: stored.message,
          attempts: r.attempts,
          bindTicketId: stored.bindTicketId,
          bindRole: stored.bindRole ?? 'requester',
          leaseToken: token,
          leasedUntil: until,
        });
      }
      return leased;
    },

    // As for the inbox, the token decides: a worker whose lease was taken over records nothing, so it
    // neither overwrites the other's message id nor frees a lease that is no longer its own.
    // Deliveries finishing together share a commit, like acks.
    markSent: (id, leaseToken, messageId, now) =>
      writes.run((d) =>
        recordOutcome(d, id, leaseToken, { status: 'sent', message_id: messageId, sent_at: now }),
      ),

    markRetry: (id, leaseToken, error, nextAttemptAt) =>
      recordOutcome(db, id, leaseToken, { last_error: error.slice(0, 2000), next_attempt_at: nextAttemptAt }),

    markDead: (id, leaseToken, error, now) =>
      recordOutcome(db, id, leaseToken, { status: 'dead', last_error: error.slice(0, 2000), sent_at: now }),

    async outboxBacklog() {
      const r = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async outboxDue(now, platforms) {
      if (platforms.length === 0) return 0;
      const r = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .where('platform', 'in', platforms)
        .where('next_attempt_at', '<=', now)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async sentMessageId(dedupeKey) {
      const r = await db
        .selectFrom('outbox')
        .select('message_id')
        .where('dedupe_key', '=', dedupeKey)
        .executeTakeFirst();
      return r?.message_id ?? null;
    },
  };
}
