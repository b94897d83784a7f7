/** The agent's queue, each row with the clock closest to breaching. */
import { AppError } from '../../errors.js';
import { isStaff } from '../authorization.js';
import { OPEN_STATES, type Person, type Ticket } from '../types.js';
import type { AgentDeskDeps, AgentQueue, QueueRow } from './types.js';

const ROW_LIMIT = 25;

export function createAgentQueue(
  deps: Pick<AgentDeskDeps, 'tickets' | 'service' | 'directory' | 'breachingSoonMinutes'>,
) {
  const { tickets, service, directory } = deps;
  const soonMs = (deps.breachingSoonMinutes ?? 60) * 60_000;

  async function dueOf(t: Ticket, now: string): Promise<QueueRow['due']> {
    const sla = await service.sla(t, now);
    const running = (['response', 'resolution'] as const)
      .map((clock) => ({ clock, c: sla[clock] }))
      .filter(({ c }) => c.metAt === null && (c.breachedAt ?? c.dueAt) !== null)
      .map(({ clock, c }) => ({ clock, dueAt: (c.breachedAt ?? c.dueAt) as string, breached: c.breached }))
      .sort((a, b) => (a.dueAt < b.dueAt ? -1 : 1));
    return running[0] ?? null;
  }

  return {
    /** The agent's queue: their open tickets, their groups' unassigned ones, and those breaching soon. */
    async queueFor(person: Person, now: string): Promise<AgentQueue> {
      if (!isStaff(person)) throw new AppError('forbidden', 'The queue is for service desk agents.');
      const mine = await tickets.list({ assigneeId: person.id, states: [...OPEN_STATES], limit: 200 });
      const groups = await directory.groupsOf(person.id);
      const grouped = (
        await Promise.all(
          groups.map((g) => tickets.list({ groupId: g.id, states: [...OPEN_STATES], limit: 200 })),
        )
      ).flat();
      const unassigned = grouped.filter((t) => t.assigneeId === null);
      const seen = new Map<number, Ticket>();
      for (const t of [...mine, ...grouped]) seen.set(t.id, t);
      const rows = new Map<number, QueueRow>();
      for (const t of seen.values()) rows.set(t.id, { ticket: t, due: await dueOf(t, now) });
      const byPriority = (a: QueueRow, b: QueueRow) =>
        a.ticket.priority.localeCompare(b.ticket.priority) || a.ticket.id - b.ticket.id;
      const cutoff = Date.parse(now) + soonMs;
      const row = (t: Ticket) => rows.get(t.id) as QueueRow;
      return {
        mine: mine.map(row).sort(byPriority).slice(0, ROW_LIMIT),
        unassigned: unassigned.map(row).sort(byPriority).slice(0, ROW_LIMIT),
        breaching: [...rows.values()]
          .filter((r) => r.due !== null && Date.parse(r.due.dueAt) <= cutoff)
          .sort((a, b) => ((a.due?.dueAt ?? '') < (b.due?.dueAt ?? '') ? -1 : 1))
          .slice(0, ROW_LIMIT),
      };
    },
  };
}
