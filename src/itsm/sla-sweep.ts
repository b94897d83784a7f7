/**
 * The SLA sweep: finds clocks that reached their warning threshold or breached, notifies once, and
 * escalates breaches functionally (the group's escalation group takes over) and hierarchically (the
 * group's manager gets a DM).
 *
 * "Once" holds across repeated sweeps and several processes: every notice first inserts its key into
 * sla_notifications (ON CONFLICT DO NOTHING); only the sweep whose insert won acts.
 */

import { tellUnreachable } from './approvals.js';
import { chooseAgent } from './dispatch.js';
import type { DirectoryStore, NewEvent, TicketPatch, TicketStore } from './ports.js';
import type { ItilNotifier, ItilStore } from './practices-port.js';
import { applyToTicket, recordEvents } from './service-helpers.js';
import { type Clock, type SlaConfig, type SlaResult, ticketSla } from './sla.js';
import type { Ticket, TicketKind } from './types.js';

export type ClockName = 'response' | 'resolution';

export interface SlaNotice {
  /** Idempotency key; also the outbox dedupe key of the messages it sends. */
  key: string;
  kind: 'warning' | 'breach';
  clock: ClockName;
  dueAt: string | null;
  priority: SlaResult['priority'];
}

/**
 * The notices a ticket's clocks call for now. Warnings are keyed by priority, so a re-targeted clock
 * (priority raised) warns again for its new target; a breach is sticky and keyed once per clock.
 * A clock met after it breached (late response) is not announced: the news is stale.
 */
export function dueNotices(ticket: Pick<Ticket, 'id'>, sla: SlaResult): SlaNotice[] {
  const out: SlaNotice[] = [];
  const each: Array<[ClockName, Clock]> = [
    ['response', sla.response],
    ['resolution', sla.resolution],
  ];
  for (const [clock, c] of each) {
    if (c.breached && c.metAt === null && c.state !== 'stopped') {
      out.push({
        key: `sla:${ticket.id}:${clock}:breach`,
        kind: 'breach',
        clock,
        dueAt: c.breachedAt,
        priority: sla.priority,
      });
    } else if (c.warning && c.state === 'running') {
      out.push({
        key: `sla:${ticket.id}:${clock}:warning:${sla.priority}`,
        kind: 'warning',
        clock,
        dueAt: c.dueAt,
        priority: sla.priority,
      });
    }
  }
  return out;
}

export interface SweepResult {
  scanned: number;
  warnings: number;
  breaches: number;
  functionalEscalations: number;
  hierarchicalEscalations: number;
  /** Problems met on the way that did not stop the sweep (e.g. a template whose approvers are missing). */
  errors?: string[];
  /** Earliest instant a running clock changes status by itself: the sweeper may sleep until then. */
  nextDueAt: string | null;
}

export interface SlaSweepDeps {
  tickets: TicketStore;
  directory: DirectoryStore;
  itil: ItilStore;
  sla: SlaConfig;
  notifier: ItilNotifier;
  /** Ticket kinds that carry SLA clocks; problems and changes are planned work, not SLA-bound. */
  kinds?: readonly TicketKind[];
  pageSize?: number;
}

const CLOCK_WORD: Record<ClockName, string> = { response: 'first response', resolution: 'resolution' };

function hhmm(iso: string | null): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'unknown';
}

export function createSlaSweep(deps: SlaSweepDeps) {
  const kinds = deps.kinds ?? (['incident', 'service_request'] as const);
  const pageSize = deps.pageSize ?? 200;
  const { tickets, directory, itil, notifier } = deps;

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

  /** Hands the ticket to the group's escalation group and dispatches inside it. Null when there is no next tier. */
  async function escalateFunctionally(
    t: Ticket,
    notice: SlaNotice,
    now: string,
  ): Promise<{ ticket: Ticket; to: string } | null> {
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
    const moved = await escalateFunctionally(ticket, notice, now);
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

  return {
    async sweep(now: string): Promise<SweepResult> {
      const result: SweepResult = {
        scanned: 0,
        warnings: 0,
        breaches: 0,
        functionalEscalations: 0,
        hierarchicalEscalations: 0,
        nextDueAt: null,
      };
      let afterId = 0;
      const calendars = new Map<number, string | null>();
      const calendarOf = async (groupId: number | null): Promise<string | null> => {
        if (groupId === null) return null;
        if (!calendars.has(groupId))
          calendars.set(groupId, (await directory.groupById(groupId))?.calendar ?? null);
        return calendars.get(groupId) ?? null;
      };
      for (;;) {
        const page = await itil.openTickets(kinds, afterId, pageSize);
        if (page.length === 0) break;
        for (const t of page) {
          afterId = t.id;
          result.scanned++;
          const events = await tickets.events(t.id);
          const sla = ticketSla(deps.sla, t, await calendarOf(t.groupId), events, now);
          for (const c of [sla.response, sla.resolution]) {
            if (c.nextChangeAt && (result.nextDueAt === null || c.nextChangeAt < result.nextDueAt))
              result.nextDueAt = c.nextChangeAt;
          }
          for (const notice of dueNotices(t, sla)) {
            const won = await itil.claimNotification({
              key: notice.key,
              ticketId: t.id,
              kind: notice.kind,
              clock: notice.clock,
              dueAt: notice.dueAt,
              createdAt: now,
            });
            if (won) await act(t, notice, now, result);
          }
        }
        if (page.length < pageSize) break;
      }
      return result;
    },
  };
}

export type SlaSweep = ReturnType<typeof createSlaSweep>;
