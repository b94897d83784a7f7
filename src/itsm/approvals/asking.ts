/** Asking a request's approvers and parking the request as pending(approval) until they decide. */
import { applyToTicket, mustTicket } from '../service-helpers.js';
import type { Ticket } from '../types.js';
import { type ApprovalSpec, approversFor, POLICY_OF } from './approvers.js';
import type { ApprovalServiceDeps } from './types.js';
import { tellUnreachable } from './unreachable.js';
import { approvalChoices } from './voting.js';

export function createApprovalAsking(deps: ApprovalServiceDeps) {
  const { tickets, directory, itil, notifier } = deps;

  return {
    /** Asks the approvers and parks the request as pending(approval). Idempotent per approver. */
    async request(
      number: string,
      spec: ApprovalSpec,
      now: string,
    ): Promise<{ ticket: Ticket; approvers: number[] }> {
      const ticket = await mustTicket(tickets, number);
      const existing = await itil.approvalsOf(ticket.id, 'request');
      if (existing.length > 0) return { ticket, approvers: existing.map((a) => a.approverId) };
      const { ids, note } = await approversFor(deps, ticket, spec);
      const policy = POLICY_OF[spec.type];
      await itil.addApprovals(
        ids.map((approverId) => ({
          ticketId: ticket.id,
          approverId,
          purpose: 'request' as const,
          policy,
          requestedAt: now,
        })),
      );
      const parked = await applyToTicket(
        tickets,
        ticket.id,
        (t) => ({
          patch:
            t.state === 'pending' || t.state === 'resolved' || t.state === 'closed' || t.state === 'cancelled'
              ? {}
              : { state: 'pending', pendingReason: 'approval' },
          events: [
            {
              at: now,
              actorId: null,
              type: 'approval',
              to: 'requested',
              reason: `approval by ${spec.type} (${policy})${note ? `; ${note}` : ''}`,
              data: { approvers: ids, policy, type: spec.type },
            },
            ...(t.state === 'pending' ||
            t.state === 'resolved' ||
            t.state === 'closed' ||
            t.state === 'cancelled'
              ? []
              : [
                  {
                    at: now,
                    actorId: null,
                    type: 'state_changed' as const,
                    from: t.state,
                    to: 'pending',
                    reason: 'waiting for approval',
                    data: { pendingReason: 'approval' },
                  },
                ]),
          ],
        }),
        now,
      );
      const requester = await directory.personById(ticket.requesterId);
      const unreachable: number[] = [];
      for (const id of ids) {
        const reached = await notifier.notifyPerson(
          id,
          `Approval needed: ${parked.number} "${parked.title}" requested by ${requester?.displayName ?? 'someone'}.${
            Object.keys(parked.fields).length > 0
              ? ` Details: ${Object.entries(parked.fields)
                  .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
                  .join('; ')}.`
              : ''
          }`,
          `approval:${parked.number}:request`,
          approvalChoices(parked.number, 'request'),
        );
        if (!reached) unreachable.push(id);
      }
      if (unreachable.length > 0) await tellUnreachable(deps, parked, unreachable, 'approval request', now);
      return { ticket: parked, approvers: ids };
    },
  };
}
