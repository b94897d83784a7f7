/**
 * Dispatch of tickets that wait in a group without an assignee: after a manual group move, or when an
 * agent of the group comes back.
 */
import { chooseAgent } from '../dispatch.js';
import type { NewEvent, TicketPatch } from '../ports.js';
import { OPEN_STATES, type Person, type Ticket } from '../types.js';
import type { AgentDeskCore } from './core.js';
import type { AgentDeskDeps } from './types.js';

export function createWaitingDispatch(
  deps: Pick<AgentDeskDeps, 'tickets' | 'directory' | 'onAssigned'>,
  core: AgentDeskCore,
) {
  const { tickets, directory } = deps;
  const { change } = core;

  /** Dispatches an open ticket that has a group and no assignee; returns it unchanged when nobody fits. */
  async function dispatchWaiting(t: Ticket, reason: string, now: string): Promise<Ticket> {
    if (t.assigneeId !== null || t.groupId === null || !OPEN_STATES.includes(t.state)) return t;
    const group = await directory.groupById(t.groupId);
    if (!group) return t;
    const choice = chooseAgent(await directory.agentLoads(group.id), { strategy: group.strategy });
    if (choice.userId === null) return t;
    const assignee = choice.userId;
    const next = await change(
      t,
      (cur) => {
        if (cur.assigneeId !== null || cur.groupId !== group.id) return null;
        const events: NewEvent[] = [
          {
            at: now,
            actorId: null,
            type: 'assigned',
            from: null,
            to: String(assignee),
            reason: `${reason}: ${choice.reason}`,
            data: { group: group.slug, groupId: group.id, assigneeId: assignee, auto: true },
          },
        ];
        const patch: Omit<TicketPatch, 'updatedAt'> = { assigneeId: assignee };
        if (cur.state === 'new') {
          patch.state = 'assigned';
          events.push({ at: now, actorId: null, type: 'state_changed', from: 'new', to: 'assigned', reason });
        }
        return { patch, events };
      },
      now,
    );
    if (next.assigneeId === assignee) await deps.onAssigned?.(next, now);
    return next;
  }

  return {
    dispatchWaiting,

    /** Tickets of a person's groups that wait without an assignee get one (an agent came back). */
    async dispatchGroupsOf(person: Person, now: string): Promise<Ticket[]> {
      const assigned: Ticket[] = [];
      for (const g of await directory.groupsOf(person.id)) {
        const waiting = (await tickets.list({ groupId: g.id, states: [...OPEN_STATES], limit: 200 })).filter(
          (t) => t.assigneeId === null,
        );
        for (const t of waiting) {
          const next = await dispatchWaiting(t, 'dispatch when an agent came back', now);
          if (next.assigneeId !== null) assigned.push(next);
        }
      }
      return assigned;
    },
  };
}

export type WaitingDispatch = ReturnType<typeof createWaitingDispatch>;
