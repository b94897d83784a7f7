/**
 * The action an intent asks of the desk: the first of the two decisions (what kind of thing the
 * person wants), before the specific intent. Each intent file names its action (`"action"` in
 * data/intents/<intent>.json); the classifier sums intent probabilities per action, picks the
 * action, then the intent within it, so that an unsure choice between two incident kinds still
 * opens an incident rather than drifting to a ticket operation.
 */
import { type IntentAction, OUT_OF_SCOPE } from '../types.js';

/** The action of each label; out_of_scope is always its own action. */
export function actionsFor(
  labels: readonly string[],
  byIntent: ReadonlyMap<string, IntentAction>,
): IntentAction[] {
  return labels.map((l) => (l === OUT_OF_SCOPE ? 'out_of_scope' : (byIntent.get(l) ?? 'other')));
}

/**
 * Two-step decision over calibrated intent probabilities: the action with the most probability
 * mass, then that action's most probable intent. Returns the intent index and the action's mass.
 */
export function decideTwoStep(
  probs: ArrayLike<number>,
  actions: readonly IntentAction[],
): { top: number; actionMass: number } {
  // An intent with action "other" pools with nothing: it is its own action. Without any actions
  // (an eval set's labels) this is the plain argmax.
  const pool = (c: number): string => {
    const a = actions[c] ?? 'other';
    return a === 'other' ? `other:${c}` : a;
  };
  const mass = new Map<string, number>();
  for (let c = 0; c < probs.length; c++) mass.set(pool(c), (mass.get(pool(c)) ?? 0) + (probs[c] as number));
  let best = pool(0);
  for (const [a, m] of mass) if (m > (mass.get(best) ?? 0)) best = a;
  let top = -1;
  for (let c = 0; c < probs.length; c++) {
    if (pool(c) !== best) continue;
    if (top < 0 || (probs[c] as number) > (probs[top] as number)) top = c;
  }
  return { top: Math.max(top, 0), actionMass: mass.get(best) ?? 0 };
}
