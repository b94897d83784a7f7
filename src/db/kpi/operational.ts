/**
 * Counts for the Prometheus collectors (src/observability/metrics.ts), read on each scrape, and the
 * tickets open now; their SLA state is worked out in itsm (itsm/kpis/open-tickets.ts).
 */
import type { Kysely } from 'kysely';
import type { KpiTicket } from '../../itsm/kpis/types.js';
import type { OperationalSnapshot } from '../../observability/metrics.js';
import type { DB } from '../schema.js';
import { loadKpiInput } from './load.js';

export type OperationalCounts = Omit<OperationalSnapshot, 'openTickets' | 'slaBreachedOpen'> & {
  open: readonly KpiTicket[];
};

export async function operationalCounts(db: Kysely<DB>, now: string): Promise<OperationalCounts> {
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
  const open = await loadKpiInput(db, { since: now, until: now });
  return { received, sent, outboxBacklog, outboxDead, handoffs, open: open.tickets };
}
