/** After a problem is fixed: its still-open incidents resolved, each requester asked to confirm. */
import { AppError } from '../../errors.js';
import { assertTransition } from '../lifecycle.js';
import { applyToTicket, assertStaff, mustTicket, recordEvents } from '../service-helpers.js';
import { OPEN_STATES, type Person } from '../types.js';
import type { ClusterServiceDeps } from './types.js';

export function createIncidentResolution(deps: Pick<ClusterServiceDeps, 'tickets' | 'itil' | 'notifier'>) {
  const { tickets, itil, notifier } = deps;

  return {
    /**
     * Resolves the problem's incidents that are still open and asks each requester to confirm the fix
     * (their ticket card carries "Confirm and close" and "Still broken: reopen").
     */
    async resolveIncidents(
      problemNumber: string,
      actor: Person,
      now: string,
    ): Promise<{ resolved: string[] }> {
      assertStaff(actor, 'resolve incidents');
      const problem = await mustTicket(tickets, problemNumber, 'problem');
      if (problem.state !== 'resolved' && problem.state !== 'closed')
        throw new AppError(
          'illegal_transition',
          `${problem.number} is ${problem.state}: resolve the problem first, then its incidents.`,
          { details: { state: problem.state } },
        );
      const resolved: string[] = [];
      for (const inc of await itil.ticketsByIds(await itil.linkedFrom(problem.id, 'problem'))) {
        if (!OPEN_STATES.includes(inc.state)) continue;
        const done = await applyToTicket(
          tickets,
          inc.id,
          (t) => {
            if (!OPEN_STATES.includes(t.state)) return null;
            assertTransition(t.state, 'resolved', {
              now,
              resolvedAt: t.resolvedAt,
              pendingReason: null,
              ticketNumber: t.number,
            });
            return {
              patch: { state: 'resolved', pendingReason: null, resolvedAt: now },
              events: [
                {
                  at: now,
                  actorId: actor.id,
                  type: 'state_changed',
                  from: t.state,
                  to: 'resolved',
                  reason: `fixed with ${problem.number}`,
                },
              ],
            };
          },
          now,
        );
        if (done.state !== 'resolved') continue;
        resolved.push(done.number);
        await notifier.notifyRequester(
          done,
          `${done.number} is resolved: the underlying problem (${problem.number}: ${problem.title}) is fixed. Does it work for you now? Confirm to close it, or reopen it if it still happens.`,
          `problem-resolved:${problem.number}`,
        );
      }
      if (resolved.length > 0)
        await recordEvents(
          tickets,
          problem.id,
          [
            {
              at: now,
              actorId: actor.id,
              type: 'field_changed',
              to: resolved.join(', '),
              reason: 'linked incidents resolved',
              data: { field: 'incidents_resolved' },
            },
          ],
          now,
        );
      return { resolved };
    },
  };
}
