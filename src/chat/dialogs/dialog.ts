/** The contract of one dialog module, and the helpers they share for asking and re-asking. */
import type { Answer } from './answers.js';
import { replaceTop } from './stack.js';
import { say, step } from './steps.js';
import { WAYS_OUT } from './texts.js';
import type { Effect, Facts, Frame, Question, Say, Step, Turn } from './types.js';

export interface Kit {
  /** Handles the turn's message as a new request, as if nothing were pending. */
  route(turn: Turn): Step;
}

export interface DialogModule {
  /** Kept below an interruption to resume later (forms), or dropped (questions that were optional). */
  resumable: boolean;
  /** What the pending question is about, so a message on the same subject is not taken for a new one. */
  context(frame: Frame, facts: Facts): string;
  /**
   * The kind of fault the pending question is about (the incident intent its ticket was opened from),
   * so that a message the classifier reads as another kind of fault is taken for a new problem even
   * when it is worded without the usual problem words ("my dock is no longer recognised").
   */
  problemKind?(frame: Frame): string | null;
  /** "your Request a laptop", "your rating of INC0000003": how the person is reminded of it. */
  label(frame: Frame, facts: Facts): string;
  answer(turn: Turn, frame: Frame, answer: Answer, kit: Kit): Step;
  /** The message is neither an answer nor anything new. */
  unclear(turn: Turn, frame: Frame, kit: Kit): Step;
}

/** The question's buttons, if it has options (select fields, yes/no). */
function questionChoices(q: Question): Say['choices'] {
  if (q.expects === 'yes_no')
    return [
      { label: 'Yes', actionId: 'choice', value: { answer: 'yes' }, style: 'primary' },
      { label: 'No', actionId: 'choice', value: { answer: 'no' } },
    ];
  if ((q.expects === 'choice' || q.expects === 'choices') && q.options && q.options.length <= 8)
    return q.options.map((o) => ({ label: o, actionId: 'choice' as const, value: { answer: o } }));
  return undefined;
}

export function ask(q: Question, extra: Omit<Say, 'text'> = {}, prefix = ''): Effect {
  const choices = extra.choices ?? questionChoices(q);
  return say(`${prefix}${q.prompt}`, { ...extra, ...(choices ? { choices } : {}) });
}

/** Asks the pending question again, after `why`; the second time in a row it names the ways out. */
export function reask(turn: Turn, frame: Frame, why: string): Step {
  const q = frame.question;
  if (!q) return step([]);
  const tries = (q.tries ?? 0) + 1;
  const next: Frame = { ...frame, question: { ...q, tries } };
  const out = tries >= 2 ? `${why} ${WAYS_OUT}` : why;
  return step([ask(q, {}, `${out}\n`)], replaceTop(turn.stack, next));
}
