/**
 * Words between the requester and the agent while a person owns the conversation: the requester's
 * messages go on the ticket and to the agent thread; the owning agent's thread messages go to the
 * requester; `;;` starts an internal note that is stored and never relayed.
 */

import { isStaff } from '../../itsm/authorization.js';
import { OPEN_STATES, type Person, type Ticket } from '../../itsm/types.js';
import type { ConversationRef, IncomingMessage } from '../message.js';
import { STATE_LABEL } from '../render.js';
import type { Conversation } from '../store.js';
import { attachmentLines, type Conversations } from './conversations.js';
import type { Ownership } from './ownership.js';
import type { Courtesy, Emit, HandoffDeps } from './types.js';

export function createRelay(
  deps: Pick<HandoffDeps, 'tickets' | 'internalNotePrefix'>,
  convs: Conversations,
  own: Ownership,
  resolve: (
    t: Ticket,
    agent: Person,
    note: string | null,
    emit: Emit,
    thread: ConversationRef | null,
    now: string,
  ) => Promise<void>,
) {
  const { tickets } = deps;

  /**
   * A requester's message while a person owns (or is about to own) the conversation. `courtesy`:
   * the message only thanks or takes leave; it still reaches the person, and the requester hears a
   * plain acknowledgement rather than that it was added to the ticket.
   */
  async function fromRequester(
    ticket: Ticket,
    requester: Person,
    msg: IncomingMessage,
    owner: string,
    emit: Emit,
    replyRef: ConversationRef,
    now: string,
    courtesy: Courtesy | null = null,
  ): Promise<void> {
    const text = msg.text.trim();
    if (text) await tickets.comment(ticket.number, requester, text, { platform: msg.platform }, now);
    for (const thread of await convs.agentThreads(ticket.id)) {
      emit(thread.ref, { text: `${requester.displayName}: ${text}${attachmentLines(msg.attachments)}` });
    }
    if (owner === 'queue')
      emit(replyRef, {
        text:
          courtesy === null
            ? `Added to ${ticket.number}. A person from the service desk will reply here.`
            : `${courtesy === 'thanks' ? "You're welcome." : 'Bye for now.'} ${ticket.number} is still with the service desk; a person will reply here.`,
      });
  }

  /** A message in an agent thread: a note, a command, or words for the requester. */
  async function fromAgent(
    conv: Conversation,
    agent: Person,
    msg: IncomingMessage,
    emit: Emit,
    now: string,
  ): Promise<void> {
    const t = await convs.ticketOfAgentThread(conv);
    const text = msg.text.trim();
    if (!isStaff(agent)) {
      emit(conv.ref, { text: 'Only service desk agents can work tickets in this thread.' });
      return;
    }
    if (text.startsWith(deps.internalNotePrefix)) {
      const note = text.slice(deps.internalNotePrefix.length).trim();
      if (note)
        await tickets.comment(
          t.number,
          agent,
          `${note}${attachmentLines(msg.attachments)}`,
          { internal: true, platform: msg.platform },
          now,
        );
      return;
    }
    const command = /^(claim|resolve|handback|hand back|done)\b[:\s]*(.*)$/is.exec(text);
    if (command) {
      const verb = command[1]?.toLowerCase() ?? '';
      const rest = command[2]?.trim() ?? '';
      if (verb === 'claim') await own.claim(t, agent, emit, conv.ref, now, 'claimed with a thread command');
      else if (verb === 'resolve') await resolve(t, agent, rest || null, emit, conv.ref, now);
      else await own.handBack(t, agent, emit, conv.ref, now, 'agent handed back');
      return;
    }
    const primary = await convs.primaryOf(t.id);
    let owner = primary ? await convs.currentOwner(primary) : 'bot';
    if (owner === 'queue' || owner === 'bot') {
      // Replying is taking over: the first agent who answers owns the conversation.
      if (!(await own.claim(t, agent, emit, conv.ref, now, 'agent replied in the thread'))) return;
      owner = `agent:${agent.id}`;
    }
    if (owner !== `agent:${agent.id}`) {
      await tickets.comment(t.number, agent, text, { internal: true, platform: msg.platform }, now);
      emit(conv.ref, {
        text: `${await convs.ownerName(owner)} owns ${t.number}; your message was kept as an internal note.`,
      });
      return;
    }
    if (!OPEN_STATES.includes(t.state)) {
      emit(conv.ref, {
        text: `${t.number} is ${STATE_LABEL[t.state].toLowerCase()}; reopen it to talk to the requester.`,
      });
      return;
    }
    await tickets.comment(t.number, agent, text, { platform: msg.platform }, now);
    const target = await convs.requesterTarget(t.id);
    if (target)
      emit(target, {
        text: `${agent.displayName} (IT service desk): ${text}${attachmentLines(msg.attachments)}`,
      });
  }

  return { fromRequester, fromAgent };
}
