/** Functional escalation of a breach: the group's escalation group takes the ticket and dispatches it. */
import { chooseAgent } from '../dispatch.js';
import type { NewEvent, TicketPatch } from '../ports.js';
import { applyToTicket } from '../service-helpers.js';
import type { Ticket } from '../types.js';
import { CLOCK_WORD, hhmm, type SlaNotice } from './notices.js';
import type { SlaSweepDeps } from './types.js';

/** Hands the ticket to the group's escalation group and dispatches inside it. Null when there is no next tier. */
export async function escalateFunctionally(
  deps: Pick<SlaSweepDeps, 'tickets' | 'directory'>,
  t: Ticket,
  notice: SlaNotice,
  now: string,
): Promise<{ ticket: Ticket; to: string } | null> {
  const { tickets, directory } = deps;
  const group = t.groupId === null ? null : await directory.groupById(t.groupId);
  if (!group?.escalationGroup) return null;
  const next = await directory.groupBySlug(group.escalationGroup);
  if (!next) return null;
  const choice = chooseAgent(await directory.agentLoads(next.id), { strategy: next.strategy });
  const reason = `${CLOCK_WORD[notice.clock]} SLA breached (${notice.priority}, due ${hhmm(notice.dueAt)}): functional escalation from ${group.slug} to ${next.slug}`;
  const ticket = await applyToTicket(
    tickets,
    t.id,
    (cur) => {
      if (cur.groupId !== group.id) return null; // someone moved it meanwhile; their decision stands
      // A late resolution does not take the ticket from the agent working on it: moving it would
      // restart the work elsewhere. The manager is told (hierarchical escalation) instead.
      if (notice.clock === 'resolution' && cur.state === 'in_progress' && cur.assigneeId !== null)
        return null;
      const events: NewEvent[] = [
        {
          at: now,
          actorId: null,
          type: 'escalated',
          from: group.slug,
          to: next.slug,
          reason,
          data: { level: `sla:${notice.clock}`, kind: 'functional', clock: notice.clock },
        },
        {
          at: now,
          actorId: null,
          type: 'assigned',
          from: cur.assigneeId === null ? null : String(cur.assigneeId),
          to: choice.userId === null ? null : String(choice.userId),
          reason: `${reason}; ${choice.reason}`,
          data: {
            group: next.slug,
            groupId: next.id,
            assigneeId: choice.userId,
            auto: true,
            escalation: 'functional',
          },
        },
      ];
      const patch: Omit<TicketPatch, 'updatedAt'> = { groupId: next.id, assigneeId: choice.userId };
      if (cur.state === 'new' && choice.userId !== null) {
        patch.state = 'assigned';
        events.push({
          at: now,
          actorId: null,
          type: 'state_changed',
          from: 'new',
          to: 'assigned',
          reason: 'escalation dispatch',
        });
      }
      return { patch, events };
    },
    now,
  );
  // Nothing was moved (see above): no functional escalation to announce.
  if (ticket.groupId !== next.id) return null;
  return { ticket, to: next.name };
}
