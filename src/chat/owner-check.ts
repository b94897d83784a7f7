/**
 * While a person owns (or is about to own) a conversation the bot stays silent: the requester's words
 * go on the ticket and to the agent thread, except a clearly new problem, which the dialogs open as a
 * ticket of its own. A conversation whose ticket was closed meanwhile is the bot's again.
 */
import type { TicketService } from '../itsm/tickets.js';
import { OPEN_STATES } from '../itsm/types.js';
import type { Dialogs, TurnContext } from './dialogs/index.js';
import type { Emit, Handoff } from './handoff/index.js';
import type { ConversationRef, IncomingMessage } from './message.js';
import type { ChatStore } from './store.js';

interface OwnerCheckDeps {
  store: ChatStore;
  tickets: TicketService;
  handoff: Handoff;
  dialogs: Dialogs;
}

/** True when a person has the conversation and the message was dealt with (relayed, or a new ticket). */
export async function handledByOwner(
  deps: OwnerCheckDeps,
  ctx: TurnContext,
  incoming: IncomingMessage,
  ref: ConversationRef,
  push: Emit,
): Promise<boolean> {
  const { store, handoff } = deps;
  const { conversation, person, now } = ctx;
  if (conversation.ticketId === null) return false;
  const primary = await handoff.primaryOf(conversation.ticketId);
  // primaryOf read the row just now: its owner is current (and known to the rest of the turn).
  const owner = primary ? primary.owner : conversation.owner;
  if (primary) ctx.owners.set(conversation.ticketId, owner);
  if (owner === 'bot') return false;
  const ticket = await deps.tickets.byIdForSystem(conversation.ticketId);
  if (ticket && OPEN_STATES.includes(ticket.state) && ticket.requesterId === person.id) {
    const outcome = await deps.dialogs.whileHandedOff(ctx, incoming, ticket, owner);
    if (outcome === 'done') {
      for (const r of ctx.replies)
        push(ref, r.reply, r.bindTicketId === undefined ? {} : { bindTicketId: r.bindTicketId });
      return true;
    }
    const courtesy = outcome === 'relay' ? null : outcome;
    await handoff.relayFromRequester(ticket, person, incoming, owner, push, ref, now, courtesy);
    return true;
  }
  if (primary && ticket && !OPEN_STATES.includes(ticket.state)) {
    // The ticket was closed meanwhile: the conversation is the bot's again.
    if (await store.compareAndSetOwner(primary.id, [owner], 'bot', now))
      ctx.owners.set(conversation.ticketId, 'bot');
    else ctx.owners.delete(conversation.ticketId);
  }
  return false;
}
