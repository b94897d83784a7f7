/**
 * Handing a conversation to a person. A handoff is about one ticket, chosen by what was said: the
 * ticket the message names or answers in, the one the current dialog is about, one clearly alike;
 * otherwise the message opens a ticket of its own. When nothing says which, the person is asked.
 */
import type { TriagePrediction } from '../../nlu/types.js';
import { evidenceFor } from './evidence.js';
import { frame, push } from './stack.js';
import { say, step } from './steps.js';
import type { Effect, NewTicket, Step, Turn } from './types.js';
import { contentStems, titleFrom } from './words.js';

interface HandoffHow {
  confidence?: number | null;
  tried?: string[];
}

const summaryOf = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 240);

/** The reply once the ticket is with the desk. */
function handedOff(number: string, how: HandoffHow, reason: string, summary: string, lead = ''): Effect {
  return {
    do: 'handoff',
    ticket: number,
    reason,
    confidence: how.confidence ?? null,
    tried: how.tried ?? [],
    summary,
    next: ({ shown, alreadyWithPerson }) => {
      const eta = shown.card.eta?.startsWith('First response') ? ` ${shown.card.eta}.` : '';
      const text = alreadyWithPerson
        ? `${lead}${shown.ticket.number} is already with the service desk and I've passed your message on. They will reply here.`
        : `${lead}I'm handing this to a person from the service desk (${shown.ticket.number}). They will reply here.${eta}`;
      return step([say(text, { card: shown.card, bindTicketId: shown.ticket.id })]);
    },
  };
}

/** Hands an existing ticket over; `comment` (the message that led here) is added to it first. */
export function handOffTicket(
  turn: Turn,
  number: string,
  reason: string,
  how: HandoffHow & { comment?: string | null; lead?: string } = {},
): Step {
  const effects: Effect[] = [];
  if (how.comment) effects.push({ do: 'comment', ticket: number, text: how.comment });
  effects.push(handedOff(number, how, reason, summaryOf(how.comment ?? turn.text), how.lead ?? ''));
  return step(effects, { v: 2, frames: [] });
}

export function incidentInput(
  text: string,
  triage: TriagePrediction,
  decisions: Record<string, unknown>,
): NewTicket {
  return {
    kind: 'incident',
    title: titleFrom(text),
    description: text,
    impact: triage.impact,
    urgency: triage.urgency,
    category: triage.category,
    decisions: { ...decisions, priorityReasons: triage.priorityReasons },
  };
}

/** Opens a ticket from `text` (the message that led to the handoff) and hands it over. */
export function handOffNew(text: string, reason: string, how: HandoffHow = {}): Step {
  return step(
    [
      {
        do: 'triage',
        text,
        next: (triage) =>
          step([
            {
              do: 'open_ticket',
              input: incidentInput(text, triage, { handoff: reason }),
              text,
              bind: true,
              next: ({ shown }) => step([handedOff(shown.ticket.number, how, reason, summaryOf(text))]),
            },
          ]),
      },
    ],
    { v: 2, frames: [] },
  );
}

/** The message itself is the reason (unsure, frustrated): it joins the ticket it is about, or opens one. */
export function handOffMessage(turn: Turn, reason: string, how: HandoffHow = {}): Step {
  const ev = evidenceFor(turn);
  if (ev && (ev.ticket === null || ['new', 'assigned', 'in_progress', 'pending'].includes(ev.ticket.state)))
    return handOffTicket(turn, ev.number, reason, { ...how, comment: turn.text });
  return handOffNew(turn.text, reason, how);
}

const ASKING_WORDS = new Set(
  contentStems(
    'talk speak chat human person agent real someone somebody technician help please get connect want',
  ),
);

/** "talk to a human [about …]": the ticket it is about, a new one from what they said, or a question. */
export function askForPerson(turn: Turn): Step {
  const reason = 'requester asked for a person';
  const ev = evidenceFor(turn);
  const about = contentStems(turn.text).filter((s) => !ASKING_WORDS.has(s));
  if (ev) return handOffTicket(turn, ev.number, reason, { comment: about.length >= 2 ? turn.text : null });
  if (about.length >= 3) return handOffNew(turn.text, reason);
  const open = turn.facts.openTickets.slice(0, 5);
  // Nothing else to choose from: the person is reached at once, with the words that asked for them.
  if (open.length === 0) return handOffNew(turn.text || 'The requester asked to talk to a person.', reason);
  return askWhichTicket(turn, 'human', open, 'Which ticket should a person help you with?');
}

/** "Something new" when asked which ticket a person should help with: what is it about? */
export function askWhatAbout(turn: Turn): Step {
  const f = frame('describe', turn.facts.now, {
    slots: { purpose: 'person' },
    question: {
      key: 'describe',
      expects: 'describe',
      prompt:
        'What is it about? Tell me in a sentence or two and I will pass it to a person with your words.',
    },
  });
  return step([say(f.question?.prompt ?? '')], push(turn.stack, f));
}

/** "Which ticket do you mean?" with the candidates and "Something new" as buttons. */
export function askWhichTicket(
  turn: Turn,
  purpose: string,
  offered: Array<{ number: string; title: string }>,
  prompt: string,
  pendingText: string | null = null,
): Step {
  const f = frame('pick_ticket', turn.facts.now, {
    slots: {
      purpose,
      offered: offered.map((t) => t.number),
      ...(pendingText ? { text: pendingText } : {}),
    },
    question: { key: 'ticket', expects: 'ticket', prompt },
  });
  const choices = [
    ...offered.map((t) => ({
      label: `${t.number} ${t.title}`.slice(0, 70),
      actionId: 'choice' as const,
      value: { answer: t.number },
    })),
    { label: 'Something new', actionId: 'choice' as const, value: { answer: 'something new' } },
  ];
  return step([say(prompt, { choices })], push(turn.stack, f));
}
