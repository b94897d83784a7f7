/**
 * Telling an agent that dispatch gave them a ticket: a DM with the ticket card and its buttons (Claim,
 * Open thread), or a card in the group's triage channel, per the group's `triage.notify` setting
 * (`dm` by default, `triage`, or `none`). When the chosen way reaches nobody, an `undeliverable`
 * event goes on the ticket (the agent still finds the ticket in their queue). No fallback to the
 * triage channel: a card there opens the ticket's agent thread, which belongs to a handoff.
 */

import type { DirectoryStore, TicketStore } from '../itsm/ports.js';
import { recordEvents } from '../itsm/service-helpers.js';
import type { TicketService } from '../itsm/tickets.js';
import type { Person, Ticket } from '../itsm/types.js';
import type { Logger } from '../log.js';
import type { Reply } from './message.js';
import type { LazyReply } from './notifications.js';
import { STATE_LABEL, ticketCard } from './render.js';

type AssigneeNoticeMode = 'dm' | 'triage' | 'none';

function noticeModeOf(triage: Record<string, unknown>): AssigneeNoticeMode {
  const v = triage.notify;
  return v === 'triage' || v === 'none' ? v : 'dm';
}

interface AssigneeNoticeDeps {
  tickets: TicketService;
  directory: DirectoryStore;
  notifyPerson: (personId: number, reply: Reply | LazyReply, key: string, known?: Person) => Promise<boolean>;
  notifyAgents: (t: Ticket, text: string, key: string) => Promise<boolean>;
  /** Records that nobody could be reached about the ticket (an `undeliverable` event). */
  undeliverable: (t: Ticket, personId: number, why: string, now: string) => Promise<void>;
  log: Logger;
}

export function createAssigneeNotice(deps: AssigneeNoticeDeps) {
  return async function tellAssignee(t: Ticket, now: string): Promise<void> {
    if (t.assigneeId === null) return;
    try {
      const [agent, group] = await Promise.all([
        deps.directory.personById(t.assigneeId),
        t.groupId === null ? null : deps.directory.groupById(t.groupId),
      ]);
      if (!agent) return;
      const mode = group ? noticeModeOf(group.triage) : 'dm';
      if (mode === 'none') return;
      const key = `assigned:${t.number}:${agent.id}`;
      const text = `🎫 ${t.number} (${t.priority}, ${STATE_LABEL[t.state]}) was assigned to ${agent.displayName}${group ? ` in ${group.name}` : ''}: ${t.title}`;
      if (mode === 'dm') {
        // Built once a DM is known to reach them: the card reads the ticket's clocks.
        const reply = async (): Promise<Reply> => {
          const card = ticketCard(t, {
            sla: await deps.tickets.sla(t, now),
            group: group?.name ?? null,
            assignee: agent.displayName,
            timeZone: agent.timeZone,
            now,
          });
          card.actions = [
            { label: 'Claim', actionId: 'agent.claim', value: { ticket: t.number }, style: 'primary' },
            { label: 'Open thread', actionId: 'desk.open', value: { ticket: t.number } },
          ];
          return { text, card };
        };
        if (!(await deps.notifyPerson(agent.id, reply, key, agent)))
          await deps.undeliverable(t, agent.id, 'no direct message reaches the assignee', now);
        return;
      }
      if (!(await deps.notifyAgents(t, text, key)))
        await deps.undeliverable(t, agent.id, "the group's triage channel cannot be reached", now);
    } catch (e) {
      // Telling is best effort: the assignment stands and the queue shows it.
      deps.log.warn('could not tell the assignee', { ticket: t.number, error: e });
    }
  };
}

/** Audits that nobody could be reached about a ticket. */
export async function recordUndeliverable(
  store: TicketStore,
  t: Ticket,
  personId: number,
  why: string,
  now: string,
): Promise<void> {
  await recordEvents(
    store,
    t.id,
    [
      {
        at: now,
        actorId: null,
        type: 'undeliverable',
        to: String(personId),
        reason: why,
        data: { personId },
      },
    ],
    now,
  );
}
