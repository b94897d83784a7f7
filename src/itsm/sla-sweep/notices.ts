/** The notices a ticket's SLA clocks call for (pure), and the words they are announced with. */
import type { Clock, SlaResult } from '../sla.js';
import type { Ticket } from '../types.js';

type ClockName = 'response' | 'resolution';

export interface SlaNotice {
  /** Idempotency key; also the outbox dedupe key of the messages it sends. */
  key: string;
  kind: 'warning' | 'breach';
  clock: ClockName;
  dueAt: string | null;
  priority: SlaResult['priority'];
}

/**
 * The notices a ticket's clocks call for now. Warnings are keyed by priority, so a re-targeted clock
 * (priority raised) warns again for its new target; a breach is sticky and keyed once per clock.
 * A clock met after it breached (late response) is not announced: the news is stale.
 */
export function dueNotices(ticket: Pick<Ticket, 'id'>, sla: SlaResult): SlaNotice[] {
  const out: SlaNotice[] = [];
  const each: Array<[ClockName, Clock]> = [
    ['response', sla.response],
    ['resolution', sla.resolution],
  ];
  for (const [clock, c] of each) {
    if (c.breached && c.metAt === null && c.state !== 'stopped') {
      out.push({
        key: `sla:${ticket.id}:${clock}:breach`,
        kind: 'breach',
        clock,
        dueAt: c.breachedAt,
        priority: sla.priority,
      });
    } else if (c.warning && c.state === 'running') {
      out.push({
        key: `sla:${ticket.id}:${clock}:warning:${sla.priority}`,
        kind: 'warning',
        clock,
        dueAt: c.dueAt,
        priority: sla.priority,
      });
    }
  }
  return out;
}

export const CLOCK_WORD: Record<ClockName, string> = { response: 'first response', resolution: 'resolution' };

export function hhmm(iso: string | null): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'unknown';
}
