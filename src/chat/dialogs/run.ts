/**
 * The interpreter: carries out a step's effects in order (ticket service, knowledge, handoff, the
 * ITIL hooks), feeds each result to its continuation, and collects the replies. The only part of the
 * dialog layer that does I/O. Ticket effects live in `run-tickets.ts`, change effects in
 * `run-changes.ts`; what they share in `run-tools.ts`.
 */
import { runCommand } from './commands.js';
import { resumeIfIdle } from './router.js';
import { createChangeEffects } from './run-changes.js';
import { createTicketEffects } from './run-tickets.js';
import { createRunTools, type RunContext, type RunDeps } from './run-tools.js';
import type { DialogStack, Effect, Step } from './types.js';

export type { RunContext } from './run-tools.js';

export function createRunner(deps: RunDeps) {
  const { tickets, store, nlu, hooks } = deps;
  const tools = createRunTools(deps);
  const ticketEffect = createTicketEffects(deps, tools);
  const changeEffect = createChangeEffects(deps, tools);

  async function effect(rc: RunContext, e: Effect): Promise<Step | null> {
    const { person, now } = rc.facts;
    switch (e.do) {
      case 'note':
        rc.notes ??= { start: [], end: [] };
        rc.notes[e.at].push(e.text);
        return null;
      case 'say': {
        const { bindTicketId, updateSource, ...said } = e.say;
        const n = rc.notes;
        const reply = n ? { ...said, text: [...n.start, said.text, ...n.end].join('\n') } : said;
        delete rc.notes;
        rc.replies.push({
          reply,
          ...(bindTicketId === undefined ? {} : { bindTicketId }),
          ...(updateSource ? { updateSource } : {}),
        });
        return null;
      }
      case 'triage':
        return e.next(await nlu.triage.predict(e.text, { nearest: false }));
      case 'kb_answer':
        return e.next(await nlu.knowledge.answer(e.query));
      case 'kb_search':
        return e.next(await nlu.knowledge.search(e.query, e.k));
      case 'kb_record':
        return e.next(
          await store.recordKbAnswer({
            personId: person.id,
            articleId: e.articleId,
            query: e.query,
            intent: e.intent,
            confidence: e.confidence,
            platform: rc.platform,
            answeredAt: now,
          }),
        );
      case 'kb_outcome':
        await store.setKbOutcome(e.answerId, e.outcome, now, null);
        return null;
      case 'command':
        return e.next(await runCommand(tickets, hooks, rc.facts, e.which, e.text));
      case 'open_change':
      case 'schedule_change':
      case 'submit_change':
        return changeEffect(rc, e);
      default:
        return ticketEffect(rc, e);
    }
  }

  /** Runs a step and everything its continuations lead to; returns the stack the turn ends on. */
  async function run(rc: RunContext, start: Step, stack: DialogStack): Promise<DialogStack> {
    let current = stack;
    const go = async (s: Step): Promise<void> => {
      if (s.stack) current = s.stack;
      for (const e of s.effects) {
        const next = await effect(rc, e);
        if (next) await go(next);
      }
    };
    await go(start);
    const left = rc.notes;
    if (left) await go({ effects: [{ do: 'say', say: { text: [...left.start, ...left.end].join('\n') } }] });
    const resumed = resumeIfIdle(current, rc.facts);
    if (resumed) {
      current = resumed.stack;
      await go({ effects: resumed.effects });
    }
    return current;
  }

  return { run };
}
