/** The buttons on the handoff card (and reactions adapters map to them): claim, resolve, escalate, hand back. */
import { AppError } from '../../errors.js';
import type { Person, Ticket } from '../../itsm/types.js';
import type { ConversationRef, IncomingAction, Reply } from '../message.js';
import type { Conversations } from './conversations.js';
import type { Ownership } from './ownership.js';
import type { Emit, HandoffDeps, HandoffInfo } from './types.js';

type PostToAgents = (
  t: Ticket,
  info: HandoffInfo,
  preferred: IncomingAction['platform'],
  emit: Emit,
  now: string,
) => Promise<boolean>;

export function createAgentActions(
  deps: Pick<HandoffDeps, 'store' | 'tickets'>,
  convs: Conversations,
  own: Ownership,
  postToAgents: PostToAgents,
) {
  const { store, tickets } = deps;

  async function resolve(
    t: Ticket,
    agent: Person,
    note: string | null,
    emit: Emit,
    thread: ConversationRef | null,
    now: string,
  ): Promise<void> {
    await convs.assertAgentOf(t, agent);
    const next = await tickets.transition(
      t.number,
      'resolved',
      agent,
      { reason: note ?? 'resolved by agent' },
      now,
    );
    if (thread) emit(thread, { text: `${agent.displayName} resolved ${t.number}.` });
    const target = await convs.requesterTarget(t.id);
    if (target && note) emit(target, { text: `${agent.displayName} (IT service desk): ${note}` });
    await own.handBack(next, agent, emit, null, now, 'resolved by agent');
  }

  async function escalate(
    t: Ticket,
    agent: Person,
    slug: string,
    action: IncomingAction,
    thread: ConversationRef | null,
    emit: Emit,
    now: string,
  ): Promise<void> {
    await convs.assertAgentOf(t, agent);
    const moved = await tickets.reassignGroup(
      t.number,
      agent,
      slug,
      `escalated by ${agent.displayName}`,
      now,
    );
    const primary = await convs.primaryOf(t.id);
    if (primary) {
      const from = await convs.currentOwner(primary);
      if (from !== 'queue') {
        await store.compareAndSetOwner(primary.id, [from], 'queue', now);
        await tickets.recordOwner(t.number, from, 'queue', agent.id, `escalated to ${slug}`, now);
      }
    }
    if (thread) emit(thread, { text: `${agent.displayName} escalated ${t.number} to ${slug}.` });
    const posted = await postToAgents(
      moved,
      {
        reason: `escalated by ${agent.displayName}`,
        confidence: null,
        tried: [`worked by ${agent.displayName}`],
        summary: t.description.slice(0, 200),
      },
      action.platform,
      emit,
      now,
    );
    if (!posted)
      emit(thread ?? action.conversation, {
        text: `The group ${slug} has no triage channel I can post to; the ticket is in its queue.`,
      });
  }

  /** The ticket a card action is about: its button value, or (a reaction) the card's thread. */
  async function ticketOf(action: IncomingAction): Promise<string> {
    if (typeof action.value.ticket === 'string') return action.value.ticket;
    const root = action.sourceMessage?.messageId ?? action.conversation.threadId;
    const conv = root ? await store.conversation({ ...action.conversation, threadId: root }) : null;
    const linked =
      conv?.role === 'agents' && conv.ticketId !== null ? await tickets.byIdForSystem(conv.ticketId) : null;
    if (!linked)
      throw new AppError('validation_failed', 'That message is not a handoff card of a ticket.', {
        field: 'ticket',
      });
    return linked.number;
  }

  async function onAgentAction(
    action: IncomingAction,
    agent: Person,
    emit: Emit,
    now: string,
  ): Promise<Array<{ reply: Reply; updateSource?: boolean }>> {
    const t = await tickets.get(await ticketOf(action), agent);
    const thread = (await convs.agentThreads(t.id)).at(-1)?.ref ?? null;
    const where = thread ?? action.conversation;
    switch (action.actionId) {
      case 'agent.claim':
        await own.claim(t, agent, emit, where, now, 'claimed with the card button');
        return [];
      case 'agent.resolve':
        await resolve(
          t,
          agent,
          typeof action.value.note === 'string' ? action.value.note : null,
          emit,
          where,
          now,
        );
        return [];
      case 'agent.handback':
        await convs.assertAgentOf(t, agent);
        await own.handBack(t, agent, emit, where, now, 'agent handed back');
        return [];
      case 'agent.escalate': {
        const slug = typeof action.value.group === 'string' ? action.value.group : null;
        if (!slug) throw new AppError('validation_failed', 'Escalate to which group?', { field: 'group' });
        await escalate(t, agent, slug, action, thread, emit, now);
        return [];
      }
      default:
        return [];
    }
  }

  return { resolve, onAgentAction };
}
