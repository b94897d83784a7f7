/**
 * Change management: requests for change are tickets of kind 'change'; their type, phase, risk and
 * window live in the changes table. Flow: draft → cab (votes) → scheduled → implementing → review →
 * closed; standard changes are pre-approved and skip the CAB. The ticket state mirrors the phase so
 * lists and KPIs treat changes like any other ticket.
 */
import { createChangeBoard } from './changes/cab.js';
import { createChangeCore } from './changes/core.js';
import { createChangeDelivery } from './changes/delivery.js';
import { createChangeRequests } from './changes/requests.js';
import type { ChangeServiceDeps } from './changes/types.js';

export type { ChangeInput, ChangeServiceDeps, ChangeView } from './changes/types.js';

/**
 * The parts, by responsibility: changes/core.ts (reading, window, blackouts, risk, phase moves),
 * requests.ts (create, schedule), cab.ts (submit, votes, CAB thread), delivery.ts (implement, complete,
 * review, cancel, caused incidents, view).
 */
export function createChangeService(deps: ChangeServiceDeps) {
  const core = createChangeCore(deps);
  const requests = createChangeRequests(deps, core);
  const board = createChangeBoard(deps, core);
  const delivery = createChangeDelivery(deps, core);
  return {
    create: requests.create,
    schedule: requests.schedule,
    submit: board.submit,
    vote: board.vote,
    discuss: board.discuss,
    numberOf: board.numberOf,
    implement: delivery.implement,
    complete: delivery.complete,
    review: delivery.review,
    cancel: delivery.cancel,
    linkIncident: delivery.linkIncident,
    view: delivery.view,
  };
}

export type ChangeService = ReturnType<typeof createChangeService>;
