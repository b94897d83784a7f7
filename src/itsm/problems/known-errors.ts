/** Matching new reports to known errors (by meaning and by keywords) and offering their workaround. */
import type { ProblemRecord, Ticket } from '../types.js';
import type { ProblemCore } from './core.js';
import { knownErrorScore } from './rules.js';
import type { ProblemServiceDeps } from './types.js';

export function createKnownErrors(
  deps: Pick<ProblemServiceDeps, 'tickets' | 'itil' | 'config' | 'similarity'>,
  core: ProblemCore,
) {
  const { tickets, itil } = deps;
  const { linkOne } = core;

  /** The best known error for a message, if it matches well enough. */
  async function matchKnownError(
    text: string,
  ): Promise<{ problem: Ticket; record: ProblemRecord; score: number } | null> {
    let best: { record: ProblemRecord; score: number } | null = null;
    const known = await itil.knownErrors();
    // By meaning first: "cannot receive any mail in outlook" is "Outlook is down" with no word in common
    // but one. Keywords still match when no encoder is loaded or the title says too little.
    const titles = deps.similarity
      ? await itil.ticketsByIds(known.map((k) => k.ticketId)).catch(() => [])
      : [];
    const meaning =
      deps.similarity && titles.length > 0
        ? await deps.similarity.scores(
            text,
            known.map((k) => titles.find((t) => t.id === k.ticketId)?.title ?? k.keywords.join(' ')),
          )
        : [];
    for (const [i, rec] of known.entries()) {
      const byWords = knownErrorScore(rec.keywords, text);
      const byMeaning = meaning[i] ?? 0;
      const score = byMeaning >= deps.config.knownErrorMeaning ? Math.max(byMeaning, byWords) : byWords;
      if (
        (byWords >= deps.config.knownErrorMatch || byMeaning >= deps.config.knownErrorMeaning) &&
        (!best || score > best.score)
      )
        best = { record: rec, score };
    }
    if (!best) return null;
    const problem = await tickets.byId(best.record.ticketId);
    return problem ? { problem, record: best.record, score: best.score } : null;
  }

  return {
    matchKnownError,

    /**
     * For a freshly opened incident: when its text matches a known error, links it to the problem and
     * returns the workaround for the bot to offer. Null when nothing matches.
     */
    async offerWorkaround(
      incident: Ticket,
      text: string,
      now: string,
    ): Promise<{ problem: string; workaround: string; reply: string } | null> {
      if (incident.kind !== 'incident') return null;
      const m = await matchKnownError(text);
      if (!m?.record.workaround) return null;
      // Linked already (by the chat hook or the sweep): the workaround was offered then.
      const linked = await linkOne(
        m.problem,
        incident,
        null,
        `matched known error ${m.problem.number} (score ${m.score.toFixed(2)})`,
        now,
      );
      if (!linked) return null;
      return {
        problem: m.problem.number,
        workaround: m.record.workaround,
        reply: `This looks like a known issue we are working on (${m.problem.number}: ${m.problem.title}). Until it is fixed, this should help: ${m.record.workaround}. I've linked ${incident.number} so you'll hear when it is resolved.`,
      };
    },
  };
}
