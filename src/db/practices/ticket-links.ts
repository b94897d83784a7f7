/** Typed links between tickets (problem, caused by a change, duplicate, child). */
import type { Kysely } from 'kysely';
import type { ItilStore } from '../../itsm/ports.js';
import type { DB } from '../schema.js';

export function ticketLinks(db: Kysely<DB>): Pick<ItilStore, 'link' | 'linkedFrom' | 'linkedTo'> {
  return {
    async link(from, to, type, actorId, at) {
      const r = await db
        .insertInto('ticket_links')
        .values({ from_ticket_id: from, to_ticket_id: to, type, actor_id: actorId, created_at: at })
        .onConflict((oc) => oc.columns(['from_ticket_id', 'to_ticket_id', 'type']).doNothing())
        .returning('from_ticket_id')
        .executeTakeFirst();
      return r !== undefined;
    },
    async linkedFrom(toTicketId, type) {
      const rows = await db
        .selectFrom('ticket_links')
        .select('from_ticket_id')
        .where('to_ticket_id', '=', toTicketId)
        .where('type', '=', type)
        .orderBy('from_ticket_id')
        .execute();
      return rows.map((r) => r.from_ticket_id);
    },
    async linkedTo(fromTicketId, type) {
      const rows = await db
        .selectFrom('ticket_links')
        .select('to_ticket_id')
        .where('from_ticket_id', '=', fromTicketId)
        .where('type', '=', type)
        .orderBy('to_ticket_id')
        .execute();
      return rows.map((r) => r.to_ticket_id);
    },
  };
}
