/** What deactivating a person means for their work: open tickets back to the queue, threads freed. */
import { AppError } from '../../errors.js';
import type { NewEvent, TicketPatch } from '../ports.js';
import { OPEN_STATES, type Ticket } from '../types.js';
import type { DeactivationResult, ProvisioningDeps } from './types.js';

export type Deactivate = (personId: number, now: string) => Promise<DeactivationResult>;

export function createDeactivation(
  deps: Pick<ProvisioningDeps, 'tickets' | 'notifier' | 'releaseConversations' | 'personById'>,
): Deactivate {
  /** Gives the person's open tickets back to their group queues and frees the threads they own. */
  async function deactivate(personId: number, now: string): Promise<DeactivationResult> {
    const person = await deps.personById(personId);
    const who = person?.displayName ?? `person ${personId}`;
    const reassigned: string[] = [];
    const open = await deps.tickets.list({ assigneeId: personId, states: [...OPEN_STATES], limit: 10_000 });
    for (const t of open) {
      const done = await unassign(t, `${who} was deactivated in the company directory`, now);
      if (!done) continue;
      reassigned.push(done.number);
      await deps.notifier
        ?.notifyAgents(
          done,
          `${done.number} is back in the queue: ${who} was deactivated in the company directory. Claim it to continue.`,
          `deactivated:${personId}:${now}`,
        )
        .catch(() => false);
    }
    const conversations = (await deps.releaseConversations?.(personId, now)) ?? 0;
    return { tickets: reassigned, conversations };
  }

  async function unassign(t: Ticket, reason: string, now: string): Promise<Ticket | null> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = await deps.tickets.byId(t.id);
      if (!cur || cur.assigneeId !== t.assigneeId || !OPEN_STATES.includes(cur.state)) return null;
      const events: NewEvent[] = [
        {
          at: now,
          actorId: null,
          type: 'assigned',
          from: String(cur.assigneeId),
          to: null,
          reason,
          data: { groupId: cur.groupId, assigneeId: null, deactivated: cur.assigneeId },
        },
      ];
      const patch: TicketPatch = { assigneeId: null, updatedAt: now };
      // Work in progress goes back to "assigned to the group"; a waiting ticket keeps waiting.
      if (cur.state === 'in_progress') {
        patch.state = 'assigned';
        events.push({
          at: now,
          actorId: null,
          type: 'state_changed',
          from: 'in_progress',
          to: 'assigned',
          reason,
        });
      }
      const applied = await deps.tickets.apply(cur.id, await deps.tickets.version(cur.id), patch, events);
      if (applied) return applied;
    }
    throw new AppError('conflict', `${t.number} is being changed by someone else right now; try again.`);
  }

  return deactivate;
}
