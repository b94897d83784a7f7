/**
 * Claim and hand back. A claim is a compare-and-set on the owner: of two simultaneous claims exactly
 * one wins. Hand back returns the conversation to the bot with a fresh dialog (and a rating question
 * when the ticket is resolved).
 */
import { AppError } from '../../errors.js';
import { OPEN_STATES, type Person, type Ticket } from '../../itsm/types.js';
import { emptyStack, ratingStack } from '../dialogs/stack.js';
import { ratingChoices } from '../dialogs/texts.js';
import type { ConversationRef } from '../message.js';
import { STATE_LABEL } from '../render.js';
import type { Conversations } from './conversations.js';
import type { Emit, HandoffDeps } from './types.js';

export function createOwnership(deps: Pick<HandoffDeps, 'store' | 'tickets'>, convs: Conversations) {
  const { store, tickets } = deps;

  async function claim(
    t: Ticket,
    agent: Person,
    emit: Emit,
    thread: ConversationRef | null,
    now: string,
    how: string,
  ): Promise<boolean> {
    await convs.assertAgentOf(t, agent);
    const primary = await convs.primaryOf(t.id);
    // A ticket without a chat conversation (REST, e-mail, an alert) is claimed from the queue: the
    // assignment is the lock.
    if (!primary) return claimWithoutConversation(t, agent, emit, thread, now, how);
    const to = `agent:${agent.id}` as const;
    if (primary.owner === to) {
      if (thread) emit(thread, { text: `You already own ${t.number}.` });
      return false;
    }
    const won = await store.compareAndSetOwner(primary.id, ['bot', 'queue'], to, now);
    if (!won) {
      const current = (await store.conversation(primary.ref))?.owner ?? 'someone';
      if (thread)
        emit(thread, { text: `${t.number} is already owned by ${await convs.ownerName(current)}.` });
      return false;
    }
    await tickets.claim(t.number, agent, primary.owner, how, now);
    if (thread)
      emit(thread, {
        text: `${agent.displayName} claimed ${t.number}. Replies in this thread go to the requester; ;; for internal notes.`,
      });
    const target = await convs.requesterTarget(t.id);
    if (target)
      emit(target, {
        text: `${agent.displayName} from the IT service desk has joined the conversation about ${t.number}.`,
      });
    return true;
  }

  async function claimWithoutConversation(
    t: Ticket,
    agent: Person,
    emit: Emit,
    thread: ConversationRef | null,
    now: string,
    how: string,
  ): Promise<boolean> {
    if (t.assigneeId === agent.id && t.state === 'in_progress') {
      if (thread) emit(thread, { text: `You already own ${t.number}.` });
      return false;
    }
    if (t.assigneeId !== null && t.assigneeId !== agent.id && t.state === 'in_progress') {
      if (thread)
        emit(thread, {
          text: `${t.number} is already owned by ${await convs.ownerName(`agent:${t.assigneeId}`)}.`,
        });
      return false;
    }
    if (!OPEN_STATES.includes(t.state))
      throw new AppError(
        'illegal_transition',
        `${t.number} is ${STATE_LABEL[t.state].toLowerCase()}; there is nothing to claim.`,
      );
    await tickets.claim(t.number, agent, t.assigneeId === null ? 'queue' : `agent:${t.assigneeId}`, how, now);
    if (thread) emit(thread, { text: `${agent.displayName} claimed ${t.number}.` });
    return true;
  }

  async function handBack(
    t: Ticket,
    agent: Person,
    emit: Emit,
    thread: ConversationRef | null,
    now: string,
    why: string,
  ): Promise<void> {
    const all = await convs.requesterConversations(t.id);
    const primary = all[0];
    if (!primary) return;
    const from = await convs.currentOwner(primary);
    if (from === 'bot') {
      if (thread) emit(thread, { text: `The bot already owns the conversation about ${t.number}.` });
      return;
    }
    await store.compareAndSetOwner(primary.id, [from], 'bot', now);
    // Nothing of the human stretch may leak into later bot answers: every dialog starts afresh.
    for (const c of all) await store.saveConversation(c.id, { dialog: { ...emptyStack() } }, now);
    await tickets.recordOwner(t.number, from, 'bot', agent.id, why, now);
    if (thread) emit(thread, { text: `${agent.displayName} handed ${t.number} back to the bot.` });
    const target = await convs.requesterTarget(t.id);
    if (!target) return;
    const fresh = (await tickets.byIdForSystem(t.id)) ?? t;
    if (fresh.state === 'resolved' || fresh.state === 'closed') {
      for (const c of all)
        await store.saveConversation(c.id, { dialog: { ...ratingStack(t.number, now) } }, now);
      emit(target, {
        text: `You're back with the IT bot. ${t.number} is ${STATE_LABEL[fresh.state].toLowerCase()}. How did we do? Rate 1 (poor) to 5 (great).`,
        choices: ratingChoices(t.number),
      });
    } else {
      emit(target, {
        text: `You're back with the IT bot; ${t.number} stays open with the service desk. Anything else I can do?`,
      });
    }
  }

  return { claim, handBack };
}

export type Ownership = ReturnType<typeof createOwnership>;
