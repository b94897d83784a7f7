/** The ticket queries the SLA sweep and the approval catch-up walk, and the sweep's notification claims. */
import type { Kysely } from 'kysely';
import type { ItilStore } from '../../itsm/ports.js';
import { OPEN_STATES } from '../../itsm/types.js';
import type { DB } from '../schema.js';
import { toTicket } from '../ticket-store.js';

export function sweepTicketQueries(
  db: Kysely<DB>,
): Pick<
  ItilStore,
  'claimNotification' | 'openTickets' | 'recentOpenIncidents' | 'requestsWithoutApprovals' | 'ticketsByIds'
> {
  return {
    async claimNotification(n) {
      const r = await db
        .insertInto('sla_notifications')
        .values({
          key: n.key,
          ticket_id: n.ticketId,
          kind: n.kind,
          clock: n.clock,
          due_at: n.dueAt,
          created_at: n.createdAt,
        })
        .onConflict((oc) => oc.column('key').doNothing())
        .returning('key')
        .executeTakeFirst();
      return r !== undefined;
    },
    async openTickets(kinds, afterId, limit) {
      const rows = await db
        .selectFrom('tickets')
        .selectAll()
        .where('kind', 'in', [...kinds])
        .where('state', 'in', [...OPEN_STATES])
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toTicket);
    },
    async recentOpenIncidents(since, limit) {
      const rows = await db
        .selectFrom('tickets')
        .selectAll()
        .where('kind', '=', 'incident')
        .where('state', 'in', [...OPEN_STATES])
        .where('created_at', '>=', since)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toTicket);
    },
    async requestsWithoutApprovals(templateIds, limit) {
      if (templateIds.length === 0) return [];
      const rows = await db
        .selectFrom('tickets as t')
        .selectAll('t')
        .where('t.kind', '=', 'service_request')
        .where('t.state', 'in', [...OPEN_STATES])
        .where('t.template_id', 'in', [...templateIds])
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('approvals as a')
                .select('a.id')
                .whereRef('a.ticket_id', '=', 't.id')
                .where('a.purpose', '=', 'request'),
            ),
          ),
        )
        .orderBy('t.id')
        .limit(limit)
        .execute();
      return rows.map(toTicket);
    },
    async ticketsByIds(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('tickets')
        .selectAll()
        .where('id', 'in', [...ids])
        .orderBy('id')
        .execute();
      return rows.map(toTicket);
    },
  };
}
