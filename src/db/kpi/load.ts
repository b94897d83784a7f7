/**
 * A KPI period loaded in three queries (tickets, their events, knowledge answers) so a 25k-ticket
 * report is one scan rather than a query per ticket. Same SQL on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { KpiInput, KpiKbAnswer, KpiTicket } from '../../itsm/kpis/types.js';
import { OPEN_STATES, type TicketEvent } from '../../itsm/types.js';
import { parseJsonObject as parse } from '../improvement-register-store.js';
import type { DB } from '../schema.js';

export interface KpiLoadOptions {
  since: string | null;
  until: string;
  group?: string | null;
}

/** Tickets created in the period, plus every ticket still open (for backlog and agent load). */
function ticketScope(db: Kysely<DB>, opts: KpiLoadOptions) {
  let q = db.selectFrom('tickets as t').leftJoin('groups as g', 'g.id', 't.group_id');
  q = q.where((eb) => {
    const created =
      opts.since === null
        ? eb('t.created_at', '<', opts.until)
        : eb.and([eb('t.created_at', '>=', opts.since), eb('t.created_at', '<', opts.until)]);
    return eb.or([created, eb('t.state', 'in', [...OPEN_STATES])]);
  });
  if (opts.group) q = q.where('g.slug', '=', opts.group);
  return q;
}

/** Each scoped ticket's events, in time order, keyed by ticket id. */
async function eventsByTicket(db: Kysely<DB>, opts: KpiLoadOptions): Promise<Map<number, TicketEvent[]>> {
  const eventRows = await db
    .selectFrom('ticket_events as e')
    .select([
      // Aliased to TicketEvent's shape so each row becomes the event in place: at 150k events a
      // second object per row is most of the garbage collector's work.
      'e.ticket_id as ticketId',
      'e.seq',
      'e.at',
      'e.actor_id as actorId',
      'e.type',
      'e.from_value as from',
      'e.to_value as to',
      'e.reason',
      'e.data',
    ])
    .where('e.ticket_id', 'in', ticketScope(db, opts).select('t.id'))
    // (ticket_id, seq) is the unique index, so this order costs no sort; `at` order is restored below.
    .orderBy('e.ticket_id')
    .orderBy('e.seq')
    .execute();
  const events = new Map<number, TicketEvent[]>();
  for (const r of eventRows) {
    const ev = r as unknown as Omit<TicketEvent, 'data'> & { data: unknown };
    ev.data = r.data === '{}' ? {} : parse(r.data);
    const l = events.get(r.ticketId);
    if (l) l.push(ev as TicketEvent);
    else events.set(r.ticketId, [ev as TicketEvent]);
  }
  for (const l of events.values()) {
    // seq follows time for events the service writes; an import or a clock step back may not.
    for (let i = 1; i < l.length; i++) {
      if ((l[i] as TicketEvent).at < (l[i - 1] as TicketEvent).at) {
        l.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : x.seq - y.seq));
        break;
      }
    }
  }
  return events;
}

/** Knowledge answers from the period on; answers after it are needed too: they are how a need "comes back". */
async function kbAnswersSince(db: Kysely<DB>, since: string | null): Promise<KpiKbAnswer[]> {
  let kq = db
    .selectFrom('kb_answers')
    .select(['id', 'person_id', 'article_id', 'intent', 'platform', 'answered_at', 'outcome', 'outcome_at']);
  if (since !== null) kq = kq.where('answered_at', '>=', since);
  return (await kq.execute()).map((a) => ({
    id: a.id,
    personId: a.person_id,
    articleId: a.article_id,
    intent: a.intent,
    platform: a.platform,
    answeredAt: a.answered_at,
    outcome: a.outcome,
    outcomeAt: a.outcome_at,
  }));
}

/** Everything the KPI formulas (itsm/kpis) read for one period. */
export async function loadKpiInput(db: Kysely<DB>, opts: KpiLoadOptions): Promise<KpiInput> {
  const rows = await ticketScope(db, opts)
    .select([
      't.id',
      't.number',
      't.title',
      't.kind',
      't.state',
      't.priority',
      't.category',
      'g.slug as group',
      'g.calendar as group_calendar',
      't.channel',
      't.requester_id',
      't.assignee_id',
      't.created_at',
      't.resolved_at',
      't.closed_at',
    ])
    .execute();
  const events = await eventsByTicket(db, opts);
  const tickets: KpiTicket[] = rows.map((r) => ({
    id: r.id,
    number: r.number,
    title: r.title,
    kind: r.kind,
    state: r.state,
    priority: r.priority,
    category: r.category,
    group: r.group ?? null,
    groupCalendar: r.group_calendar ?? null,
    channel: r.channel,
    requesterId: r.requester_id,
    assigneeId: r.assignee_id,
    createdAt: r.created_at,
    resolvedAt: r.resolved_at,
    closedAt: r.closed_at,
    events: events.get(r.id) ?? [],
  }));
  const kbAnswers = await kbAnswersSince(db, opts.since);
  const staff = await db
    .selectFrom('people')
    .select(['id', 'display_name'])
    .where('role', '!=', 'employee')
    .execute();
  return { tickets, kbAnswers, agentNames: new Map(staff.map((p) => [p.id, p.display_name])) };
}
