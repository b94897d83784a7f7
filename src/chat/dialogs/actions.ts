/**
 * Buttons and card submissions. A button that carries an answer (`choice` with `answer`) is read as
 * the typed answer by the caller; everything else maps here, by action id, to the same steps typed
 * messages lead to.
 */
import { AppError } from '../../errors.js';
import type { Level } from '../../itsm/types.js';
import type { ActionId } from '../message.js';
import { startForm, submitWholeForm } from './form.js';
import { askDescription, raise } from './incident.js';
import { helpful, notHelpful } from './knowledge.js';
import { active, frame, push } from './stack.js';
import { say, step } from './steps.js';
import { HELP_TEXT, ratingChoices, ratingQuestion, START_CHOICES } from './texts.js';
import { afterRating, cardCommand, status, type TicketVerb } from './tickets.js';
import { askForPerson, handOffTicket } from './to-person.js';
import type { Step, Turn } from './types.js';

const CARD_VERBS: Partial<Record<ActionId, TicketVerb>> = {
  'ticket.close': 'close_ticket',
  'ticket.cancel': 'cancel_ticket',
  'ticket.reopen': 'reopen_ticket',
  'ticket.add_info': 'add_info',
  'ticket.status': 'ticket_status',
};

const levelOf = (v: unknown): Level | null => (v === 'high' || v === 'medium' || v === 'low' ? v : null);

function requestMenu(turn: Turn): Step {
  const staff = turn.facts.person.role !== 'employee';
  const forms = [...turn.facts.templates.values()].filter((t) => staff || t.kind !== 'change');
  return step([
    say('What would you like to request?', {
      choices: forms.map((t) => ({
        label: t.title,
        actionId: 'form.open' as const,
        value: { templateId: t.id },
      })),
    }),
  ]);
}

function rate(turn: Turn, ticket: string | null, value: Record<string, unknown>): Step {
  if (!ticket)
    throw new AppError('validation_failed', 'Which ticket do you want to rate?', { field: 'ticket' });
  const score = Number(value.rating);
  if (!Number.isInteger(score)) {
    const f = frame('rating', turn.facts.now, {
      ticket,
      question: { key: 'rating', expects: 'rating', prompt: ratingQuestion(ticket) },
    });
    return step([say(ratingQuestion(ticket), { choices: ratingChoices(ticket) })], push(turn.stack, f));
  }
  const f = active(turn.stack);
  const comment = typeof value.comment === 'string' ? value.comment : null;
  const stack =
    f?.dialog === 'rating' ? { ...turn.stack, frames: turn.stack.frames.slice(0, -1) } : turn.stack;
  return step(
    [
      {
        do: 'rate',
        ticket,
        score,
        comment,
        next: () => afterRating(stack, turn.facts.now, ticket, score, comment),
      },
    ],
    stack,
  );
}

export function onAction(turn: Turn, actionId: ActionId, value: Record<string, unknown>): Step {
  const ticket = typeof value.ticket === 'string' ? value.ticket.toUpperCase() : null;
  const verb = CARD_VERBS[actionId];
  if (verb) {
    if (ticket) return cardCommand(turn, verb, ticket);
    return verb === 'ticket_status'
      ? status(turn)
      : step([say('Which ticket? Say "status" to see your tickets.')]);
  }
  const f = active(turn.stack);
  switch (actionId) {
    case 'ticket.human':
      return ticket
        ? handOffTicket(turn, ticket, 'requester asked for a person')
        : askForPerson({ ...turn, text: '' });
    case 'ticket.rate':
      return rate(turn, ticket, value);
    case 'kb.helpful':
      return helpful(turn, f?.dialog === 'knowledge' ? f : null);
    case 'kb.not_helpful':
      return notHelpful(
        turn,
        f?.dialog === 'knowledge'
          ? f
          : frame('knowledge', turn.facts.now, {
              slots: {
                articleId: String(value.article ?? ''),
                query: 'Knowledge article did not help',
                intent: 'how_to',
                unhelpful: 0,
              },
            }),
      );
    case 'form.open':
      return startForm(turn, typeof value.templateId === 'string' ? value.templateId : '', null);
    case 'form.submit': {
      const id = typeof value.templateId === 'string' ? value.templateId : '';
      if (!turn.facts.templates.has(id))
        throw new AppError('validation_failed', `Unknown request form "${id}".`, { field: 'templateId' });
      const values =
        typeof value.values === 'object' && value.values !== null
          ? (value.values as Record<string, unknown>)
          : {};
      return submitWholeForm(turn, id, values);
    }
    case 'choice': {
      const intent = typeof value.intent === 'string' ? value.intent : '';
      if (intent === 'raise' && ticket)
        return raise(
          turn,
          ticket,
          levelOf(value.impact),
          levelOf(value.urgency),
          f?.dialog === 'incident' && f.ticket === ticket ? f : null,
          'chose a button',
        );
      if (intent === 'request_menu') return requestMenu(turn);
      if (intent === 'incident_other') return askDescription(turn, intent);
      if (ticket && CARD_VERBS[`ticket.${intent}` as ActionId])
        return cardCommand(turn, intent as TicketVerb, ticket);
      return step([say(HELP_TEXT, { choices: START_CHOICES })]);
    }
    default:
      return step([]);
  }
}
