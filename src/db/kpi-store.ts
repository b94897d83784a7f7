/**
 * What the KPI report needs from storage, loaded in three queries (tickets, their events, knowledge
 * answers) so a 25k-ticket report is one scan rather than a query per ticket; plus the CSI register
 * and the bulk writer of imported event logs. Same SQL on SQLite and PostgreSQL.
 */
import { type Kysely, sql } from 'kysely';
import { AppError } from '../errors.js';
import type { ImportedTicket } from '../itsm/kpis/servicenow.js';
import type { TargetBreach } from '../itsm/kpis/targets.js';
import type { KpiInput, KpiKbAnswer, KpiTicket } from '../itsm/kpis/types.js';
import { OPEN_STATES, type TicketEvent } from '../itsm/types.js';
import type { OperationalSnapshot } from '../observability/metrics.js';
import {
  createImprovementRegisterStore,
  type ImprovementItem,
  parseJsonObject as parse,
} from './improvement-register-store.js';
import type { DB } from './schema.js';

export type { ImprovementItem };

export interface KpiLoadOptions {
  since: string | null;
  until: string;
  group?: string | null;
}

export type KpiStore = ReturnType<typeof createKpiStore>;

export function createKpiStore(db: Kysely<DB>) {
  /** Tickets created in the period, plus every ticket still open (for backlog and agent load). */
  function ticketScope(opts: KpiLoadOptions) {
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

  const store = {
    ...createImprovementRegisterStore(db),
    async load(opts: KpiLoadOptions): Promise<KpiInput> {
      const rows = await ticketScope(opts)
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
        .where('e.ticket_id', 'in', ticketScope(opts).select('t.id'))
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
      // Answers after the period are needed too: they are how a need "comes back".
      let kq = db
        .selectFrom('kb_answers')
        .select([
          'id',
          'person_id',
          'article_id',
          'intent',
          'platform',
          'answered_at',
          'outcome',
          'outcome_at',
        ]);
      if (opts.since !== null) kq = kq.where('answered_at', '>=', opts.since);
      const kbAnswers: KpiKbAnswer[] = (await kq.execute()).map((a) => ({
        id: a.id,
        personId: a.person_id,
        articleId: a.article_id,
        intent: a.intent,
        platform: a.platform,
        answeredAt: a.answered_at,
        outcome: a.outcome,
        outcomeAt: a.outcome_at,
      }));
      const staff = await db
        .selectFrom('people')
        .select(['id', 'display_name'])
        .where('role', '!=', 'employee')
        .execute();
      return { tickets, kbAnswers, agentNames: new Map(staff.map((p) => [p.id, p.display_name])) };
    },

    /**
     * Counts for the Prometheus collectors (src/observability/metrics.ts), read on each scrape, and the
     * tickets open now; their SLA state is worked out in itsm (itsm/kpis/open-tickets.ts).
     */
    async operationalCounts(
      now: string,
    ): Promise<
      Omit<OperationalSnapshot, 'openTickets' | 'slaBreachedOpen'> & { open: readonly KpiTicket[] }
    > {
      const byPlatform = async (table: 'inbox' | 'outbox', status?: 'sent' | 'pending' | 'dead') => {
        let q = db
          .selectFrom(table)
          .select(['platform', (eb) => eb.fn.countAll<number | string>().as('n')])
          .groupBy('platform');
        if (status) q = q.where('status', '=', status);
        return (await q.execute()).map((r) => ({ platform: r.platform, count: Number(r.n) }));
      };
      const [received, sent, outboxBacklog, outboxDead] = await Promise.all([
        byPlatform('inbox'),
        byPlatform('outbox', 'sent'),
        byPlatform('outbox', 'pending'),
        byPlatform('outbox', 'dead'),
      ]);
      const handoffs = (
        await db
          .selectFrom('ticket_events')
          .select(['reason', (eb) => eb.fn.countAll<number | string>().as('n')])
          .where('type', '=', 'owner_changed')
          .where('from_value', '=', 'bot')
          .where('to_value', '=', 'queue')
          .groupBy('reason')
          .execute()
      ).map((r) => ({ reason: r.reason, count: Number(r.n) }));
      // since = until = now: no creation window, so only the tickets open now are loaded.
      const open = await store.load({ since: now, until: now });
      return { received, sent, outboxBacklog, outboxDead, handoffs, open: open.tickets };
    },

    async groupExists(slug: string): Promise<boolean> {
      return (
        (await db.selectFrom('groups').select('id').where('slug', '=', slug).executeTakeFirst()) !== undefined
      );
    },

    /**
     * Opens an item per new breach and refreshes evidence of items already open for the same key; items
     * whose target is met again are left for a person to close (the register is a human's to-do list).
     * Owner = manager of the group for group scopes, else the first manager of any group.
     */
    async recordBreaches(
      breaches: readonly TargetBreach[],
      now: string,
      links: Record<string, unknown> = {},
    ): Promise<{ opened: number; updated: number }> {
      let opened = 0;
      let updated = 0;
      const groups = await db.selectFrom('groups').select(['slug', 'manager_id']).execute();
      const managers = new Map(groups.map((g) => [g.slug, g.manager_id]));
      const fallback = groups.find((g) => g.manager_id !== null)?.manager_id ?? null;
      await db.transaction().execute(async (trx) => {
        for (const b of breaches) {
          const existing = await trx
            .selectFrom('improvement_items')
            .select(['id', 'status'])
            .where('key', '=', b.key)
            .executeTakeFirst();
          const evidence = JSON.stringify({ ...b.evidence, target: b.target, value: b.value, n: b.n });
          if (existing && (existing.status === 'open' || existing.status === 'in_progress')) {
            await trx
              .updateTable('improvement_items')
              .set({ title: b.title, evidence, updated_at: now })
              .where('id', '=', existing.id)
              .execute();
            updated++;
          } else {
            const row = {
              kpi: b.kpi,
              scope_kind: b.scopeKind,
              scope: b.scope,
              title: b.title,
              status: 'open' as const,
              owner_id: b.scopeKind === 'group' ? (managers.get(b.scope) ?? fallback) : fallback,
              evidence,
              links: JSON.stringify(links),
              opened_at: now,
              updated_at: now,
              closed_at: null,
            };
            // A done or dismissed item that misses again is reopened rather than duplicated.
            if (existing)
              await trx.updateTable('improvement_items').set(row).where('id', '=', existing.id).execute();
            else
              await trx
                .insertInto('improvement_items')
                .values({ key: b.key, ...row })
                .execute();
            opened++;
          }
        }
      });
      return { opened, updated };
    },

    /** People and groups an imported log refers to, created once (idempotent by email and slug). */
    async prepareImport(opts: {
      assigneeRefs: readonly string[];
      groupSlugs: readonly string[];
      source: string;
      now: string;
    }) {
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
    },

    /**
     * Writes imported tickets with their events in one transaction, skipping numbers already present
     * (so re-running an import is harmless), and moves the incident counter past the imported numbers
     * so tickets opened afterwards never collide.
     */
    async insertImported(
      tickets: readonly ImportedTicket[],
      ctx: {
        source: string;
        requesterId: number;
        groupIds: ReadonlyMap<string, number>;
        assigneeId: (ref: string) => number;
      },
    ): Promise<{ tickets: number; events: number; skipped: number }> {
      let written = 0;
      let eventCount = 0;
      let skipped = 0;
      await db.transaction().execute(async (trx) => {
        const existing = new Set<string>();
        for (let i = 0; i < tickets.length; i += 1000) {
          const nums = tickets.slice(i, i + 1000).map((t) => t.number);
          for (const r of await trx
            .selectFrom('tickets')
            .select('number')
            .where('number', 'in', nums)
            .execute())
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
    },
  };
  return store;
}
