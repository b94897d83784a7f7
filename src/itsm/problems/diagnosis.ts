/** What the problem's investigation finds: its root cause, and the workaround published as a known error. */
import { AppError } from '../../errors.js';
import { assertStaff } from '../service-helpers.js';
import type { Person, ProblemRecord } from '../types.js';
import type { ProblemCore } from './core.js';
import { defaultKeywords } from './rules.js';

export function createProblemDiagnosis(core: ProblemCore) {
  const { mustProblem, record, saveRecord } = core;

  return {
    async setRootCause(
      problemNumber: string,
      actor: Person,
      rootCause: string,
      now: string,
    ): Promise<ProblemRecord> {
      assertStaff(actor, 'record a root cause');
      const problem = await mustProblem(problemNumber);
      const rec = { ...(await record(problem)), rootCause: rootCause.trim(), updatedAt: now };
      return saveRecord(
        problem,
        rec,
        actor.id,
        { to: rec.rootCause, reason: 'root cause recorded', data: { field: 'root_cause' } },
        now,
      );
    },

    /** Publishes the workaround as a known error: from now on matching reports get it at once. */
    async publishKnownError(
      problemNumber: string,
      actor: Person,
      input: { workaround: string; keywords?: string[] },
      now: string,
    ): Promise<ProblemRecord> {
      assertStaff(actor, 'publish known errors');
      const problem = await mustProblem(problemNumber);
      const workaround = input.workaround.trim();
      if (!workaround)
        throw new AppError('validation_failed', 'A known error needs a workaround people can apply.', {
          field: 'workaround',
        });
      const keywords = (
        input.keywords && input.keywords.length > 0 ? input.keywords : defaultKeywords(problem.title)
      ).map((k) => k.toLowerCase());
      const rec = { ...(await record(problem)), workaround, knownError: true, keywords, updatedAt: now };
      return saveRecord(
        problem,
        rec,
        actor.id,
        {
          to: 'known_error',
          reason: 'known error published',
          data: { field: 'known_error', workaround, keywords },
        },
        now,
      );
    },
  };
}
