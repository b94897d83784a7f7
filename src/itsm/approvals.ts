/**
 * Approvals of service requests (templates with `approval`) and the voting rule shared with CAB votes.
 * While approvals are outstanding the request is pending(approval), so its resolution clock is paused.
 */

import { AppError } from '../errors.js';
import { canSeeTicket, unknownTicket } from './authorization.js';
import type { DirectoryStore, Person, TicketStore } from './ports.js';
import type { ItilConfig } from './practices-config.js';
import type { Approval, ApprovalPurpose, ItilNotifier, ItilStore, NotifyChoice } from './practices-port.js';
import { applyToTicket, mustTicket, recordEvents } from './service-helpers.js';
import type { Ticket } from './types.js';

export type VotePolicy = 'any' | 'all' | 'majority';
export type Outcome = 'approved' | 'rejected' | 'pending';

/**
 * The outcome of a vote among `total` voters:
 * - any: one approval is enough; rejected only when everyone rejected.
 * - all: everyone must approve; the first rejection rejects.
 * - majority: more than half approve; rejected as soon as a majority can no longer be reached.
 */
export function voteOutcome(
  policy: VotePolicy,
  total: number,
  approvals: number,
  rejections: number,
): Outcome {
  if (total <= 0) return 'pending';
  switch (policy) {
    case 'any':
      if (approvals >= 1) return 'approved';
      return rejections >= total ? 'rejected' : 'pending';
    case 'all':
      if (rejections >= 1) return 'rejected';
      return approvals >= total ? 'approved' : 'pending';
    case 'majority': {
      const needed = Math.floor(total / 2) + 1;
      if (approvals >= needed) return 'approved';
      return total - rejections < needed ? 'rejected' : 'pending';
    }
  }
}

export interface Tally {
  total: number;
  approvals: number;
  rejections: number;
}

/** Votes so far among the voters still counted (withdrawn rows are the ones nobody needs any more). */
export function tallyOf(rows: readonly Approval[]): Tally {
  const live = rows.filter((r) => r.state !== 'withdrawn');
  return {
    total: live.length,
    approvals: live.filter((r) => r.state === 'approved').length,
    rejections: live.filter((r) => r.state === 'rejected').length,
  };
}

/** "2 of 3 approve, 1 rejects; policy majority" */
export function tallyLine(t: Tally, policy: VotePolicy): string {
  const rejected = t.rejections > 0 ? `, ${t.rejections} reject${t.rejections === 1 ? 's' : ''}` : '';
  return `${t.approvals} of ${t.total} approve${rejected}; policy ${policy}`;
}

export function outcomeOf(rows: readonly Approval[], policy: VotePolicy): Outcome {
  const t = tallyOf(rows);
  return voteOutcome(policy, t.total, t.approvals, t.rejections);
}

export interface ApprovalSpec {
  type: 'manager' | 'users' | 'group';
  users?: string[] | undefined;
  group?: string | undefined;
}

/** Named approvers must all agree; a group needs any one member; a manager is one person. */
export const POLICY_OF: Record<ApprovalSpec['type'], VotePolicy> = {
  manager: 'all',
  users: 'all',
  group: 'any',
};

export function approvalChoices(ticket: string, purpose: ApprovalPurpose): NotifyChoice[] {
  if (purpose === 'cab') {
    return [
      { label: 'Approve', actionId: 'change.vote', value: { ticket, vote: 'approve' }, style: 'primary' },
      { label: 'Reject', actionId: 'change.vote', value: { ticket, vote: 'reject' }, style: 'danger' },
    ];
  }
  return [
    { label: 'Approve', actionId: 'approval.approve', value: { ticket }, style: 'primary' },
    { label: 'Reject', actionId: 'approval.reject', value: { ticket }, style: 'danger' },
  ];
}

export interface ApprovalServiceDeps {
  tickets: TicketStore;
  directory: DirectoryStore;
  itil: ItilStore;
  notifier: ItilNotifier;
  config: ItilConfig['approvals'];
}

export function createApprovalService(deps: ApprovalServiceDeps) {
  const { tickets, directory, itil, notifier } = deps;

  async function approversFor(
    ticket: Ticket,
    spec: ApprovalSpec,
  ): Promise<{ ids: number[]; note: string | null }> {
    const requester = await directory.personById(ticket.requesterId);
    const manager = async (): Promise<number | null> => {
      if (requester?.managerId != null) return requester.managerId;
      // Nobody on record: the manager of the handling group decides rather than nobody.
      const g = ticket.groupId === null ? null : await directory.groupById(ticket.groupId);
      return g?.managerId ?? null;
    };
    let ids: number[] = [];
    let note: string | null = null;
    if (spec.type === 'manager') {
      const m = await manager();
      if (m !== null) ids = [m];
      if (requester?.managerId == null)
        note = "the requester has no manager on record; the handling group's manager approves";
    } else if (spec.type === 'users') {
      for (const u of spec.users ?? []) {
        const p = await directory.personByEmail(u);
        if (!p)
          throw new AppError(
            'data_invalid',
            `Approver ${u} of this request form is not in the directory; fix the template's approval.users.`,
            { field: 'approval.users' },
          );
        ids.push(p.id);
      }
    } else {
      const g = spec.group ? await directory.groupBySlug(spec.group) : null;
      if (!g)
        throw new AppError(
          'data_invalid',
          `Approval group "${spec.group ?? ''}" does not exist; fix the template's approval.group.`,
          { field: 'approval.group' },
        );
      ids = await itil.groupMemberIds(g.id);
    }
    // No one approves their own request.
    ids = [...new Set(ids)].filter((id) => id !== ticket.requesterId);
    if (ids.length === 0) {
      const m = await manager();
      if (m !== null && m !== ticket.requesterId) {
        ids = [m];
        note = 'no other approver available; the manager approves';
      }
    }
    if (ids.length === 0)
      throw new AppError(
        'validation_failed',
        `Nobody can approve ${ticket.number}: set a manager for the requester or approvers in the template.`,
        { field: 'approval' },
      );
    return { ids, note };
  }

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
    /** Asks the approvers and parks the request as pending(approval). Idempotent per approver. */
    async request(
      number: string,
      spec: ApprovalSpec,
      now: string,
    ): Promise<{ ticket: Ticket; approvers: number[] }> {
      const ticket = await mustTicket(tickets, number);
      const existing = await itil.approvalsOf(ticket.id, 'request');
      if (existing.length > 0) return { ticket, approvers: existing.map((a) => a.approverId) };
      const { ids, note } = await approversFor(ticket, spec);
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

    /** Reminds approvers who have not answered; each reminder goes out once (keyed), at most maxReminders. */
    async remind(now: string): Promise<number> {
      const hours = deps.config.remindAfterHours;
      const before = new Date(Date.parse(now) - hours * 3_600_000).toISOString();
      let sent = 0;
      for (const a of await itil.pendingApprovalsRequestedBefore(before, 500)) {
        if (a.reminders >= deps.config.maxReminders) continue;
        const dueAt = Date.parse(a.requestedAt) + (a.reminders + 1) * hours * 3_600_000;
        if (dueAt > Date.parse(now)) continue;
        const key = `approval-reminder:${a.id}:${a.reminders + 1}`;
        if (
          !(await itil.claimNotification({
            key,
            ticketId: a.ticketId,
            kind: 'approval_reminder',
            clock: a.purpose,
            dueAt: new Date(dueAt).toISOString(),
            createdAt: now,
          }))
        )
          continue;
        await itil.bumpReminders(a.id);
        const [t] = await itil.ticketsByIds([a.ticketId]);
        if (!t) continue;
        await notifier.notifyPerson(
          a.approverId,
          `Reminder: ${t.number} "${t.title}" is still waiting for your ${a.purpose === 'cab' ? 'CAB vote' : 'approval'} (asked ${a.requestedAt.slice(0, 16).replace('T', ' ')} UTC).`,
          key,
          approvalChoices(t.number, a.purpose),
        );
        sent++;
      }
      return sent;
    },
  };
}

export type ApprovalService = ReturnType<typeof createApprovalService>;

/**
 * Nobody could be reached in chat (no identity, no workspace member with the email): an
 * `undeliverable` event per person, and the requester and the group's agents are told, so nobody
 * waits for an answer that cannot come.
 */
export async function tellUnreachable(
  deps: Pick<ApprovalServiceDeps, 'tickets' | 'directory' | 'notifier'>,
  t: Ticket,
  personIds: number[],
  what: string,
  now: string,
  /** Who waits for the answer: the requester (approvals) or only the agents (escalations). */
  waiting: 'requester' | 'agents' = 'requester',
): Promise<void> {
  const names: string[] = [];
  for (const id of personIds) {
    names.push((await deps.directory.personById(id))?.displayName ?? `person ${id}`);
    await recordEvents(
      deps.tickets,
      t.id,
      [
        {
          at: now,
          actorId: null,
          type: 'undeliverable',
          to: String(id),
          reason: `${what}: no chat reaches them`,
          data: { personId: id, what },
        },
      ],
      now,
    );
  }
  const text = `I couldn't reach ${names.join(', ')} in chat for the ${what} on ${t.number}; the service desk will follow up another way.`;
  if (waiting === 'requester')
    await deps.notifier.notifyRequester(t, text, `undeliverable:${what}:${personIds.join(',')}`);
  await deps.notifier.notifyAgents(t, text, `undeliverable:${what}:${personIds.join(',')}`);
}
