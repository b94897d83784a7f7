/** When nobody can be reached in chat for an answer someone waits for (approvals, SLA escalations). */
import { recordEvents } from '../service-helpers.js';
import type { Ticket } from '../types.js';
import type { ApprovalServiceDeps } from './types.js';

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
