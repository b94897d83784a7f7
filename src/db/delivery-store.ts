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

export interface NewDelivery {
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

export interface DeliveryLogEntry {
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

export interface Subscription {
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

export interface TicketEventRow {
  id: number;
  ticketId: number;
  /** The requester has a Slack or Teams identity (else the desk reaches them by e-mail). */
  requesterInChat: boolean;
  type: string;
  at: string;
  from: string | null;
  to: string | null;
  reason: string | null;
  data: Record<string, unknown>;
  actor: string | null;
  ticket: {
    number: string;
    kind: string;
    title: string;
    state: string;
    priority: string;
    impact: string;
    urgency: string;
    category: string | null;
    group: string | null;
    assignee: string | null;
    requester: string | null;
    channel: string;
    createdAt: string;
    updatedAt: string;
    resolvedAt: string | null;
  };
}

export type DeliveryStore = ReturnType<typeof createDeliveryStore>;

const CURSOR = 'webhooks.event_cursor';

export function createDeliveryStore(db: Kysely<DB>) {
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

    // Subscriptions -------------------------------------------------------------------------

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
      const from = await maxEventId();
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

    // The ticket event log, tailed -----------------------------------------------------------

    async cursor(name = CURSOR): Promise<number> {
      const r = await db.selectFrom('counters').select('value').where('name', '=', name).executeTakeFirst();
      return r?.value ?? 0;
    },

    async setCursor(value: number, name = CURSOR): Promise<void> {
      await db
        .insertInto('counters')
        .values({ name, value })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet({
            value: sql<number>`case when counters.value > ${value} then counters.value else ${value} end`,
          }),
        )
        .execute();
    },

    maxEventId,

    /** Ticket events with id > `after`, oldest first, with the ticket as it is now. */
    async eventsAfter(after: number, limit: number): Promise<TicketEventRow[]> {
      const rows = await db
        .selectFrom('ticket_events as e')
        .innerJoin('tickets as t', 't.id', 'e.ticket_id')
        .leftJoin('groups as g', 'g.id', 't.group_id')
        .leftJoin('people as a', 'a.id', 't.assignee_id')
        .leftJoin('people as r', 'r.id', 't.requester_id')
        .leftJoin('people as x', 'x.id', 'e.actor_id')
        .select((eb) => [
          eb
            .exists(
              eb.selectFrom('identities as i').select('i.id').whereRef('i.person_id', '=', 't.requester_id'),
            )
            .as('in_chat'),
          'e.ticket_id',
          'e.id',
          'e.type',
          'e.at',
          'e.from_value',
          'e.to_value',
          'e.reason',
          'e.data',
          'x.email as actor',
          't.number',
          't.kind',
          't.title',
          't.state',
          't.priority',
          't.impact',
          't.urgency',
          't.category',
          'g.slug as group',
          'a.email as assignee',
          'r.email as requester',
          't.channel',
          't.created_at',
          't.updated_at',
          't.resolved_at',
        ])
        .where('e.id', '>', after)
        .orderBy('e.id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        ticketId: r.ticket_id,
        requesterInChat: Boolean(r.in_chat),
        type: r.type,
        at: r.at,
        from: r.from_value,
        to: r.to_value,
        reason: r.reason,
        data: parseJsonColumn<Record<string, unknown>>(r.data, `ticket_events.data #${r.id}`),
        actor: r.actor,
        ticket: {
          number: r.number,
          kind: r.kind,
          title: r.title,
          state: r.state,
          priority: r.priority,
          impact: r.impact,
          urgency: r.urgency,
          category: r.category,
          group: r.group,
          assignee: r.assignee,
          requester: r.requester,
          channel: r.channel,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
          resolvedAt: r.resolved_at,
        },
      }));
    },

    /** The public comment an actor wrote at `at` (the body a `commented` event stands for). */
    async commentAt(ticketId: number, at: string): Promise<{ body: string; author: string | null } | null> {
      const r = await db
        .selectFrom('comments as c')
        .leftJoin('people as p', 'p.id', 'c.author_id')
        .select(['c.body', 'p.display_name'])
        .where('c.ticket_id', '=', ticketId)
        .where('c.created_at', '=', at)
        .where('c.internal', '=', 0)
        .orderBy('c.id', 'desc')
        .executeTakeFirst();
      return r ? { body: r.body, author: r.display_name } : null;
    },

    /** Which (subscription, event) pairs at or after `minEventId` are queued already. */
    async queuedEvents(kind: string, minEventId: number): Promise<Set<string>> {
      const rows = await db
        .selectFrom('external_deliveries')
        .select(['subscription_id', 'event_id'])
        .where('kind', '=', kind)
        .where('event_id', '>=', minEventId)
        .execute();
      return new Set(rows.map((r) => `${r.subscription_id}:${r.event_id}`));
    },
  };

  async function maxEventId(): Promise<number> {
    const r = await db
      .selectFrom('ticket_events')
      .select(sql<number | null>`max(id)`.as('m'))
      .executeTakeFirstOrThrow();
    return Number(r.m ?? 0);
  }
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
