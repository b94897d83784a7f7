/**
 * Chat surfaces of the ITIL engine: approve/reject buttons for approvers, CAB vote buttons, and the
 * notifier the ITIL services speak through (DMs, the requester's conversation, the agents' thread).
 */
import { AppError } from '../errors.js';
import type { Itil } from '../itsm/itil.js';
import type { ItilNotifier } from '../itsm/itil-store.js';
import type { Ticket } from '../itsm/types.js';
import type { Engine } from './conversation-engine.js';
import type { ActionHandler } from './engine.js';
import type { Reply } from './message.js';

/** The lead's agent-thread notice, when the engine has it (handoff work in progress). */
type MaybeAgents = {
  notifyAgents?: (ticket: Ticket, text: string, key: string) => Promise<unknown>;
};

export function createEngineNotifier(engine: Engine): ItilNotifier {
  const agents = engine as Engine & MaybeAgents;
  return {
    notifyPerson(personId, text, key, choices) {
      const reply: Reply = { text, ...(choices && choices.length > 0 ? { choices } : {}) };
      return engine.notifyPerson(personId, reply, key);
    },
    notifyRequester(ticket, text, key) {
      return engine.notifyRequester(ticket, text, key);
    },
    async notifyAgents(ticket, text, key) {
      if (typeof agents.notifyAgents !== 'function') return false;
      const r = await agents.notifyAgents(ticket, text, key);
      return r !== false;
    },
  };
}

function ticketOf(value: Record<string, unknown>): string {
  const t = value.ticket;
  if (typeof t !== 'string' || !/^(REQ|INC|CHG|PRB)\d{7}$/i.test(t))
    throw new AppError(
      'validation_failed',
      'This button has lost its ticket number; open the request from the latest message.',
      { field: 'ticket' },
    );
  return t.toUpperCase();
}

function commentOf(value: Record<string, unknown>): string | null {
  const c = value.comment;
  return typeof c === 'string' && c.trim().length > 0 ? c.trim() : null;
}

export function approvalHandler(itil: Itil, decision: 'approved' | 'rejected'): ActionHandler {
  return async ({ action, person, now }) => {
    const number = ticketOf(action.value);
    const { ticket, outcome } = await itil.approvals.decide(
      number,
      person,
      decision,
      commentOf(action.value),
      now,
    );
    const verb = decision === 'approved' ? 'approved' : 'rejected';
    const text =
      outcome === 'pending'
        ? `You ${verb} ${ticket.number} "${ticket.title}". Waiting for the other approvers.`
        : `You ${verb} ${ticket.number} "${ticket.title}". The request is ${outcome === 'approved' ? 'approved and goes to the service desk' : 'cancelled'}; the requester has been told.`;
    return [{ reply: { text }, updateSource: true }];
  };
}

export function cabVoteHandler(itil: Itil): ActionHandler {
  return async ({ action, person, now }) => {
    const number = ticketOf(action.value);
    const v = action.value.vote;
    if (v !== 'approve' && v !== 'reject')
      throw new AppError('validation_failed', 'A CAB vote is "approve" or "reject".', { field: 'vote' });
    const { ticket, outcome } = await itil.changes.vote(number, person, v, commentOf(action.value), now);
    const text =
      outcome === 'pending'
        ? `Your vote (${v}) on ${ticket.number} is recorded. Waiting for the rest of the CAB.`
        : `Your vote (${v}) on ${ticket.number} is recorded. The CAB has ${outcome} the change.`;
    return [{ reply: { text }, updateSource: true }];
  };
}

/** Registers the approval and CAB vote buttons with the engine. */
export function registerItilActions(engine: Engine, itil: Itil): void {
  engine.registerActionHandler('approval.approve', approvalHandler(itil, 'approved'));
  engine.registerActionHandler('approval.reject', approvalHandler(itil, 'rejected'));
  engine.registerActionHandler('change.vote', cabVoteHandler(itil));
}
