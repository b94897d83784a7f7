import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { formatTicketNumber } from '../itsm/numbering.js';
import type { NewEvent, NewTicket, TicketFilter, TicketPatch, TicketStore } from '../itsm/ports.js';
import type {
  Channel,
  Comment,
  Level,
  PendingReason,
  Priority,
  Ticket,
  TicketEvent,
  TicketEventType,
  TicketKind,
  TicketState,
} from '../itsm/types.js';
import { parseJsonColumn } from './json.js';
import type { DB, TicketEventRow, TicketRow, TicketUpdate } from './schema.js';

export function toTicket(r: TicketRow): Ticket {
  return {
    id: r.id,
    number: r.number,
    kind: r.kind as TicketKind,
    title: r.title,
    description: r.description,
    state: r.state as TicketState,
    pendingReason: r.pending_reason as PendingReason | null,
    impact: r.impact as Level,
    urgency: r.urgency as Level,
    priority: r.priority as Priority,
    category: r.category,
    templateId: r.template_id,
    fields: parseJsonColumn<Record<string, unknown>>(r.fields, `tickets.fields of ${r.number}`),
    requesterId: r.requester_id,
    groupId: r.group_id,
    assigneeId: r.assignee_id,
    channel: r.channel as Channel,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    resolvedAt: r.resolved_at,
    closedAt: r.closed_at,
  };
}

function toEvent(r: TicketEventRow): TicketEvent {
  return {
    ticketId: r.ticket_id,
    seq: r.seq,
    at: r.at,
    actorId: r.actor_id,
    type: r.type as TicketEventType,
    from: r.from_value,
    to: r.to_value,
    reason: r.reason,
    data: parseJsonColumn<Record<string, unknown>>(r.data, `ticket_events.data #${r.id}`),
  };
}

function eventRows(ticketId: number, firstSeq: number, events: NewEvent[]) {
  return events.map((e, i) => ({
    ticket_id: ticketId,
    seq: firstSeq + i,
    at: e.at,
    actor_id: e.actorId,
    type: e.type,
    from_value: e.from ?? null,
    to_value: e.to ?? null,
    reason: e.reason ?? null,
    data: JSON.stringify(e.data ?? {}),
  }));
}

function patchRow(p: TicketPatch): TicketUpdate {
  const row: TicketUpdate = { updated_at: p.updatedAt };
  if (p.state !== undefined) row.state = p.state;
  if (p.pendingReason !== undefined) row.pending_reason = p.pendingReason;
  if (p.impact !== undefined) row.impact = p.impact;
  if (p.urgency !== undefined) row.urgency = p.urgency;
  if (p.priority !== undefined) row.priority = p.priority;
  if (p.category !== undefined) row.category = p.category;
  if (p.groupId !== undefined) row.group_id = p.groupId;
  if (p.assigneeId !== undefined) row.assignee_id = p.assigneeId;
  if (p.title !== undefined) row.title = p.title;
  if (p.description !== undefined) row.description = p.description;
  if (p.fields !== undefined) row.fields = JSON.stringify(p.fields);
  if (p.resolvedAt !== undefined) row.resolved_at = p.resolvedAt;
  if (p.closedAt !== undefined) row.closed_at = p.closedAt;
  return row;
}

type TicketQuery = SelectQueryBuilder<DB, 'tickets', TicketRow>;

/**
 * Ticket reads asked for in the same tick go to the database as one statement (UNION ALL of each read,
 * told apart by a `part` column): a turn's facts ask for the requester's open and resolved tickets and
 * the conversation's ticket at once. Each read must be ordered by id, newest first (or be one row).
 */
function createReadBatch(db: Kysely<DB>) {
  let queue: Array<{ query: TicketQuery; resolve(rows: TicketRow[]): void; reject(e: unknown): void }> = [];

  async function flush(): Promise<void> {
    const batch = queue;
    queue = [];
    try {
      if (batch.length === 1) {
        const only = batch[0] as (typeof batch)[number];
        only.resolve(await only.query.execute());
        return;
      }
      const parts = batch.map((b, k) =>
        db
          .selectFrom(b.query.as('t'))
          .selectAll('t')
          .select(sql<number>`${sql.lit(k)}`.as('part')),
      );
      const union = parts.slice(1).reduce((all, p) => all.unionAll(p), parts[0] as (typeof parts)[number]);
      // Sorted here rather than by the database: an outer ORDER BY costs SQLite a temporary b-tree
      // over rows each part has already ordered, on the statement every turn runs.
      const rows = await union.execute();
      const byPart = batch.map((): TicketRow[] => []);
      for (const { part, ...row } of rows) byPart[Number(part)]?.push(row);
      for (const rowsOfPart of byPart) rowsOfPart.sort((a, b) => b.id - a.id);
      batch.forEach((b, k) => {
        b.resolve(byPart[k] ?? []);
      });
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }

  return (query: TicketQuery): Promise<TicketRow[]> =>
    new Promise((resolve, reject) => {
      queue.push({ query, resolve, reject });
      if (queue.length === 1) queueMicrotask(() => void flush());
    });
}

export function createTicketStore(db: Kysely<DB>): TicketStore {
  const read = createReadBatch(db);
  const byId = async (id: number) => {
    const [r] = await read(db.selectFrom('tickets').selectAll().where('id', '=', id));
    return r ? toTicket(r) : null;
  };
  return {
    async create(t: NewTicket, events: NewEvent[]): Promise<Ticket> {
      return db.transaction().execute(async (trx) => {
        const counter = await trx
          .insertInto('counters')
          .values({ name: t.kind, value: 1 })
          .onConflict((oc) => oc.column('name').doUpdateSet({ value: sql<number>`counters.value + 1` }))
          .returning('value')
          .executeTakeFirstOrThrow();
        const values = {
          number: formatTicketNumber(t.kind, Number(counter.value)),
          kind: t.kind,
          title: t.title,
          description: t.description,
          state: t.state,
          pending_reason: null,
          impact: t.impact,
          urgency: t.urgency,
          priority: t.priority,
          category: t.category,
          template_id: t.templateId,
          fields: JSON.stringify(t.fields),
          requester_id: t.requesterId,
          group_id: t.groupId,
          assignee_id: t.assigneeId,
          channel: t.channel,
          source_key: t.sourceKey,
          version: events.length,
          created_at: t.createdAt,
          updated_at: t.createdAt,
          resolved_at: null,
          closed_at: null,
        };
        // Every column is written here, so only the id is read back (RETURNING * decoded the whole
        // row again: a sixth of the time a ticket takes to create).
        const { id } = await trx
          .insertInto('tickets')
          .values(values)
          .returning('id')
          .executeTakeFirstOrThrow();
        const row: TicketRow = { id, ...values };
        if (events.length > 0)
          await trx
            .insertInto('ticket_events')
            .values(eventRows(id, 1, events))
            .execute();
        return toTicket(row);
      });
    },
    async byNumber(number) {
      const r = await db
        .selectFrom('tickets')
        .selectAll()
        .where('number', '=', number.toUpperCase())
        .executeTakeFirst();
      return r ? toTicket(r) : null;
    },
    byId,
    async bySourceKey(key) {
      const r = await db.selectFrom('tickets').selectAll().where('source_key', '=', key).executeTakeFirst();
      return r ? toTicket(r) : null;
    },
    async events(ticketId) {
      const rows = await db
        .selectFrom('ticket_events')
        .selectAll()
        .where('ticket_id', '=', ticketId)
        .orderBy('seq')
        .execute();
      return rows.map(toEvent);
    },
    async apply(ticketId, expectedVersion, patch, events) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('tickets')
          .set({ ...patchRow(patch), version: expectedVersion + events.length })
          .where('id', '=', ticketId)
          .where('version', '=', expectedVersion)
          .returningAll()
          .executeTakeFirst();
        if (!row) return null;
        if (events.length > 0) {
          await trx
            .insertInto('ticket_events')
            .values(eventRows(ticketId, expectedVersion + 1, events))
            .execute();
        }
        return toTicket(row);
      });
    },
    async append(ticketId, events, now) {
      return db.transaction().execute(async (trx) => {
        // The update takes the row's write lock first: concurrent appends get consecutive versions.
        const row = await trx
          .updateTable('tickets')
          .set((eb) => ({ updated_at: now, version: eb('version', '+', events.length) }))
          .where('id', '=', ticketId)
          .returningAll()
          .executeTakeFirst();
        if (!row) return null;
        if (events.length > 0)
          await trx
            .insertInto('ticket_events')
            .values(eventRows(ticketId, row.version - events.length + 1, events))
            .execute();
        return toTicket(row);
      });
    },
    async list(f: TicketFilter) {
      let q = db.selectFrom('tickets').selectAll();
      if (f.requesterId !== undefined) q = q.where('requester_id', '=', f.requesterId);
      if (f.groupId !== undefined) q = q.where('group_id', '=', f.groupId);
      if (f.assigneeId !== undefined) q = q.where('assignee_id', '=', f.assigneeId);
      if (f.states && f.states.length > 0) q = q.where('state', 'in', f.states);
      const rows = await read(q.orderBy('id', 'desc').limit(f.limit ?? 50));
      return rows.map(toTicket);
    },
    async addComment(c): Promise<Comment> {
      const r = await db
        .insertInto('comments')
        .values({
          ticket_id: c.ticketId,
          author_id: c.authorId,
          body: c.body,
          internal: c.internal ? 1 : 0,
          platform: c.platform,
          created_at: c.createdAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { ...c, id: r.id };
    },
    async comments(ticketId, opts = {}) {
      let q = db.selectFrom('comments').selectAll().where('ticket_id', '=', ticketId);
      if (!opts.includeInternal) q = q.where('internal', '=', 0);
      const rows = await q.orderBy('id').execute();
      return rows.map((r) => ({
        id: r.id,
        ticketId: r.ticket_id,
        authorId: r.author_id,
        body: r.body,
        internal: r.internal === 1,
        platform: r.platform,
        createdAt: r.created_at,
      }));
    },
    async version(ticketId) {
      const r = await db
        .selectFrom('tickets')
        .select('version')
        .where('id', '=', ticketId)
        .executeTakeFirstOrThrow();
      return r.version;
    },
  };
}
