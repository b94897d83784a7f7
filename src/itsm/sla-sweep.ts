/**
 * The SLA sweep: finds clocks that reached their warning threshold or breached, notifies once, and
 * escalates breaches functionally (the group's escalation group takes over) and hierarchically (the
 * group's manager gets a DM).
 *
 * "Once" holds across repeated sweeps and several processes: every notice first inserts its key into
 * sla_notifications (ON CONFLICT DO NOTHING); only the sweep whose insert won acts.
 */
import { ticketSla } from './sla.js';
import { createNoticeActions } from './sla-sweep/acting.js';
import { dueNotices } from './sla-sweep/notices.js';
import type { SlaSweepDeps, SweepResult } from './sla-sweep/types.js';

export { dueNotices } from './sla-sweep/notices.js';
export type { SweepResult } from './sla-sweep/types.js';

/**
 * The scan over open tickets lives here; the parts: sla-sweep/notices.ts (which notices the clocks call
 * for), acting.ts (what a won notice does), escalation.ts (the functional escalation).
 */
export function createSlaSweep(deps: SlaSweepDeps) {
  const kinds = deps.kinds ?? (['incident', 'service_request'] as const);
  const pageSize = deps.pageSize ?? 200;
  const { tickets, directory, itil } = deps;
  const { act } = createNoticeActions(deps);

  return {
    async sweep(now: string): Promise<SweepResult> {
      const result: SweepResult = {
        scanned: 0,
        warnings: 0,
        breaches: 0,
        functionalEscalations: 0,
        hierarchicalEscalations: 0,
        nextDueAt: null,
      };
      let afterId = 0;
      const calendars = new Map<number, string | null>();
      const calendarOf = async (groupId: number | null): Promise<string | null> => {
        if (groupId === null) return null;
        if (!calendars.has(groupId))
          calendars.set(groupId, (await directory.groupById(groupId))?.calendar ?? null);
        return calendars.get(groupId) ?? null;
      };
      for (;;) {
        const page = await itil.openTickets(kinds, afterId, pageSize);
        if (page.length === 0) break;
        for (const t of page) {
          afterId = t.id;
          result.scanned++;
          const events = await tickets.events(t.id);
          const sla = ticketSla(deps.sla, t, await calendarOf(t.groupId), events, now);
          for (const c of [sla.response, sla.resolution]) {
            if (c.nextChangeAt && (result.nextDueAt === null || c.nextChangeAt < result.nextDueAt))
              result.nextDueAt = c.nextChangeAt;
          }
          for (const notice of dueNotices(t, sla)) {
            const won = await itil.claimNotification({
              key: notice.key,
              ticketId: t.id,
              kind: notice.kind,
              clock: notice.clock,
              dueAt: notice.dueAt,
              createdAt: now,
            });
            if (won) await act(t, notice, now, result);
          }
        }
        if (page.length < pageSize) break;
      }
      return result;
    },
  };
}
