/** Opening a problem from incidents, and linking more incidents to it. */
import { AppError } from '../../errors.js';
import { assertStaff, mustTicket, openStaffTicket } from '../service-helpers.js';
import { LEVELS, type Level, type Person, type Ticket } from '../types.js';
import type { ProblemCore } from './core.js';
import type { ProblemServiceDeps } from './types.js';

export function createProblemOpening(deps: Pick<ProblemServiceDeps, 'tickets' | 'itil'>, core: ProblemCore) {
  const { tickets, itil } = deps;
  const { mustProblem, linkOne } = core;

  return {
    /** An agent opens a problem from one or more incidents; priority is the worst of theirs unless given. */
    async create(
      actor: Person,
      input: { title: string; description?: string; incidents: string[]; impact?: Level; urgency?: Level },
      now: string,
    ): Promise<Ticket> {
      assertStaff(actor, 'create problems');
      const title = input.title.trim();
      if (!title)
        throw new AppError('validation_failed', 'A problem needs a title: what keeps going wrong?', {
          field: 'title',
        });
      const incidents: Ticket[] = [];
      for (const n of input.incidents) incidents.push(await mustTicket(tickets, n, 'incident'));
      const worst = (pick: (t: Ticket) => Level): Level =>
        LEVELS.find((l) => incidents.some((t) => pick(t) === l)) ?? 'medium';
      const impact = input.impact ?? worst((t) => t.impact);
      const urgency = input.urgency ?? worst((t) => t.urgency);
      const problem = await openStaffTicket(
        tickets,
        actor,
        {
          kind: 'problem',
          title,
          description: input.description ?? title,
          impact,
          urgency,
          category: incidents[0]?.category ?? null,
          fields: {},
          groupId: incidents[0]?.groupId ?? null,
        },
        { reason: `problem opened from ${incidents.map((t) => t.number).join(', ') || 'no incident'}` },
        now,
      );
      await itil.saveProblem({
        ticketId: problem.id,
        rootCause: null,
        workaround: null,
        knownError: false,
        keywords: [],
        updatedAt: now,
      });
      for (const inc of incidents)
        await linkOne(problem, inc, actor.id, `linked when ${problem.number} was opened`, now);
      return (await tickets.byId(problem.id)) ?? problem;
    },

    async link(problemNumber: string, incidentNumber: string, actor: Person, now: string): Promise<boolean> {
      assertStaff(actor, 'link incidents to problems');
      const problem = await mustProblem(problemNumber);
      return linkOne(
        problem,
        await mustTicket(tickets, incidentNumber, 'incident'),
        actor.id,
        `linked by ${actor.displayName}`,
        now,
      );
    },
  };
}
