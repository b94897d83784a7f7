/**
 * The bulk writer of imported event logs (e.g. a ServiceNow incident log): the people and groups a log
 * refers to, then its tickets and events. Same SQL on SQLite and PostgreSQL.
 */
import { type Kysely, sql } from 'kysely';
import { AppError } from '../../errors.js';
import type { ImportedTicket } from '../../itsm/kpis/servicenow.js';
import type { DB } from '../schema.js';

export interface PrepareImportOptions {
  assigneeRefs: readonly string[];
  groupSlugs: readonly string[];
  source: string;
  now: string;
}

export interface InsertImportedContext {
  source: string;
  requesterId: number;
  groupIds: ReadonlyMap<string, number>;
  assigneeId: (ref: string) => number;
}

/** People and groups an imported log refers to, created once (idempotent by email and slug). */
export async function prepareImport(db: Kysely<DB>, opts: PrepareImportOptions) {
  const email = (local: string) => `${local}@${opts.source}.import.invalid`;
  const people = [
    { email: email('caller'), display_name: `${opts.source} caller`, role: 'employee' as const },
    { email: email('agent'), display_name: `${opts.source} agent`, role: 'agent' as const },
    ...opts.assigneeRefs.map((r) => ({
      email: email(`agent-${r}`),
      display_name: `${opts.source} agent ${r}`,
      role: 'agent' as const,
    })),
  ];
  for (let i = 0; i < people.length; i += 500) {
    await db
      .insertInto('people')
      .values(people.slice(i, i + 500).map((p) => ({ ...p, time_zone: 'UTC', created_at: opts.now })))
      .onConflict((oc) => oc.column('email').doNothing())
      .execute();
  }
  if (opts.groupSlugs.length > 0) {
    await db
      .insertInto('groups')
      .values(
        opts.groupSlugs.map((slug) => ({
          slug,
          name: `${opts.source} ${slug}`,
          description: `Imported from ${opts.source}`,
          triage: '{}',
          calendar: 'business',
          strategy: 'least_load',
        })),
      )
      .onConflict((oc) => oc.column('slug').doNothing())
      .execute();
  }
  const ids = new Map(
    (
      await db
        .selectFrom('people')
        .select(['id', 'email'])
        .where('email', 'like', `%@${opts.source}.import.invalid`)
        .execute()
    ).map((r) => [r.email, r.id]),
  );
  const groupIds = new Map(
    (await db.selectFrom('groups').select(['id', 'slug']).execute()).map((g) => [g.slug, g.id]),
  );
  const idOf = (e: string): number => {
    const id = ids.get(e);
    if (id === undefined) throw new AppError('internal', `import: person ${e} was not created`);
    return id;
  };
  return {
    people: {
      callerId: idOf(email('caller')),
      agentId: idOf(email('agent')),
      assignee: (ref: string) => idOf(email(`agent-${ref}`)),
    },
    groupIds,
  };
}

/**
 * Writes imported tickets with their events in one transaction, skipping numbers already present
 * (so re-running an import is harmless), and moves the incident counter past the imported numbers
 * so tickets opened afterwards never collide.
 */
export async function insertImported(
  db: Kysely<DB>,
  tickets: readonly ImportedTicket[],
  ctx: InsertImportedContext,
): Promise<{ tickets: number; events: number; skipped: number }> {
  let written = 0;
  let eventCount = 0;
  let skipped = 0;
  await db.transaction().execute(async (trx) => {
    const existing = new Set<string>();
    for (let i = 0; i < tickets.length; i += 1000) {
      const nums = tickets.slice(i, i + 1000).map((t) => t.number);
      for (const r of await trx.selectFrom('tickets').select('number').where('number', 'in', nums).execute())
        existing.add(r.number);
    }
    const fresh = tickets.filter((t) => !existing.has(t.number));
    skipped = tickets.length - fresh.length;
    for (let i = 0; i < fresh.length; i += 500) {
      const chunk = fresh.slice(i, i + 500);
      const rows = await trx
        .insertInto('tickets')
        .values(
          chunk.map((t) => ({
            number: t.number,
            kind: 'incident',
            title: t.title,
            description: t.title,
            state: t.state,
            pending_reason: t.pendingReason,
            impact: t.impact,
            urgency: t.urgency,
            priority: t.priority,
            category: t.category,
            template_id: null,
            fields: '{}',
            requester_id: ctx.requesterId,
            group_id: t.groupSlug === null ? null : (ctx.groupIds.get(t.groupSlug) ?? null),
            assignee_id: t.assigneeRef === null ? null : ctx.assigneeId(t.assigneeRef),
            channel: t.channel,
            source_key: `${ctx.source}:${t.number}`,
            version: t.events.length,
            created_at: t.createdAt,
            updated_at: t.updatedAt,
            resolved_at: t.resolvedAt,
            closed_at: t.closedAt,
          })),
        )
        .returning(['id', 'number'])
        .execute();
      const idOf = new Map(rows.map((r) => [r.number, r.id]));
      const evs = chunk.flatMap((t) =>
        t.events.map((e, k) => ({
          ticket_id: idOf.get(t.number) as number,
          seq: k + 1,
          at: e.at,
          actor_id: e.actorId,
          type: e.type,
          from_value: e.from ?? null,
          to_value: e.to ?? null,
          reason: e.reason ?? null,
          data: JSON.stringify(e.data ?? {}),
        })),
      );
      for (let j = 0; j < evs.length; j += 2000)
        await trx
          .insertInto('ticket_events')
          .values(evs.slice(j, j + 2000))
          .execute();
      written += chunk.length;
      eventCount += evs.length;
    }
    let maxSeq = 0;
    for (const t of fresh) {
      const m = /^INC(\d{7})$/.exec(t.number);
      if (m) maxSeq = Math.max(maxSeq, Number(m[1]));
    }
    if (maxSeq > 0) {
      await trx
        .insertInto('counters')
        .values({ name: 'incident', value: maxSeq })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet({
            value: sql<number>`case when counters.value > ${maxSeq} then counters.value else ${maxSeq} end`,
          }),
        )
        .execute();
    }
  });
  return { tickets: written, events: eventCount, skipped };
}
