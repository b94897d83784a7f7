/** Reading tickets: one ticket with its history and clocks, lists for a viewer, system reads. */
import { AppError } from '../../errors.js';
import { isStaff } from '../authorization.js';
import { type SlaResult, ticketSla } from '../sla.js';
import type { Person, Ticket, TicketEvent, TicketState } from '../types.js';
import type { TicketCore } from './core.js';
import type { TicketServiceDeps, TicketView } from './types.js';

export function createTicketViews(deps: TicketServiceDeps, core: TicketCore) {
  const { tickets, directory } = deps;
  const { mustGet, assertCanSee } = core;

  return {
    /** For system jobs and linked records (agent threads, sweeps): no viewer, no access check. */
    async byIdForSystem(id: number): Promise<Ticket | null> {
      return tickets.byId(id);
    },

    async eventsForSystem(ticketId: number): Promise<TicketEvent[]> {
      return tickets.events(ticketId);
    },

    async get(number: string, viewer: Person): Promise<Ticket> {
      const t = await mustGet(number);
      assertCanSee(t, viewer);
      return t;
    },

    async view(number: string, viewer: Person, now: string): Promise<TicketView> {
      const t = await mustGet(number);
      assertCanSee(t, viewer);
      const [events, comments, group, assignee, requester] = await Promise.all([
        tickets.events(t.id),
        tickets.comments(t.id, { includeInternal: isStaff(viewer) }),
        t.groupId === null ? null : directory.groupById(t.groupId),
        t.assigneeId === null ? null : directory.personById(t.assigneeId),
        directory.personById(t.requesterId),
      ]);
      return {
        ticket: t,
        events,
        comments,
        sla: ticketSla(deps.sla, t, group?.calendar, events, now),
        group: group ? { slug: group.slug, name: group.name } : null,
        assignee: assignee ? { id: assignee.id, displayName: assignee.displayName } : null,
        requester: requester
          ? { id: requester.id, displayName: requester.displayName, email: requester.email }
          : null,
      };
    },

    /** The ticket's clocks on its group's calendar, exactly as the SLA sweeper computes them. */
    async sla(t: Ticket, now: string): Promise<SlaResult> {
      const [events, group] = await Promise.all([
        tickets.events(t.id),
        t.groupId === null ? null : directory.groupById(t.groupId),
      ]);
      return ticketSla(deps.sla, t, group?.calendar, events, now);
    },

    async listFor(
      viewer: Person,
      filter: { requesterId?: number; states?: TicketState[]; groupSlug?: string; limit?: number },
    ): Promise<Ticket[]> {
      let requesterId = filter.requesterId;
      if (!isStaff(viewer)) {
        if (requesterId !== undefined && requesterId !== viewer.id) {
          throw new AppError('forbidden', 'You can only list your own tickets.');
        }
        requesterId = viewer.id;
      }
      let groupId: number | undefined;
      if (filter.groupSlug) {
        const g = await directory.groupBySlug(filter.groupSlug);
        if (!g)
          throw new AppError('not_found', `There is no group "${filter.groupSlug}".`, { field: 'group' });
        groupId = g.id;
      }
      return tickets.list({
        ...(requesterId === undefined ? {} : { requesterId }),
        ...(groupId === undefined ? {} : { groupId }),
        ...(filter.states ? { states: filter.states } : {}),
        limit: Math.min(filter.limit ?? 50, 500),
      });
    },
  };
}
