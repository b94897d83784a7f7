/**
 * Approvals of service requests (templates with `approval`) and the voting rule shared with CAB votes.
 * While approvals are outstanding the request is pending(approval), so its resolution clock is paused.
 */
import { createApprovalAsking } from './approvals/asking.js';
import { createApprovalDecisions } from './approvals/decisions.js';
import { createApprovalReminders } from './approvals/reminders.js';
import type { ApprovalServiceDeps } from './approvals/types.js';

export type { ApprovalSpec } from './approvals/approvers.js';
export { tellUnreachable } from './approvals/unreachable.js';
export {
  approvalChoices,
  type Outcome,
  outcomeOf,
  tallyLine,
  tallyOf,
  type VotePolicy,
  voteOutcome,
} from './approvals/voting.js';

/**
 * The parts, by responsibility: approvals/approvers.ts (who approves, the policy), asking.ts (asking
 * them, parking the request), decisions.ts (a decision and the outcome), reminders.ts, unreachable.ts
 * (nobody reachable in chat); the voting rule and its buttons in voting.ts.
 */
export function createApprovalService(deps: ApprovalServiceDeps) {
  const asking = createApprovalAsking(deps);
  const decisions = createApprovalDecisions(deps);
  const reminders = createApprovalReminders(deps);
  return {
    request: asking.request,
    decide: decisions.decide,
    of: decisions.of,
    remind: reminders.remind,
  };
}
