/**
 * The ticket event log, tailed for webhooks: a named cursor (counters table) and the events after it,
 * each with the ticket as it is now.
 */
import { type Kysely, sql } from 'kysely';
import { parseJsonColumn } from './json.js';
import type { DB } from './schema.js';

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

const CURSOR = 'webhooks.event_cursor';

/** The newest ticket event's id (0 when there is none). */
export async function maxEventId(db: Kysely<DB>): Promise<number> {
  const r = await db
    .selectFrom('ticket_events')
    .select(sql<number | null>`max(id)`.as('m'))
    .executeTakeFirstOrThrow();
  return Number(r.m ?? 0);
}

export function createTicketEventFeed(db: Kysely<DB>) {
  return {
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

    maxEventId: () => maxEventId(db),

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
}
