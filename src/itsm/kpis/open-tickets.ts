/**
 * Gauges of the tickets open right now (the /metrics scrape): how many per group, and how many have
 * breached their response or resolution target. Pure: storage hands in the open tickets.
 */
import { isPriority } from '../priority.js';
import { type SlaConfig, ticketSla } from '../sla.js';
import type { KpiTicket } from './types.js';

interface OpenTicketGauges {
  openTickets: { group: string; count: number }[];
  slaBreachedOpen: { clock: 'response' | 'resolution'; count: number }[];
}

export function openTicketGauges(sla: SlaConfig, open: readonly KpiTicket[], now: string): OpenTicketGauges {
  const groups = new Map<string, number>();
  let response = 0;
  let resolution = 0;
  for (const t of open) {
    groups.set(t.group ?? '(none)', (groups.get(t.group ?? '(none)') ?? 0) + 1);
    const r = ticketSla(
      sla,
      { ...t, priority: isPriority(t.priority) ? t.priority : 'P3' },
      t.groupCalendar,
      t.events,
      now,
    );
    if (r.response.breached && r.response.state !== 'met') response++;
    if (r.resolution.breached) resolution++;
  }
  return {
    openTickets: [...groups].map(([group, count]) => ({ group, count })),
    slaBreachedOpen: [
      { clock: 'response', count: response },
      { clock: 'resolution', count: resolution },
    ],
  };
}
