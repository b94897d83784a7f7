/**
 * The ticket service: every change goes through here, is checked against the rules and the actor's
 * rights, and is written as events. Storage is behind TicketStore/DirectoryStore.
 */
import { createTicketCore } from './tickets/core.js';
import { createTicketEdits } from './tickets/edits.js';
import { createTicketFeedback } from './tickets/feedback.js';
import { createTicketLifecycle } from './tickets/lifecycle.js';
import { createTicketOpening } from './tickets/opening.js';
import type { TicketServiceDeps } from './tickets/types.js';
import { createTicketViews } from './tickets/views.js';

export { COMMENT_MAX } from './tickets/types.js';

export type TicketService = ReturnType<typeof createTicketService>;

/**
 * The parts, by responsibility: tickets/core.ts (access checks, concurrent writes), opening.ts (open and
 * dispatch), views.ts (reads), lifecycle.ts (states, claims, escalations, owners), edits.ts (priority,
 * category and group), feedback.ts (comments, rating).
 */
export function createTicketService(deps: TicketServiceDeps) {
  const core = createTicketCore(deps);
  const { open } = createTicketOpening(deps);
  const views = createTicketViews(deps, core);
  const lifecycle = createTicketLifecycle(deps, core);
  const edits = createTicketEdits(deps, core);
  const feedback = createTicketFeedback(deps, core);
  return {
    assertCanSee: core.assertCanSee,
    open,
    byIdForSystem: views.byIdForSystem,
    eventsForSystem: views.eventsForSystem,
    get: views.get,
    view: views.view,
    sla: views.sla,
    listFor: views.listFor,
    transition: lifecycle.transition,
    comment: feedback.comment,
    reprioritize: edits.reprioritize,
    rate: feedback.rate,
    claim: lifecycle.claim,
    recategorize: edits.recategorize,
    reassignGroup: edits.reassignGroup,
    recordEscalation: lifecycle.recordEscalation,
    recordOwner: lifecycle.recordOwner,
  };
}
