/**
 * A requester's word on impact ("my whole team", "I can't work") raises priority only up to a
 * ceiling (P2 by default): a jammed printer must not become a P1 with a 15-minute around-the-clock
 * SLA in two clicks. Above the ceiling it takes an agent, or a rule:
 * - many reporters: at least `manyReporters` people reported something similar within the hour;
 * - a known major incident: the ticket is linked to a problem that is itself P1.
 */

import type { ItilStore, TicketStore } from './ports.js';
import { isHigherPriority, levelsFor, priorityOf } from './priority.js';
import { jaccard, tokens } from './service-helpers.js';
import type { Level, Priority, Ticket } from './types.js';

interface CappedLevels {
  impact: Level;
  urgency: Level;
  priority: Priority;
  /** The priority the requester asked for, when it was lowered to the ceiling. */
  capped: Priority | null;
}

/** The highest impact/urgency at or below the ceiling, keeping the claimed impact when it can. */
export function capLevels(impact: Level, urgency: Level, ceiling: Priority): CappedLevels {
  const wanted = priorityOf(impact, urgency);
  if (!isHigherPriority(wanted, ceiling)) return { impact, urgency, priority: wanted, capped: null };
  const pairs = levelsFor(ceiling);
  const pick = pairs.find((p) => p.impact === impact) ?? pairs.find((p) => p.urgency === urgency) ?? pairs[0];
  const chosen = pick ?? { impact: 'medium' as Level, urgency: 'medium' as Level };
  return { ...chosen, priority: ceiling, capped: wanted };
}

interface RequesterCeilingDeps {
  ceiling: Priority;
  tickets: Pick<TicketStore, 'byId'>;
  itil: Pick<ItilStore, 'recentOpenIncidents' | 'linkedTo'>;
  /** Distinct reporters of similar open incidents within the hour that allow P1 (default 3). */
  manyReporters?: number;
}

/**
 * The ceiling for a requester's claim on this ticket, with the rule that lifted it when one did.
 * Passed to the ticket service as `requesterCeiling`.
 */
export function requesterCeiling(deps: RequesterCeilingDeps) {
  const many = deps.manyReporters ?? 3;
  return async (t: Ticket, now: string): Promise<{ ceiling: Priority; rule: string | null }> => {
    for (const id of await deps.itil.linkedTo(t.id, 'problem')) {
      const problem = await deps.tickets.byId(id);
      if (problem?.priority === 'P1')
        return { ceiling: 'P1', rule: `linked to major incident ${problem.number}` };
    }
    if (t.kind === 'incident') {
      const since = new Date(Date.parse(now) - 60 * 60_000).toISOString();
      const mine = tokens(`${t.title} ${t.description}`);
      const reporters = new Set<number>([t.requesterId]);
      for (const o of await deps.itil.recentOpenIncidents(since, 200))
        if (o.id !== t.id && jaccard(mine, tokens(`${o.title} ${o.description}`)) >= 0.3)
          reporters.add(o.requesterId);
      if (reporters.size >= many)
        return { ceiling: 'P1', rule: `${reporters.size} people reported this within the hour` };
    }
    return { ceiling: deps.ceiling, rule: null };
  };
}
