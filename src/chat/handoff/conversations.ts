/**
 * Who holds a ticket's conversation. Each ticket's first requester conversation carries the owner
 * (`bot`, `queue` or `agent:<id>`); the agents work in the thread of the handoff card (role `agents`).
 */

import { AppError } from '../../errors.js';
import type { ConversationOwner, Person, Ticket } from '../../itsm/types.js';
import { assertMayWorkTicket } from '../../itsm/work-rule.js';
import type { Attachment, ConversationRef } from '../message.js';
import type { Conversation } from '../store.js';
import type { HandoffDeps } from './types.js';

export function attachmentLines(attachments: Attachment[]): string {
  return attachments.map((a) => `\n📎 ${a.name}: ${a.url}`).join('');
}

export function createConversations(deps: Pick<HandoffDeps, 'store' | 'tickets' | 'directory'>) {
  const { store, tickets, directory } = deps;

  /** The requester conversations of a ticket; the first one carries the owner. */
  async function requesterConversations(ticketId: number): Promise<Conversation[]> {
    return (await store.conversationsOfTicket(ticketId)).filter((c) => c.role === 'requester');
  }

  async function primaryOf(ticketId: number): Promise<Conversation | null> {
    return (await requesterConversations(ticketId))[0] ?? null;
  }

  /** The owner as stored now (the row read earlier may be stale). */
  async function currentOwner(conv: Conversation): Promise<ConversationOwner> {
    return (await store.conversation(conv.ref))?.owner ?? conv.owner;
  }

  /** Where the requester hears from the agent: the ticket's thread if there is one, else where they wrote. */
  async function requesterTarget(ticketId: number): Promise<ConversationRef | null> {
    const convs = await requesterConversations(ticketId);
    return (convs.find((c) => c.ref.threadId !== null) ?? convs[0])?.ref ?? null;
  }

  async function agentThreads(ticketId: number): Promise<Conversation[]> {
    return (await store.conversationsOfTicket(ticketId)).filter((c) => c.role === 'agents');
  }

  async function ticketOfAgentThread(conv: Conversation): Promise<Ticket> {
    const t = conv.ticketId === null ? null : await tickets.byIdForSystem(conv.ticketId);
    if (!t) throw new AppError('not_found', 'This thread is not linked to a ticket.');
    return t;
  }

  /** The group rule of src/itsm/work-rule.ts (one rule for every surface). */
  async function assertAgentOf(t: Ticket, person: Person): Promise<void> {
    await assertMayWorkTicket(directory, t, person);
  }

  async function ownerName(owner: string): Promise<string> {
    if (!owner.startsWith('agent:')) return owner;
    const p = await directory.personById(Number(owner.slice('agent:'.length)));
    return p?.displayName ?? owner;
  }

  return {
    requesterConversations,
    primaryOf,
    currentOwner,
    requesterTarget,
    agentThreads,
    ticketOfAgentThread,
    assertAgentOf,
    ownerName,
  };
}

export type Conversations = ReturnType<typeof createConversations>;
