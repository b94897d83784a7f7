/**
 * Which existing ticket a message is about, and only on evidence: its number in the message, a reply
 * in the ticket's thread, the ticket the current dialog is about, or a text clearly about the same
 * thing. The conversation's most recent ticket alone is no evidence: people change subjects.
 */
import { findTicketNumbers } from '../../itsm/numbering.js';
import type { Ticket } from '../../itsm/types.js';
import { active } from './stack.js';
import type { Turn } from './types.js';
import { similarity } from './words.js';

type Why = 'number' | 'thread' | 'dialog' | 'similar';

interface Evidence {
  /** The ticket number (the ticket itself when it is one of the speaker's listed tickets). */
  number: string;
  ticket: Ticket | null;
  why: Why;
}

/** High similarity: most of what the message says is in the ticket. */
const SIMILAR_COSINE = 0.5;
const SIMILAR_SHARED = 2;

const ticketText = (t: Ticket): string => `${t.title}\n${t.description}`;

export function findOwn(turn: Pick<Turn, 'facts'>, number: string): Ticket | null {
  const { openTickets, resolvedTickets, conversationTicket, threadTicket } = turn.facts;
  return (
    [...openTickets, ...resolvedTickets, conversationTicket, threadTicket].find(
      (t) => t?.number === number,
    ) ?? null
  );
}

/** The ticket most like the message, when it is clearly alike and clearly the best. */
export function mostSimilar(text: string, tickets: readonly Ticket[]): Ticket | null {
  const scored = tickets
    .map((t) => ({ t, s: similarity(text, ticketText(t)) }))
    .filter((x) => x.s.cosine >= SIMILAR_COSINE && x.s.shared >= SIMILAR_SHARED)
    .sort((a, b) => b.s.cosine - a.s.cosine);
  const [best, second] = scored;
  if (!best) return null;
  return second && second.s.cosine >= best.s.cosine - 0.05 ? null : best.t;
}

/** "again", "still", "back": the problem is one the person had before. */
const RECURS = /\b(?:again|still|back|came back|is back|returned|once more|recurr\w*)\b/i;

/**
 * "The vpn is dropping again" about a ticket resolved but not yet closed: the same problem came back,
 * so that ticket is reopened instead of a new one opened beside it.
 */
export function recurrenceOf(turn: Pick<Turn, 'text' | 'facts'>): Ticket | null {
  if (!RECURS.test(turn.text)) return null;
  return mostSimilar(turn.text, turn.facts.resolvedTickets);
}

export function evidenceFor(turn: Turn, opts: { similar?: boolean; dialog?: boolean } = {}): Evidence | null {
  const n = findTicketNumbers(turn.text)[0]?.number;
  if (n) return { number: n, ticket: findOwn(turn, n), why: 'number' };
  const thread = turn.facts.threadTicket;
  if (thread) return { number: thread.number, ticket: thread, why: 'thread' };
  const f = active(turn.stack);
  if (opts.dialog !== false && f?.ticket)
    return { number: f.ticket, ticket: findOwn(turn, f.ticket), why: 'dialog' };
  if (opts.similar !== false) {
    const t = mostSimilar(turn.text, turn.facts.openTickets);
    if (t) return { number: t.number, ticket: t, why: 'similar' };
  }
  return null;
}
