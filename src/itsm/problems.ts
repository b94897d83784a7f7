/**
 * Problem management: problems are tickets of kind 'problem' linked to their incidents; root cause and
 * known error (workaround + match keywords) live in the problems table. New reports that match a known
 * error get the workaround at once and are linked; resolving a problem tells every linked requester;
 * bursts of similar incidents are flagged to the group as a possible problem.
 */
import { createProblemCore } from './problems/core.js';
import { createProblemDiagnosis } from './problems/diagnosis.js';
import { createKnownErrors } from './problems/known-errors.js';
import { createProblemLifecycle } from './problems/lifecycle.js';
import { createProblemOpening } from './problems/opening.js';
import type { ProblemServiceDeps } from './problems/types.js';
import { createProblemViews } from './problems/views.js';

export { defaultKeywords, findClusters, knownErrorScore } from './problems/rules.js';
export type { TextSimilarity } from './problems/types.js';

/**
 * The parts, by responsibility: problems/core.ts (reading, the record, linking incidents),
 * opening.ts (create, link), diagnosis.ts (root cause, known error), known-errors.ts (matching reports,
 * offering the workaround), views.ts (view), lifecycle.ts (states, telling requesters); the pure rules
 * (similar reports, keyword match) in rules.ts.
 */
export function createProblemService(deps: ProblemServiceDeps) {
  const core = createProblemCore(deps);
  const opening = createProblemOpening(deps, core);
  const diagnosis = createProblemDiagnosis(core);
  const knownErrors = createKnownErrors(deps, core);
  const views = createProblemViews(deps, core);
  const lifecycle = createProblemLifecycle(deps, core);
  return {
    create: opening.create,
    link: opening.link,
    setRootCause: diagnosis.setRootCause,
    publishKnownError: diagnosis.publishKnownError,
    matchKnownError: knownErrors.matchKnownError,
    offerWorkaround: knownErrors.offerWorkaround,
    view: views.view,
    transition: lifecycle.transition,
  };
}

export type ProblemService = ReturnType<typeof createProblemService>;
