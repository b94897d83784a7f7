/** Small builders that keep dialog code readable: `step([say('…'), openTicket(…)], stack)`. */
import type { DialogStack, Effect, Say, Step } from './types.js';

export const say = (text: string, extra: Omit<Say, 'text'> = {}): Effect => ({
  do: 'say',
  say: { text, ...extra },
});

export const step = (effects: Effect[], stack?: DialogStack): Step =>
  stack ? { stack, effects } : { effects };

/** Runs `a`, then `b`; `b`'s stack wins when it has one. */
export function andThen(a: Step, b: Step): Step {
  const stack = b.stack ?? a.stack;
  return { ...(stack ? { stack } : {}), effects: [...a.effects, ...b.effects] };
}

/** The step with the replies' texts prefixed by `note` (on the first reply). */
export function prefixed(note: string, s: Step): Step {
  const [first, ...rest] = s.effects;
  if (first?.do === 'say')
    return {
      ...s,
      effects: [{ do: 'say', say: { ...first.say, text: `${note}\n${first.say.text}` } }, ...rest],
    };
  return { ...s, effects: [say(note), ...s.effects] };
}

/** `e` first, then the step. */
export const before = (e: Effect, s: Step): Step => ({ ...s, effects: [e, ...s.effects] });
