/**
 * Durable deliveries to the outside world (webhooks, e-mail) and webhook subscriptions. Deliveries
 * are queued idempotently (unique dedupe key), leased with a token so two processes never send the
 * same item at once, and kept after sending as the delivery log.
 */
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { AppError } from '../errors.js';
import { parseJsonColumn } from './json.js';
import type { DB } from './schema.js';
import { createTicketEventFeed, maxEventId } from './ticket-event-feed.js';

interface NewDelivery {
  kind: 'webhook' | 'email';
  dedupeKey: string;
  eventType: string;
  target: string;
  payload: string;
  subscriptionId?: number | null;
  eventId?: number | null;
}

export interface DeliveryItem {
  id: number;
  kind: string;
  subscriptionId: number | null;
  eventType: string;
  target: string;
  payload: string;
  attempts: number;
  leaseToken: string;
  leasedUntil: string;
}

interface DeliveryLogEntry {
  id: number;
  eventType: string;
  eventId: string | null;
  status: 'pending' | 'sent' | 'dead';
  attempts: number;
  responseStatus: number | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  nextAttemptAt: string | null;
}

interface Subscription {
  id: number;
  name: string;
  url: string;
  events: string[];
  active: boolean;
  source: 'api' | 'data';
  fromEventId: number;
  createdAt: string;
  updatedAt: string;
}

export interface SubscriptionWithSecret extends Subscription {
  secret: string;
}

export type { TicketEventRow } from './ticket-event-feed.js';

export type DeliveryStore = ReturnType<typeof createDeliveryStore>;

export function createDeliveryStore(db: Kysely<DB>) {
  return { ...createDeliveryQueue(db), ...createSubscriptionStore(db), ...createTicketEventFeed(db) };
}

/** The queue of deliveries: enqueue (idempotent), lease, record the outcome, the log, redeliver. */
function createDeliveryQueue(db: Kysely<DB>) {
  async function outcome(
    id: number,
    token: string,
    set: Partial<{
      status: 'pending' | 'sent' | 'dead';
      response_status: number | null;
      last_error: string | null;
      next_attempt_at: string;
      sent_at: string | null;
    }>,
  ): Promise<boolean> {
    const r = await db
      .updateTable('external_deliveries')
      .set({ ...set, attempts: sql<number>`attempts + 1`, locked_until: null, lease_token: null })
      .where('id', '=', id)
      .where('lease_token', '=', token)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  return {
    async enqueue(items: NewDelivery[], now: string): Promise<number> {
      if (items.length === 0) return 0;
      const r = await db
        .insertInto('external_deliveries')
        .values(
          items.map((i) => ({
            kind: i.kind,
            dedupe_key: i.dedupeKey,
            event_type: i.eventType,
            target: i.target,
            payload: i.payload,
            subscription_id: i.subscriptionId ?? null,
            event_id: i.eventId ?? null,
            next_attempt_at: now,
            created_at: now,
          })),
        )
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0);
    },

    async leaseDue(now: string, limit: number, leaseMs: number, kinds: string[]): Promise<DeliveryItem[]> {
      if (kinds.length === 0) return [];
      const due = await db
        .selectFrom('external_deliveries')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where('kind', 'in', kinds)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
        .orderBy('id')
        .limit(limit)
        .execute();
      const until = new Date(Date.parse(now) + leaseMs).toISOString();
      const out: DeliveryItem[] = [];
      for (const { id } of due) {
        const token = randomUUID();
        const r = await db
          .updateTable('external_deliveries')
          .set({ lease_token: token, locked_until: until })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
          .returning(['id', 'kind', 'subscription_id', 'event_type', 'target', 'payload', 'attempts'])
          .executeTakeFirst();
        if (r)
          out.push({
            id: r.id,
            kind: r.kind,
            subscriptionId: r.subscription_id,
            eventType: r.event_type,
            target: r.target,
            payload: r.payload,
            attempts: r.attempts,
            leaseToken: token,
            leasedUntil: until,
          });
      }
      return out;
    },

    markSent: (id: number, token: string, status: number | null, now: string) =>
      outcome(id, token, { status: 'sent', response_status: status, sent_at: now, last_error: null }),
    markRetry: (id: number, token: string, status: number | null, error: string, next: string) =>
      outcome(id, token, { response_status: status, last_error: error, next_attempt_at: next }),
    markDead: (id: number, token: string, status: number | null, error: string) =>
      outcome(id, token, { status: 'dead', response_status: status, last_error: error }),

    async due(now: string, kinds: string[]): Promise<number> {
      if (kinds.length === 0) return 0;
      const r = await db
        .selectFrom('external_deliveries')
        .select(sql<number>`count(*)`.as('n'))
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where('kind', 'in', kinds)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async log(subscriptionId: number, limit: number, status?: string): Promise<DeliveryLogEntry[]> {
      let q = db
        .selectFrom('external_deliveries')
        .selectAll()
        .where('subscription_id', '=', subscriptionId)
        .orderBy('id', 'desc')
        .limit(limit);
      if (status) q = q.where('status', '=', status as 'pending' | 'sent' | 'dead');
      const rows = await q.execute();
      return rows.map((r) => ({
        id: r.id,
        eventType: r.event_type,
        eventId: r.event_id === null ? null : `evt_${r.event_id}`,
        status: r.status,
        attempts: r.attempts,
        responseStatus: r.response_status,
        lastError: r.last_error,
        createdAt: r.created_at,
        sentAt: r.sent_at,
        nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
      }));
    },

    /** Gives a dead delivery of the subscription a fresh set of attempts. */
    async redeliver(subscriptionId: number, id: number, now: string): Promise<boolean> {
      const r = await db
        .updateTable('external_deliveries')
        .set({ status: 'pending', attempts: 0, next_attempt_at: now, last_error: null })
        .where('id', '=', id)
        .where('subscription_id', '=', subscriptionId)
        .where('status', '=', 'dead')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

/** Webhook subscriptions (from the API or data/webhooks.json). */
function createSubscriptionStore(db: Kysely<DB>) {
  const subscription = (r: {
    id: number;
    name: string;
    url: string;
    secret: string;
    events: string;
    active: number;
    source: string;
    from_event_id: number;
    created_at: string;
    updated_at: string;
  }): SubscriptionWithSecret => ({
    id: r.id,
    name: r.name,
    url: r.url,
    secret: r.secret,
    events: parseJsonColumn<string[]>(r.events, `webhook_subscriptions.events #${r.id}`),
    active: r.active === 1,
    source: r.source === 'data' ? 'data' : 'api',
    fromEventId: r.from_event_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });

  return {
    async subscriptions(): Promise<SubscriptionWithSecret[]> {
      return (await db.selectFrom('webhook_subscriptions').selectAll().orderBy('id').execute()).map(
        subscription,
      );
    },

    async subscription(id: number): Promise<SubscriptionWithSecret | null> {
      const r = await db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return r ? subscription(r) : null;
    },

    async createSubscription(
      s: {
        name: string;
        url: string;
        secret: string;
        events: string[];
        active: boolean;
        source: 'api' | 'data';
      },
      now: string,
    ): Promise<SubscriptionWithSecret> {
      const from = await maxEventId(db);
      try {
        const r = await db
          .insertInto('webhook_subscriptions')
          .values({
            name: s.name,
            url: s.url,
            secret: s.secret,
            events: JSON.stringify(s.events),
            active: s.active ? 1 : 0,
            source: s.source,
            from_event_id: from,
            created_at: now,
            updated_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return subscription(r);
      } catch (e) {
        const err = e as { code?: unknown; message?: unknown };
        if (err.code === '23505' || /UNIQUE constraint failed/.test(String(err.message)))
          throw new AppError('conflict', `name: a webhook named "${s.name}" exists already.`, {
            field: 'name',
          });
        throw e;
      }
    },

    async updateSubscription(
      id: number,
      patch: Partial<{ url: string; secret: string; events: string[]; active: boolean }>,
      now: string,
    ): Promise<SubscriptionWithSecret | null> {
      const r = await db
        .updateTable('webhook_subscriptions')
        .set({
          ...(patch.url !== undefined ? { url: patch.url } : {}),
          ...(patch.secret !== undefined ? { secret: patch.secret } : {}),
          ...(patch.events !== undefined ? { events: JSON.stringify(patch.events) } : {}),
          ...(patch.active !== undefined ? { active: patch.active ? 1 : 0 } : {}),
          updated_at: now,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return r ? subscription(r) : null;
    },

    async deleteSubscription(id: number): Promise<boolean> {
      await db.deleteFrom('external_deliveries').where('subscription_id', '=', id).execute();
      const r = await db.deleteFrom('webhook_subscriptions').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },

    async subscriptionByName(name: string): Promise<SubscriptionWithSecret | null> {
      const r = await db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirst();
      return r ? subscription(r) : null;
    },
  };
}

/** Makes the data/webhooks.json subscribers exist as written; ones removed from the file are deleted. */
export async function syncDataWebhooks(
  store: DeliveryStore,
  file: { webhooks: Array<{ name: string; url: string; events: string[]; secret: string; active: boolean }> },
  now: string,
): Promise<void> {
  const existing = await store.subscriptions();
  for (const w of file.webhooks) {
    const found = existing.find((s) => s.name === w.name);
    if (!found) await store.createSubscription({ ...w, source: 'data' }, now);
    else
      await store.updateSubscription(
        found.id,
        { url: w.url, events: w.events, secret: w.secret, active: w.active },
        now,
      );
  }
  for (const s of existing)
    if (s.source === 'data' && !file.webhooks.some((w) => w.name === s.name))
      await store.deleteSubscription(s.id);
}
