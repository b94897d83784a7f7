/**
 * The cheap first pass before the intent classifier: messages whose handling does not depend on what
 * the classifier would say skip it, and with it the sentence encoder (the largest CPU cost of a turn).
 *
 * - Typed commands with a fixed syntax ("status INC0000003", "approve REQ0000007", "report"): the
 *   router runs them before it ever reads a prediction (router.ts, typedCommand).
 * - A button that answers the pending question, or a message that is exactly one of the question's
 *   offered options: the dialog reads it as the answer (decide.ts); its words are the question's own
 *   vocabulary, so they can never count as a new request.
 * - A handful of exact short phrases (greetings, thanks, help) whose intent is not in doubt.
 *
 * Anything else, including a button whose question is no longer pending, goes to the classifier.
 * Frustration is still read from the text.
 */
import { frustrationOf } from '../../nlu/frustration.js';
import type { IntentPrediction } from '../../nlu/types.js';
import { TICKET_COMMAND } from './decide.js';
import { active } from './stack.js';
import type { DialogStack, Understanding } from './types.js';

/** Role-independent typed commands the router handles first (kept in step with router.ts). */
const TYPED = [
  TICKET_COMMAND,
  /^\s*(approve|reject)\s+(REQ|INC|CHG)\d{7}\b/i,
  /^(report|kpis?|desk report)$/i,
];

/** Exact phrases (lower case, end punctuation dropped) and their intent. */
export const CERTAIN_PHRASES: Record<string, string> = {
  hi: 'greeting',
  hello: 'greeting',
  hey: 'greeting',
  'good morning': 'greeting',
  'good afternoon': 'greeting',
  thanks: 'thanks',
  'thank you': 'thanks',
  'thanks a lot': 'thanks',
  help: 'help',
  bye: 'goodbye',
  goodbye: 'goodbye',
};

const normalise = (text: string) =>
  text
    .trim()
    .toLowerCase()
    .replace(/[\s.!?]+$/, '');

function certain(intent: string, text: string): Understanding {
  const prediction: IntentPrediction = {
    intent,
    confidence: 1,
    outOfScope: false,
    alternatives: [],
    explanation: { terms: [], nearest: [] },
  };
  return { prediction, frustration: frustrationOf(text) };
}

/** What the message means when that is certain without the classifier, else null. */
export function certainUnderstanding(
  text: string,
  stack: DialogStack,
  fromButton: boolean,
): Understanding | null {
  const t = text.trim();
  if (TYPED.some((re) => re.test(t))) return certain('typed_command', t);
  const question = active(stack)?.question;
  if (question) {
    const n = normalise(t);
    if (fromButton || (question.options ?? []).some((o) => normalise(o) === n)) return certain('answer', t);
    // With a question pending, even "thanks" may be an answer: the classifier's view is kept.
    return null;
  }
  const key = normalise(t);
  // Own keys only: "constructor" or "toString" typed by someone must not find Object's prototype.
  const intent = Object.hasOwn(CERTAIN_PHRASES, key) ? CERTAIN_PHRASES[key] : undefined;
  return intent ? certain(intent, t) : null;
}
