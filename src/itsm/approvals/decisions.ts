/**
 * An approver's decision, and what follows once the vote is decided: the request goes back to work or
 * is cancelled, and its requester is told.
 */
import { AppError } from '../../errors.js';
import { canSeeTicket, unknownTicket } from '../authorization.js';
import { applyToTicket, mustTicket, recordEvents } from '../service-helpers.js';
import type { Approval, Person, Ticket } from '../types.js';
import type { ApprovalServiceDeps } from './types.js';
import { type Outcome, outcomeOf, type VotePolicy } from './voting.js';

export function createApprovalDecisions(deps: Pick<ApprovalServiceDeps, 'tickets' | 'itil' | 'notifier'>) {
  const { tickets, itil, notifier } = deps;

  async function finish(
    ticket: Ticket,
    outcome: 'approved' | 'rejected',
    by: Person,
    comment: string | null,
    now: string,
  ): Promise<Ticket> {
    await itil.withdrawPending(ticket.id, 'request', now);
    const next = await applyToTicket(
      tickets,
      ticket.id,
      (t) => {
        if (t.state !== 'pending' || t.pendingReason !== 'approval') return null;
        const to = outcome === 'approved' ? (t.assigneeId === null ? 'new' : 'assigned') : 'cancelled';
        return {
          patch: { state: to, pendingReason: null, ...(to === 'cancelled' ? { closedAt: now } : {}) },
          events: [
            {
              at: now,
              actorId: by.id,
              type: 'state_changed',
              from: 'pending',
              to,
              reason: outcome === 'approved' ? 'approved' : `rejected${comment ? `: ${comment}` : ''}`,
            },
          ],
        };
      },
      now,
    );
    const text =
      outcome === 'approved'
        ? `Your request ${next.number} "${next.title}" was approved by ${by.displayName}${comment ? ` ("${comment}")` : ''}. The service desk will now work on it.`
        : `Your request ${next.number} "${next.title}" was not approved by ${by.displayName}${comment ? `: "${comment}"` : ''}. It has been cancelled; reply here if you have questions.`;
    await notifier.notifyRequester(next, text, `approval:${outcome}`);
    return next;
  }

  return {
    /** An approver decides. Only pending approvers of this ticket may; a second click is refused politely. */
    async decide(
      number: string,
      approver: Person,
      decision: 'approved' | 'rejected',
      comment: string | null,
      now: string,
    ): Promise<{ ticket: Ticket; outcome: Outcome }> {
      const ticket = await mustTicket(tickets, number);
      const rows = await itil.approvalsOf(ticket.id, 'request');
      const mine = rows.find((r) => r.approverId === approver.id);
      if (!mine) {
        // Someone who may not see the ticket hears what they would hear for a number that does not exist.
        if (!canSeeTicket(approver, ticket)) throw unknownTicket(ticket.number);
        throw new AppError('forbidden', `You are not an approver of ${ticket.number}.`);
      }
      if (mine.state !== 'pending')
        throw new AppError(
          'conflict',
          `${ticket.number} needs no decision from you any more (${mine.state === 'withdrawn' ? 'it was decided by someone else' : `you already ${mine.state} it`}).`,
        );
      const text = comment?.trim() ? comment.trim().slice(0, 2000) : null;
      if (!(await itil.decideApproval(ticket.id, approver.id, 'request', decision, text, now))) {
        throw new AppError('conflict', `${ticket.number} needs no decision from you any more.`);
      }
      await recordEvents(
        tickets,
        ticket.id,
        [
          {
            at: now,
            actorId: approver.id,
            type: 'approval',
            to: decision,
            reason: text,
            data: { approverId: approver.id },
          },
        ],
        now,
      );
      const after = await itil.approvalsOf(ticket.id, 'request');
      const outcome = outcomeOf(after, (mine.policy as VotePolicy) ?? 'all');
      if (outcome === 'pending') return { ticket: (await tickets.byId(ticket.id)) ?? ticket, outcome };
      return { ticket: await finish(ticket, outcome, approver, text, now), outcome };
    },

    async of(number: string): Promise<Approval[]> {
      const ticket = await mustTicket(tickets, number);
      return itil.approvalsOf(ticket.id, 'request');
    },
  };
}
