/**
 * An agent's day on tickets: their queue (mine, my groups' unassigned, breaching soon) and the edits
 * they make (priority, reassign to a person or group, pending with a reason, duplicates and merges,
 * parent/child), each checked by the group rule (work-rule.ts) and written as events. Dispatch of
 * tickets that wait without an assignee (an agent back from away, a manual group move) lives here too.
 */
import { createAgentDeskCore } from './agent-desk/core.js';
import { createWaitingDispatch } from './agent-desk/dispatch.js';
import { createAgentEdits } from './agent-desk/edits.js';
import { createTicketLinks } from './agent-desk/links.js';
import { createAgentQueue } from './agent-desk/queue.js';
import type { AgentDeskDeps } from './agent-desk/types.js';

export type { AgentQueue, QueueRow } from './agent-desk/types.js';

/**
 * The parts, by responsibility: agent-desk/core.ts (reading, the group rule, concurrent writes),
 * dispatch.ts (tickets waiting without an assignee), queue.ts (the queue), edits.ts (priority,
 * reassignment, pending), links.ts (duplicates and merges, parent/child).
 */
export function createAgentDesk(deps: AgentDeskDeps) {
  const core = createAgentDeskCore(deps);
  const dispatch = createWaitingDispatch(deps, core);
  const queue = createAgentQueue(deps);
  const edits = createAgentEdits(deps, core, dispatch);
  const links = createTicketLinks(deps, core);
  return {
    dispatchWaiting: dispatch.dispatchWaiting,
    queueFor: queue.queueFor,
    setPriority: edits.setPriority,
    reassign: edits.reassign,
    pend: edits.pend,
    markDuplicate: links.markDuplicate,
    setParent: links.setParent,
    dispatchGroupsOf: dispatch.dispatchGroupsOf,
  };
}

export type AgentDesk = ReturnType<typeof createAgentDesk>;
