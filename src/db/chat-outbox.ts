/**
 * The outbox half of the chat store: replies queued in order per channel, leased to one deliverer at
 * a time, their outcome recorded only by the lease's holder.
 */
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Outgoing, Platform } from '../chat/message.js';
import type { ChatStore, ConversationRole, NewOutgoing, OutboxItem, ThreadBinding } from '../chat/store.js';
import { addMs, channelKey, conversationRow, firstPending } from './chat-rows.js';
import { parseJsonColumn } from './json.js';
import type { DB, OutboxRow } from './schema.js';

interface StoredOutgoing {
  message: Outgoing;
  bindTicketId: number | null;
  bindRole?: ConversationRole;
}

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
    lease_boot: null as string | null,
    last_error: null,
    message_id: null,
    created_at: now,
    sent_at: null,
  };
}

/**
 * Queues replies in order (ids rise with the list). With `lease`, the first reply of each channel is
 * leased to the caller (boot `bootId`) when nothing older is pending in that channel; those are returned.
 * One statement: whether the channel is free is decided in the insert itself, row by row.
 */
export async function insertOutgoing(
  db: Kysely<DB>,
  items: NewOutgoing[],
  now: string,
  bootId: string,
  lease?: { platforms: Platform[]; leaseMs: number },
): Promise<OutboxItem[]> {
  if (items.length === 0) return [];
  const until = lease ? addMs(now, lease.leaseMs) : '';
  const seen = new Set<string>();
  const rows = items.map((i) => {
    const row = outboxRow(i, now);
    const first = !seen.has(row.conversation_key);
    seen.add(row.conversation_key);
    if (!lease || !first || !lease.platforms.includes(row.platform)) return row;
    // Leased only when no older reply of the channel is pending (its order comes first).
    const free = sql<boolean>`not exists (select 1 from outbox as w where w.conversation_key = ${row.conversation_key} and w.status = 'pending')`;
    const ifFree = (v: string) => sql<string | null>`case when ${free} then ${v} else null end`;
    return {
      ...row,
      locked_until: ifFree(until),
      lease_token: ifFree(randomUUID()),
      lease_boot: ifFree(bootId),
    };
  });
  const inserted = await db
    .insertInto('outbox')
    .values(rows)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning(['id', 'dedupe_key', 'lease_token'])
    .execute();
  if (!lease) return [];
  const byKey = new Map(items.map((i) => [i.dedupeKey, i]));
  const leased: OutboxItem[] = [];
  // Not inserted: the same reply was queued before (a retried turn); the worker delivers that one.
  for (const r of inserted) {
    const item = byKey.get(r.dedupe_key);
    if (r.lease_token === null || item === undefined) continue;
    leased.push({
      id: r.id,
      dedupeKey: item.dedupeKey,
      platform: item.message.conversation.platform,
      message: item.message,
      attempts: 0,
      bindTicketId: item.bindTicketId ?? null,
      bindRole: item.bindRole ?? 'requester',
      leaseToken: r.lease_token,
      leasedUntil: until,
      createdAt: now,
      inDoubt: false,
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
  outcome: Partial<
    Pick<OutboxRow, 'status' | 'message_id' | 'sent_at' | 'last_error' | 'next_attempt_at' | 'unconfirmed'>
  >,
): Promise<boolean> {
  const res = await db
    .updateTable('outbox')
    .set((eb) => ({
      ...outcome,
      locked_until: null,
      lease_token: null,
      lease_boot: null,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('lease_token', '=', leaseToken)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * The thread a delivered card started is bound to its ticket: later notices about the ticket go there.
 * One upsert: a new thread's row is created bound, an existing one is re-bound.
 */
async function bindThread(db: Kysely<DB>, bind: ThreadBinding, now: string): Promise<void> {
  await db
    .insertInto('conversations')
    .values(conversationRow(bind.ref, null, now, bind.role, bind.ticketId))
    .onConflict((oc) =>
      oc
        .columns(['platform', 'channel_id', 'thread_id'])
        .doUpdateSet({ ticket_id: bind.ticketId, updated_at: now }),
    )
    .execute();
}

type OutboxPart = Pick<
  ChatStore,
  | 'enqueue'
  | 'leaseDue'
  | 'markSent'
  | 'markRetry'
  | 'markDead'
  | 'outboxBacklog'
  | 'outboxDue'
  | 'sentMessageId'
>;

export function createOutboxPart(db: Kysely<DB>, bootId: string): OutboxPart {
  return {
    async enqueue(items, now) {
      await insertOutgoing(db, items, now, bootId);
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
          .set({ locked_until: until, lease_token: token, lease_boot: bootId })
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
          dedupeKey: r.dedupe_key,
          platform: r.platform as Platform,
          message: stored.message,
          attempts: r.attempts,
          bindTicketId: stored.bindTicketId,
          bindRole: stored.bindRole ?? 'requester',
          leaseToken: token,
          leasedUntil: until,
          createdAt: r.created_at,
          // A lease that ran out (or was reclaimed from a dead process) without an outcome: its holder
          // may have posted before it stopped.
          inDoubt: r.lease_token !== null || r.unconfirmed === 1,
        });
      }
      return leased;
    },

    // As for the inbox, the token decides: a worker whose lease was taken over records nothing, so it
    // neither overwrites the other's message id nor frees a lease that is no longer its own. Written at
    // once, not batched onto a later turn of the event loop: a crash in that gap would post it again.
    // The thread is bound first, each write on its own: the message was posted, so its thread is real
    // whoever records it; a crash between the two leaves the outcome in doubt, and the next attempt
    // finds the post (or posts again, where the platform cannot be asked) and records it.
    async markSent(id, leaseToken, messageId, now, bind) {
      if (bind) await bindThread(db, bind, now);
      return recordOutcome(db, id, leaseToken, {
        status: 'sent',
        message_id: messageId,
        sent_at: now,
        unconfirmed: 0,
      });
    },

    markRetry: (id, leaseToken, error, nextAttemptAt, unconfirmed = false) =>
      recordOutcome(db, id, leaseToken, {
        last_error: error.slice(0, 2000),
        next_attempt_at: nextAttemptAt,
        unconfirmed: unconfirmed ? 1 : 0,
      }),

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
