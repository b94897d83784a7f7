/**
 * The voting rule shared by approvals of requests and CAB votes on changes, and the buttons an approver
 * votes with.
 */

import type { NotifyChoice } from '../ports.js';
import type { Approval, ApprovalPurpose } from '../types.js';

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

interface Tally {
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
