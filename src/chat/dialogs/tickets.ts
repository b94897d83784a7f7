/**
 * What people do with their tickets in chat: status, add information, cancel, "it works now",
 * reopen, rate. A command acts on the ticket the message is about (evidence.ts); when nothing says
 * which, the person picks one; adding information to an old ticket needs evidence, otherwise a
 * message that describes a problem opens a ticket of its own.
 */
import { findTicketNumbers } from '../../itsm/numbering.js';
import type { Ticket, TicketState } from '../../itsm/types.js';
import { ticketLine } from '../render.js';
import { evidenceFor, findOwn } from './evidence.js';
import { openIncident } from './incident.js';
import { frame, push } from './stack.js';
import { say, step } from './steps.js';
import { ratingChoices, ratingQuestion, refusalText } from './texts.js';
import { askWhichTicket } from './to-person.js';
import type { DialogStack, Effect, Frame, Question, Step, Turn } from './types.js';
import { wordCount } from './words.js';

export type TicketVerb = 'cancel_ticket' | 'close_ticket' | 'reopen_ticket' | 'add_info' | 'ticket_status';

export function status(turn: Turn): Step {
  const n = findTicketNumbers(turn.text)[0]?.number;
  if (n)
    return step([
      { do: 'cards', tickets: [n], next: ([c]) => step(c ? [say(ticketLine(c), { card: c })] : []) },
    ]);
  const open = turn.facts.openTickets;
  if (open.length === 0)
    return step([say('You have no open tickets. Tell me if something is wrong or you need something.')]);
  return step([
    {
      do: 'cards',
      tickets: open.slice(0, 10).map((t) => t.number),
      next: (cards) =>
        step([
          say(`Your open tickets (${open.length}):\n${cards.map((c) => `• ${ticketLine(c)}`).join('\n')}`),
        ]),
    },
  ]);
}

/**
 * Moves a ticket and says so in plain words; a refused move is explained, not quoted. `then` (the
 * replies and stack after a successful move) applies only when the move happened.
 */
function move(
  number: string,
  to: TicketState,
  reason: string,
  done: (n: string) => string,
  after: { effects: Effect[]; stack?: DialogStack } = { effects: [] },
): Step {
  return step([
    {
      do: 'transition',
      ticket: number,
      to,
      reason,
      next: (shown) =>
        step(
          [say(done(shown.ticket.number), { card: shown.card, updateSource: true }), ...after.effects],
          after.stack,
        ),
      refused: (r) => step([say(refusalText(r, number))]),
    },
  ]);
}

/** Adds to a ticket and confirms only once it is added. */
export function addTo(number: string, text: string, stack?: DialogStack): Step {
  return step(
    [
      {
        do: 'comment',
        ticket: number,
        text,
        next: () => step([say(`Added to ${number}. The team will see it.`)]),
        refused: (r) => step([say(refusalText(r, number))]),
      },
    ],
    stack,
  );
}

const ratingFrame = (turn: Turn, number: string): Frame =>
  frame('rating', turn.facts.now, {
    ticket: number,
    question: { key: 'rating', expects: 'rating', prompt: ratingQuestion(number) },
  });

/** "It works now": resolve an open ticket (close a resolved one), then ask for a rating. */
function closeTicket(turn: Turn, t: { number: string; state?: TicketState }): Step {
  const resolved = t.state === 'resolved';
  const waiting = { ...turn.stack, frames: turn.stack.frames.filter((f) => f.suspended === true) };
  return move(
    t.number,
    resolved ? 'closed' : 'resolved',
    resolved ? 'requester confirmed' : 'requester says it works now',
    (n) => (resolved ? `${n} is closed. Thanks for confirming!` : `Glad it works! ${n} is resolved.`),
    {
      effects: [say(ratingQuestion(t.number), { choices: ratingChoices(t.number) })],
      stack: push(waiting, ratingFrame(turn, t.number)),
    },
  );
}

export function act(
  turn: Turn,
  verb: TicketVerb,
  t: { number: string; state?: TicketState },
  rest: string,
): Step {
  switch (verb) {
    case 'cancel_ticket':
      return move(t.number, 'cancelled', 'requester cancelled', (n) => `${n} is cancelled.`);
    case 'close_ticket':
      return closeTicket(turn, t);
    case 'reopen_ticket':
      return move(
        t.number,
        'in_progress',
        'requester reopened',
        (n) => `${n} is reopened; the team will look at it again.`,
      );
    case 'ticket_status':
      return step([
        { do: 'cards', tickets: [t.number], next: ([c]) => step(c ? [say(ticketLine(c), { card: c })] : []) },
      ]);
    case 'add_info':
      return wordCount(rest) >= 3 ? addTo(t.number, rest) : askAddition(turn, t.number);
  }
}

function askAddition(turn: Turn, number: string): Step {
  const q: Question = {
    key: 'addition',
    expects: 'text',
    prompt: `What would you like to add to ${number}?`,
  };
  return step(
    [say(q.prompt)],
    push(turn.stack, frame('add_info', turn.facts.now, { ticket: number, question: q })),
  );
}

/** The message without "add info to INC…:" around what is to be added. */
function additionOf(text: string): string {
  return text
    .replace(/\b(INC|REQ|PRB|CHG)[\s#-]*\d{1,7}\b/gi, '')
    .replace(
      /^[\s:,-]*(?:please\s+)?(?:add(?:ing)?|append)(?:\s+(?:some|more|this|that|the following))*(?:\s+(?:info(?:rmation)?|details?|a note|a comment))?(?:\s+to(?:\s+my)?(?:\s+ticket)?)?[\s:,-]*/i,
      '',
    )
    .trim();
}

function candidates(turn: Turn, verb: TicketVerb): Ticket[] {
  const { openTickets, resolvedTickets } = turn.facts;
  if (verb === 'reopen_ticket') return resolvedTickets.slice(0, 5);
  if (verb === 'close_ticket')
    return [...openTickets.filter((t) => t.kind === 'incident'), ...resolvedTickets].slice(0, 5);
  return openTickets.slice(0, 5);
}

/**
 * "It works now" right after reporting a problem here is about that problem when it is the only one
 * still open: the resolved tickets beside it already work, they only wait to be confirmed.
 */
function worksNowTarget(turn: Turn, verb: TicketVerb, list: readonly Ticket[]): Ticket | null {
  if (verb !== 'close_ticket') return null;
  const open = list.filter((t) => t.state !== 'resolved');
  const current = turn.facts.conversationTicket;
  return open.length === 1 && open[0]?.number === current?.number ? (open[0] ?? null) : null;
}

const NONE_TEXT: Record<TicketVerb, string> = {
  cancel_ticket: 'You have no open tickets to cancel. Say "status" to see your tickets.',
  close_ticket: 'You have no open problem to close. If something is wrong, tell me and I will open a ticket.',
  reopen_ticket:
    'You have no recently resolved ticket to reopen. Tell me what is wrong and I will open a new one.',
  add_info: 'You have no open tickets. Tell me what is wrong and I will open one.',
  ticket_status: 'You have no open tickets.',
};

const WHICH_TEXT: Record<TicketVerb, string> = {
  cancel_ticket: 'Which ticket should I cancel?',
  close_ticket: 'Which ticket works now?',
  reopen_ticket: 'Which ticket should I reopen?',
  add_info: 'Which ticket is this about?',
  ticket_status: 'Which ticket?',
};

/** A ticket command from a message: on the ticket it is about, or after asking which. */
export function ticketCommand(turn: Turn, verb: TicketVerb): Step {
  const rest = verb === 'add_info' ? additionOf(turn.text) : turn.text;
  const ev = evidenceFor(turn, { similar: verb === 'add_info' || verb === 'close_ticket' });
  if (ev) return act(turn, verb, ev.ticket ?? { number: ev.number }, rest);
  if (verb === 'add_info' && wordCount(rest) >= 8)
    // A long message with no sign of which ticket it belongs to is a report of its own.
    return openIncident(turn, turn.text, {
      intent: 'incident_other',
      confidence: turn.nlu.prediction.confidence,
      askImpact: true,
      bind: true,
      lead: 'This does not say which ticket it belongs to, so I have treated it as a new report. (To add it to a ticket, start with its number.)\n',
    });
  const list = candidates(turn, verb);
  if (list.length === 0) return step([say(NONE_TEXT[verb])]);
  const current = worksNowTarget(turn, verb, list);
  if (current) return act(turn, verb, current, rest);
  const only = list[0];
  if (list.length === 1 && only && verb !== 'add_info' && verb !== 'cancel_ticket')
    return act(turn, verb, only, rest);
  if (list.length === 1 && only && verb === 'cancel_ticket') return confirmCancel(turn, only);
  return askWhichTicket(
    turn,
    verb,
    list,
    WHICH_TEXT[verb],
    verb === 'add_info' && wordCount(rest) >= 3 ? rest : null,
  );
}

function confirmCancel(turn: Turn, t: Ticket): Step {
  const q: Question = { key: 'confirm', expects: 'yes_no', prompt: `Cancel ${t.number} "${t.title}"?` };
  const f = frame('pick_ticket', turn.facts.now, {
    ticket: t.number,
    slots: { purpose: 'cancel_ticket' },
    question: q,
  });
  return step(
    [
      say(q.prompt, {
        choices: [
          { label: `Yes, cancel ${t.number}`, actionId: 'choice', value: { answer: 'yes' }, style: 'danger' },
          { label: 'No, keep it', actionId: 'choice', value: { answer: 'no' } },
        ],
      }),
    ],
    push(turn.stack, f),
  );
}

/** A button on a ticket card: the ticket is named by the button. */
export function cardCommand(turn: Turn, verb: TicketVerb, number: string): Step {
  const t = findOwn(turn, number) ?? { number };
  if (verb === 'add_info') return askAddition(turn, number);
  return act(turn, verb, t, '');
}

/**
 * After a rating: thanks, and for a poor one given without a word (one or two stars) the question
 * what went wrong. The answer goes on the ticket like any addition; "skip" leaves it.
 */
export function afterRating(
  stack: DialogStack,
  now: string,
  number: string,
  score: number,
  comment: string | null,
): Step {
  const thanks = `Thanks for rating ${number} ${'★'.repeat(score)}!`;
  if (score > 2 || (comment !== null && comment.trim() !== '')) return step([say(thanks)]);
  const q: Question = {
    key: 'addition',
    expects: 'text',
    optional: true,
    prompt:
      'Sorry it was not better. What went wrong? I will pass it on to the service desk (or say "skip").',
  };
  return step(
    [say(`${thanks}\n${q.prompt}`)],
    push(stack, frame('add_info', now, { ticket: number, question: q, slots: { followUp: true } })),
  );
}
