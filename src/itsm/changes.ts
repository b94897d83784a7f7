/**
 * Change management: requests for change are tickets of kind 'change'; their type, phase, risk and
 * window live in the changes table. Flow: draft → cab (votes) → scheduled → implementing → review →
 * closed; standard changes are pre-approved and skip the CAB. The ticket state mirrors the phase so
 * lists and KPIs treat changes like any other ticket.
 */
import { createCabBoards, createChangeSubmission } from './changes/cab.js';
import { createChangeCore } from './changes/core.js';
import { createChangeDelivery } from './changes/delivery.js';
import { createChangeRequests } from './changes/requests.js';
import type { ChangeServiceDeps } from './changes/types.js';
import { createChangeVotes } from './changes/votes.js';

/**
 * The parts, by responsibility: changes/core.ts (reading, window, blackouts, risk, phase moves),
 * requests.ts (create, schedule), cab.ts (the boards, submit), votes.ts (votes, CAB thread),
 * delivery.ts (implement, complete, review, cancel, caused incidents, view).
 */
export function createChangeService(deps: ChangeServiceDeps) {
  const core = createChangeCore(deps);
  const requests = createChangeRequests(deps, core);
  const boards = createCabBoards(deps);
  const submission = createChangeSubmission(deps, core, boards);
  const votes = createChangeVotes(deps, core, boards);
  const delivery = createChangeDelivery(deps, core);
  return {
    create: requests.create,
    schedule: requests.schedule,
    submit: submission.submit,
    vote: votes.vote,
    discuss: votes.discuss,
    numberOf: votes.numberOf,
    implement: delivery.implement,
    complete: delivery.complete,
    review: delivery.review,
    cancel: delivery.cancel,
    linkIncident: delivery.linkIncident,
    view: delivery.view,
  };
}
