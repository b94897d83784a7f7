/**
 * A change's CAB vote in a chat thread (data/itil.json `changes.cab.channel`). Submitting the change
 * posts one card to the board's channel; the outbox binds the card's thread to the change as a
 * conversation with role `cab` (as handoff cards bind agent threads), so everything said or clicked
 * there comes here:
 *
 * - "approve", "approve: looks fine", "reject: clashes with the release" (optionally naming the
 *   change) and the card's buttons are votes; the change service records them and echoes each with
 *   the running tally in the thread, then posts the outcome once.
 * - Anything else is discussion and is kept on the change as a comment.
 * - A vote that cannot count (not on the board, already voted, vote over) is answered privately.
 */
import { AppError, isAppError } from '../errors.js';
import type { Itil } from '../itsm/practices.js';
import type { Person } from '../itsm/types.js';
import type { ThreadHandler } from './adapter-api.js';
import type { Engine } from './conversation-engine.js';
import type { IncomingAction } from './message.js';

interface ThreadVote {
  vote: 'approve' | 'reject';
  /** The change the voter named, if any. */
  number: string | null;
  comment: string | null;
}

/**
 * A vote typed in a CAB thread, or null for discussion. Only the verb alone or followed by a colon
 * (or dash) counts, so "approve this only if the rollback is tested" stays discussion.
 */
export function parseThreadVote(text: string): ThreadVote | null {
  const m = /^\s*(approve|reject)\b(?:\s+(CHG\d{7}))?\s*(?:[.!]?\s*$|[:—–-]\s*([\s\S]*)$)/i.exec(text);
  if (!m?.[1]) return null;
  return {
    vote: m[1].toLowerCase() as ThreadVote['vote'],
    number: m[2]?.toUpperCase() ?? null,
    comment: m[3]?.trim() || null,
  };
}

/** The vote a CAB card button carries. */
export function buttonVote(action: IncomingAction): ThreadVote {
  const v = action.value.vote;
  if (v !== 'approve' && v !== 'reject')
    throw new AppError('validation_failed', 'A CAB vote is "approve" or "reject".', { field: 'vote' });
  const t = action.value.ticket;
  const c = action.value.comment;
  return {
    vote: v,
    number: typeof t === 'string' ? t.toUpperCase() : null,
    comment: typeof c === 'string' && c.trim() ? c.trim() : null,
  };
}

/**
 * Says something to one person only: in their DM with the bot (chat platforms show everyone a
 * thread reply), or in `fallback` when they cannot be reached directly.
 */
async function tellPrivately(
  engine: Engine,
  person: Person,
  text: string,
  key: string,
  fallback: (text: string) => void,
): Promise<void> {
  if (!(await engine.notifyPerson(person.id, { text }, key))) fallback(text);
}

/**
 * Casts a vote that came from the board's channel (thread or card). The change service echoes it in
 * the thread; a vote that cannot count is refused privately, a fault of ours propagates (retried).
 */
export async function castChannelVote(
  engine: Engine,
  itil: Itil,
  input: { number: string; person: Person; vote: ThreadVote; eventKey: string; now: string },
  fallback: (text: string) => void,
): Promise<void> {
  const { number, person, vote, eventKey, now } = input;
  if (vote.number !== null && vote.number !== number) {
    await tellPrivately(
      engine,
      person,
      `That thread is the CAB vote on ${number}; vote on ${vote.number} in its own thread (or send me "${vote.vote} ${vote.number}: <comment>" here).`,
      `cab-refusal:${eventKey}`,
      fallback,
    );
    return;
  }
  try {
    await itil.changes.vote(number, person, vote.vote, vote.comment, now);
  } catch (e) {
    // not_found: the change service hides changes from people who may not see them, but this thread
    // already shows the change to everyone in the board's channel; the refusal is the same.
    if (!isAppError(e) || (e.code !== 'forbidden' && e.code !== 'conflict' && e.code !== 'not_found'))
      throw e;
    const text =
      e.code !== 'conflict'
        ? `Thanks, ${person.displayName}, but only members of the change advisory board vote on ${number}: your ${vote.vote} was not counted. You're welcome to keep discussing in the thread.`
        : e.message;
    await tellPrivately(engine, person, text, `cab-refusal:${eventKey}`, fallback);
  }
}

/** Everything said and clicked in CAB vote threads. */
export function cabThreadHandler(engine: Engine, itil: Itil): ThreadHandler {
  return async ({ conversation, incoming, person, emit, now }) => {
    if (conversation.ticketId === null) return;
    const number = await itil.changes.numberOf(conversation.ticketId);
    const fallback = (text: string) => emit(conversation.ref, { text });
    const eventKey = `${incoming.platform}:${incoming.id}`;
    if (incoming.kind === 'action') {
      if (incoming.actionId !== 'change.vote') return;
      await castChannelVote(
        engine,
        itil,
        { number, person, vote: buttonVote(incoming), eventKey, now },
        fallback,
      );
      return;
    }
    const vote = parseThreadVote(incoming.text);
    if (vote) {
      await castChannelVote(engine, itil, { number, person, vote, eventKey, now }, fallback);
      return;
    }
    const files = incoming.attachments.map((a) => `\n📎 ${a.name}: ${a.url}`).join('');
    await itil.changes.discuss(number, person, `${incoming.text.trim()}${files}`, incoming.platform, now);
  };
}
