/**
 * The bot-to-human handoff protocol (DESIGN §2.8), the same on every platform:
 *
 * - conversations.ts: who owns a ticket's conversation (`bot`, `queue`, `agent:<id>`), where each side is;
 * - agent-card.ts: the handoff card in the group's triage channel, whose thread is the agent thread;
 * - ownership.ts: claim (compare-and-set: of two claims one wins) and hand back;
 * - relay.ts: requester ⇄ agent while a person owns it, `;;` internal notes;
 * - agent-actions.ts: the card's buttons (claim, resolve, escalate, hand back);
 * - timeouts.ts: unclaimed handoffs escalate once.
 */
import { createAgentActions } from './agent-actions.js';
import { createAgentCards } from './agent-card.js';
import { createConversations } from './conversations.js';
import { createOwnership } from './ownership.js';
import { createRelay } from './relay.js';
import { createTimeouts } from './timeouts.js';
import type { HandoffDeps } from './types.js';

export { channelRef, webTriageRef } from './channels.js';
export type { Emit } from './types.js';

export function createHandoff(deps: HandoffDeps) {
  const convs = createConversations(deps);
  const own = createOwnership(deps, convs);
  const { postToAgents } = createAgentCards(deps);
  const actions = createAgentActions(deps, convs, own, postToAgents);
  const relay = createRelay(deps, convs, own, actions.resolve);
  return {
    primaryOf: convs.primaryOf,
    agentThreads: convs.agentThreads,
    postToAgents,
    relayFromRequester: relay.fromRequester,
    onAgentMessage: relay.fromAgent,
    resolve: actions.resolve,
    onAgentAction: actions.onAgentAction,
    onClaimTimeout: createTimeouts(deps, convs, postToAgents),
  };
}

export type Handoff = ReturnType<typeof createHandoff>;
