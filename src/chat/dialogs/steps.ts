/** Small builders that keep dialog code readable: `step([say('…'), openTicket(…)], stack)`. */
import type { DialogStack, Effect, NewTicket, Say, Step } from './types.js';

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

/** The step with `note` said at the start (or end) of its first reply. */
export const prefixed = (note: string, s: Step, at: 'start' | 'end' = 'start'): Step => ({
  ...s,
  effects: [{ do: 'note', text: note, at }, ...s.effects],
});

/** `e` first, then the step. */
export const before = (e: Effect, s: Step): Step => ({ ...s, effects: [e, ...s.effects] });

/** The step, on `stack` unless it sets one itself (a dialog that ended hands over to another step). */
export const within = (stack: DialogStack, s: Step): Step => (s.stack ? s : { ...s, stack });

/**
 * Opens a ticket from `text` with no further questions and says so: number, title, promised time,
 * `lines` after it, the card. `stack` is the conversation's after the reply (unchanged without one).
 */
export function openAndTell(input: NewTicket, text: string, lines: string[] = [], stack?: DialogStack): Step {
  return step([
    {
      do: 'open_ticket',
      input,
      text,
      bind: true,
      next: ({ shown, notes }) =>
        step(
          [
            say(
              [
                `I've opened ${shown.ticket.number} for you: "${shown.ticket.title}".${shown.card.eta ? ` ${shown.card.eta}.` : ''}`,
                ...lines,
                ...notes,
              ].join('\n'),
              { card: shown.card, bindTicketId: shown.ticket.id },
            ),
          ],
          stack,
        ),
    },
  ]);
}
