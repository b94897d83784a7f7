/** Moving a problem through its states; resolving it tells the requesters of its closed incidents. */
import { assertTransition } from '../lifecycle.js';
import { applyToTicket, assertStaff } from '../service-helpers.js';
import { OPEN_STATES, type Person, type Ticket } from '../types.js';
import type { ProblemCore } from './core.js';
import type { ProblemServiceDeps } from './types.js';

const OPEN = new Set<string>(OPEN_STATES);

export function createProblemLifecycle(
  deps: Pick<ProblemServiceDeps, 'tickets' | 'itil' | 'notifier'>,
  core: ProblemCore,
) {
  const { tickets, itil, notifier } = deps;
  const { mustProblem } = core;

  return {
    /** Moves the problem; resolving it tells every requester of a linked incident. */
    async transition(
      problemNumber: string,
      to: Ticket['state'],
      actor: Person,
      reason: string | null,
      now: string,
    ): Promise<{ problem: Ticket; notified: number; openIncidents: string[] }> {
      assertStaff(actor, 'work on problems');
      const current = await mustProblem(problemNumber);
      const problem = await applyToTicket(
        tickets,
        current.id,
        (t) => {
          assertTransition(t.state, to, {
            now,
            resolvedAt: t.resolvedAt,
            pendingReason: to === 'pending' ? 'vendor' : null,
            ticketNumber: t.number,
          });
          return {
            patch: {
              state: to,
              pendingReason: to === 'pending' ? 'vendor' : null,
              ...(to === 'resolved' ? { resolvedAt: now } : {}),
              ...(to === 'closed' || to === 'cancelled' ? { closedAt: now } : {}),
            },
            events: [{ at: now, actorId: actor.id, type: 'state_changed', from: t.state, to, reason }],
          };
        },
        now,
      );
      let notified = 0;
      const openIncidents: string[] = [];
      if (to === 'resolved') {
        const linked = await itil.ticketsByIds(await itil.linkedFrom(problem.id, 'problem'));
        for (const inc of linked) {
          // Still open: the agent is offered to resolve it (resolveIncidents), which asks its requester
          // to confirm; telling them "fixed" now would leave an open ticket behind the good news.
          if (OPEN.has(inc.state)) {
            openIncidents.push(inc.number);
            continue;
          }
          await notifier.notifyRequester(
            inc,
            `Good news: the underlying problem behind ${inc.number} (${problem.number}: ${problem.title}) is fixed${reason ? `: ${reason}` : ''}. If ${inc.number} still happens, reply here.`,
            `problem-resolved:${problem.number}`,
          );
          notified++;
        }
      }
      return { problem, notified, openIncidents };
    },
  };
}
