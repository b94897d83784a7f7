/** Reading a problem: its record and the incidents linked to it. */

import { assertStaff } from '../service-helpers.js';
import type { Person } from '../types.js';
import type { ProblemCore } from './core.js';
import type { ProblemServiceDeps, ProblemView } from './types.js';

export function createProblemViews(deps: Pick<ProblemServiceDeps, 'itil'>, core: ProblemCore) {
  const { itil } = deps;
  const { mustProblem, record } = core;

  return {
    async view(problemNumber: string, viewer: Person): Promise<ProblemView> {
      assertStaff(viewer, 'view problems');
      const problem = await mustProblem(problemNumber);
      const incidents = await itil.ticketsByIds(await itil.linkedFrom(problem.id, 'problem'));
      return {
        problem,
        record: await record(problem),
        incidents: incidents.map((t) => ({
          number: t.number,
          title: t.title,
          state: t.state,
          requesterId: t.requesterId,
        })),
      };
    },
  };
}
