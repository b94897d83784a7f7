/**
 * What a notice the sweep won does: the audit event, then a warning to the agents, or for a breach the
 * functional escalation, the manager's DM (hierarchical escalation) and a word to the requester.
 */
import { tellUnreachable } from '../approvals.js';
import { recordEvents } from '../service-helpers.js';
import type { Ticket } from '../types.js';
import { escalateFunctionally } from './escalation.js';
import { CLOCK_WORD, hhmm, type SlaNotice } from './notices.js';
import type { SlaSweepDeps, SweepResult } from './types.js';

export function createNoticeActions(deps: Pick<SlaSweepDeps, 'tickets' | 'directory' | 'notifier'>) {
  const { tickets, directory, notifier } = deps;

  /** "Notice in the agent thread", falling back to the group's manager (and the assignee) by DM. */
  async function tellAgents(t: Ticket, text: string, key: string, skip: number | null = null): Promise<void> {
    if (await notifier.notifyAgents(t, text, key)) return;
    const group = t.groupId === null ? null : await directory.groupById(t.groupId);
    const ids = new Set<number>();
    if (t.assigneeId !== null) ids.add(t.assigneeId);
    if (group?.managerId != null) ids.add(group.managerId);
    // `skip`: the manager who gets the hierarchical escalation DM anyway; one message is enough.
    if (skip !== null) ids.delete(skip);
    for (const id of ids) await notifier.notifyPerson(id, text, key);
  }

  async function act(t: Ticket, notice: SlaNotice, now: string, result: SweepResult): Promise<void> {
    // Audit first: the notice is part of the ticket's history whatever happens to the messages.
    let ticket = await recordEvents(
      tickets,
      t.id,
      [
        {
          at: now,
          actorId: null,
          type: 'sla_notified',
          to: notice.kind,
          reason: `${CLOCK_WORD[notice.clock]} ${notice.kind}`,
          data: { clock: notice.clock, kind: notice.kind, dueAt: notice.dueAt, priority: notice.priority },
        },
      ],
      now,
    );
    const what = `${ticket.number} "${ticket.title}" (${notice.priority})`;
    if (notice.kind === 'warning') {
      result.warnings++;
      await tellAgents(
        ticket,
        `⏰ SLA warning: ${CLOCK_WORD[notice.clock]} for ${what} is due ${hhmm(notice.dueAt)}.`,
        notice.key,
      );
      return;
    }
    result.breaches++;
    const originalGroup = ticket.groupId === null ? null : await directory.groupById(ticket.groupId);
    const moved = await escalateFunctionally(deps, ticket, notice, now);
    if (moved) {
      result.functionalEscalations++;
      ticket = moved.ticket;
    }
    const text = `🚨 SLA breached: ${CLOCK_WORD[notice.clock]} for ${what} was due ${hhmm(notice.dueAt)}.${moved ? ` Escalated to ${moved.to}.` : ''}`;
    await tellAgents(ticket, text, notice.key, originalGroup?.managerId ?? null);
    if (originalGroup?.managerId != null) {
      if (
        await notifier.notifyPerson(
          originalGroup.managerId,
          `${text} You manage ${originalGroup.name}.`,
          `${notice.key}:manager`,
        )
      )
        result.hierarchicalEscalations++;
      else
        await tellUnreachable(
          { tickets, directory, notifier },
          ticket,
          [originalGroup.managerId],
          'SLA escalation',
          now,
          'agents',
        );
      await recordEvents(
        tickets,
        ticket.id,
        [
          {
            at: now,
            actorId: null,
            type: 'escalated',
            to: `manager:${originalGroup.managerId}`,
            reason: `${CLOCK_WORD[notice.clock]} SLA breached: hierarchical escalation to the manager of ${originalGroup.slug}`,
            data: {
              level: `sla:${notice.clock}:manager`,
              kind: 'hierarchical',
              managerId: originalGroup.managerId,
            },
          },
        ],
        now,
      );
    }
    await notifier.notifyRequester(
      ticket,
      `We are late on ${ticket.number}, sorry. ${moved ? `It has been escalated to ${moved.to}` : 'It has been escalated'} and is being looked at with priority.`,
      notice.key,
    );
  }

  return { act };
}
