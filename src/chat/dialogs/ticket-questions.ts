/**
 * The small questions around tickets: which ticket (or "something new"), what to add to one, and the
 * rating after it is solved. All three are optional: an unrelated message is handled as if they had
 * not been asked.
 */
import type { Answer } from './answers.js';
import type { DialogModule } from './dialog.js';
import { findOwn } from './evidence.js';
import { askDescription, openIncident } from './incident.js';
import { popTop } from './stack.js';
import { say, step, within } from './steps.js';
import { act, addTo, afterRating, type TicketVerb } from './tickets.js';
import { askWhatAbout, handOffNew, handOffTicket } from './to-person.js';
import type { Frame, Step, Turn } from './types.js';

function picked(rest: Turn, f: Frame, answer: Answer): Step {
  const purpose = String(f.slots.purpose ?? '');
  const own = (n: string) => findOwn(rest, n) ?? { number: n };
  if (answer.kind === 'yes' && f.ticket) return act(rest, purpose as TicketVerb, own(f.ticket), '');
  if (answer.kind === 'no') return step([say(`OK, ${f.ticket ?? 'the ticket'} stays as it is.`)]);
  if (answer.kind !== 'ticket') return step([]);
  const pending = typeof f.slots.text === 'string' ? f.slots.text : null;
  if (answer.number === null) {
    if (purpose === 'human')
      return pending ? handOffNew(pending, 'requester asked for a person') : askWhatAbout(rest);
    if (purpose === 'add_info' && pending)
      return openIncident({ ...rest, text: pending }, pending, {
        intent: 'incident_other',
        confidence: null,
        askImpact: true,
        bind: true,
      });
    return askDescription(rest, 'incident_other');
  }
  if (purpose === 'human')
    return handOffTicket(rest, answer.number, 'requester asked for a person', { comment: pending });
  return act(rest, purpose as TicketVerb, own(answer.number), pending ?? '');
}

export const pickTicketDialog: DialogModule = {
  resumable: false,
  context: (f, facts) =>
    (Array.isArray(f.slots.offered) ? (f.slots.offered as string[]) : [])
      .map((n) => [...facts.openTickets, ...facts.resolvedTickets].find((t) => t.number === n)?.title ?? '')
      .join(' '),
  label: () => 'your choice of ticket',
  answer(turn, f, answer) {
    const rest: Turn = { ...turn, stack: popTop(turn.stack) };
    return within(rest.stack, picked(rest, f, answer));
  },
  unclear(turn, _f, kit) {
    return kit.route({ ...turn, stack: popTop(turn.stack) });
  },
};

export const addInfoDialog: DialogModule = {
  resumable: true,
  context: () => '',
  label: (f) => `your addition to ${f.ticket ?? 'the ticket'}`,
  answer(turn, f, answer) {
    // Only the question after a poor rating is optional.
    if (answer.kind === 'skip') return step([say('OK.')], popTop(turn.stack));
    const text = answer.kind === 'value' && typeof answer.value === 'string' ? answer.value : turn.text;
    return addTo(f.ticket ?? '', text, popTop(turn.stack));
  },
  unclear(_turn, f) {
    return step([say(f.question?.prompt ?? 'What would you like to add?')]);
  },
};

export const ratingDialog: DialogModule = {
  resumable: false,
  context: () => '',
  label: (f) => `your rating of ${f.ticket ?? 'the ticket'}`,
  answer(turn, f, answer) {
    if (answer.kind !== 'rating' || !f.ticket) return step([], popTop(turn.stack));
    const number = f.ticket;
    return step(
      [
        {
          do: 'rate',
          ticket: number,
          score: answer.score,
          comment: answer.comment,
          next: () => afterRating(popTop(turn.stack), turn.facts.now, number, answer.score, answer.comment),
        },
      ],
      popTop(turn.stack),
    );
  },
  unclear(turn, _f, kit) {
    // A rating is optional: anything else is handled as if it had not been asked.
    return kit.route({ ...turn, stack: popTop(turn.stack) });
  },
};
