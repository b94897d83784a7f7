/** After approval: implementing, completing, reviewing or cancelling a change; incidents it caused. */
import { assertStaff, mustTicket, recordEvents } from '../service-helpers.js';
import type { ChangeRecord, Person, Ticket } from '../types.js';
import type { ChangeCore } from './core.js';
import type { ChangeServiceDeps, ChangeView } from './types.js';

export function createChangeDelivery(deps: ChangeServiceDeps, core: ChangeCore) {
  const { tickets, itil } = deps;
  const { mustChange, refuseBlackout, move, expectPhase } = core;

  return {
    async implement(
      number: string,
      actor: Person,
      now: string,
    ): Promise<{ ticket: Ticket; change: ChangeRecord }> {
      assertStaff(actor, 'implement changes');
      const { ticket, change } = await mustChange(number);
      expectPhase(ticket, change, ['scheduled'], 'start implementing');
      if (change.plannedStart && change.plannedEnd) {
        // Starting outside the approved window is allowed (early/late), but never inside a blackout.
        const end = new Date(Math.max(Date.parse(now) + 60_000, Date.parse(change.plannedEnd))).toISOString();
        refuseBlackout(now, end, change.changeType);
      }
      return move(ticket, change, 'implementing', actor, 'implementation started', now);
    },

    async complete(
      number: string,
      actor: Person,
      notes: string | null,
      now: string,
    ): Promise<{ ticket: Ticket; change: ChangeRecord }> {
      assertStaff(actor, 'complete changes');
      const { ticket, change } = await mustChange(number);
      expectPhase(ticket, change, ['implementing'], 'complete');
      return move(ticket, change, 'review', actor, notes ?? 'implemented; awaiting review', now);
    },

    async review(
      number: string,
      actor: Person,
      input: { successful: boolean; notes?: string | null },
      now: string,
    ): Promise<{ ticket: Ticket; change: ChangeRecord }> {
      assertStaff(actor, 'review changes');
      const { ticket, change } = await mustChange(number);
      expectPhase(ticket, change, ['review'], 'review');
      const review = `${input.successful ? 'successful' : 'unsuccessful'}${input.notes ? `: ${input.notes}` : ''}`;
      return move(ticket, change, 'closed', actor, `post-implementation review: ${review}`, now, { review });
    },

    async cancel(
      number: string,
      actor: Person,
      reason: string | null,
      now: string,
    ): Promise<{ ticket: Ticket; change: ChangeRecord }> {
      assertStaff(actor, 'cancel changes');
      const { ticket, change } = await mustChange(number);
      expectPhase(ticket, change, ['draft', 'cab', 'scheduled'], 'cancel');
      await itil.withdrawPending(ticket.id, 'cab', now);
      return move(ticket, change, 'cancelled', actor, reason ?? 'cancelled', now);
    },

    /** Records that an incident was caused by this change (for change success KPIs and review). */
    async linkIncident(number: string, incidentNumber: string, actor: Person, now: string): Promise<boolean> {
      assertStaff(actor, 'link incidents to changes');
      const { ticket } = await mustChange(number);
      const incident = await mustTicket(tickets, incidentNumber, 'incident');
      const added = await itil.link(incident.id, ticket.id, 'caused_by_change', actor.id, now);
      if (!added) return false;
      await recordEvents(
        tickets,
        incident.id,
        [
          {
            at: now,
            actorId: actor.id,
            type: 'linked',
            to: ticket.number,
            reason: 'caused by change',
            data: { kind: 'caused_by_change', change: ticket.number },
          },
        ],
        now,
      );
      await recordEvents(
        tickets,
        ticket.id,
        [
          {
            at: now,
            actorId: actor.id,
            type: 'linked',
            to: incident.number,
            reason: 'incident caused by this change',
            data: { kind: 'caused_incident', incident: incident.number },
          },
        ],
        now,
      );
      return true;
    },

    async view(number: string, viewer: Person): Promise<ChangeView> {
      assertStaff(viewer, 'view changes');
      const { ticket, change } = await mustChange(number);
      const votes = await itil.approvalsOf(ticket.id, 'cab');
      const caused = await itil.ticketsByIds(await itil.linkedFrom(ticket.id, 'caused_by_change'));
      return {
        ticket,
        change,
        assets: await itil.assetsOfTicket(ticket.id),
        votes: votes.map((v) => ({ approverId: v.approverId, state: v.state, comment: v.comment })),
        causedIncidents: caused.map((t) => t.number),
      };
    },
  };
}
