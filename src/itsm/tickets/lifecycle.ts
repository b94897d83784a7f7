/**
 * Moving a ticket through its states and recording who owns it: transitions, claims, escalation and
 * ownership records.
 */
import { AppError } from '../../errors.js';
import { isStaff } from '../authorization.js';
import { assertTransition } from '../lifecycle.js';
import type { NewEvent, TicketPatch } from '../ports.js';
import type { PendingReason, Person, Ticket, TicketState } from '../types.js';
import type { TicketCore } from './core.js';
import type { TicketServiceDeps } from './types.js';

export function createTicketLifecycle(deps: TicketServiceDeps, core: TicketCore) {
  const { tickets } = deps;
  const { mustGet, assertCanSee, groupIdsOf, assertCanWork, change } = core;

  return {
    /**
     * Moves a ticket. Requesters may cancel, close a resolved ticket, reopen, and resolve their own
     * ticket ("it works now"); everything else needs staff.
     */
    async transition(
      number: string,
      to: TicketState,
      actor: Person,
      opts: { reason?: string | null; pendingReason?: PendingReason | null },
      now: string,
    ): Promise<Ticket> {
      const groups = await groupIdsOf(actor);
      return change(
        number,
        (t) => {
          assertCanSee(t, actor);
          assertTransition(t.state, to, {
            now,
            resolvedAt: t.resolvedAt,
            ...(deps.reopenWindowDays === undefined ? {} : { reopenWindowDays: deps.reopenWindowDays }),
            pendingReason: opts.pendingReason ?? null,
            ticketNumber: t.number,
          });
          const own = t.requesterId === actor.id;
          const requesterMoves: TicketState[] = ['cancelled', 'closed', 'in_progress', 'resolved'];
          const requesterMove =
            own && requesterMoves.includes(to) && !(to === 'in_progress' && t.state !== 'resolved');
          if (!requesterMove)
            assertCanWork(t, actor, groups, `Only the service desk can move ${t.number} to ${to}.`);
          const patch: Omit<TicketPatch, 'updatedAt'> = {
            state: to,
            pendingReason: to === 'pending' ? (opts.pendingReason ?? null) : null,
          };
          if (to === 'resolved') patch.resolvedAt = now;
          if (to === 'closed' || to === 'cancelled') patch.closedAt = now;
          if (t.state === 'resolved' && to === 'in_progress') patch.resolvedAt = null;
          return {
            patch,
            events: [
              {
                at: now,
                actorId: actor.id,
                type: 'state_changed',
                from: t.state,
                to,
                reason: opts.reason ?? null,
                data: to === 'pending' ? { pendingReason: opts.pendingReason } : {},
              },
            ],
          };
        },
        now,
      );
    },

    /**
     * Gives the ticket to an agent (a claim): assigns it, records the owner change, and starts work.
     * The assignment is not automatic, so it meets the response SLA.
     */
    async claim(number: string, agent: Person, from: string, reason: string, now: string): Promise<Ticket> {
      if (!isStaff(agent)) throw new AppError('forbidden', 'Only service desk agents can claim tickets.');
      const groups = await groupIdsOf(agent);
      return change(
        number,
        (t) => {
          assertCanWork(t, agent, groups, 'Only service desk agents can claim tickets.');
          const events: NewEvent[] = [
            { at: now, actorId: agent.id, type: 'owner_changed', from, to: `agent:${agent.id}`, reason },
            {
              at: now,
              actorId: agent.id,
              type: 'assigned',
              from: t.assigneeId === null ? null : String(t.assigneeId),
              to: String(agent.id),
              reason: 'claimed in the agent thread',
              data: { assigneeId: agent.id, groupId: t.groupId },
            },
          ];
          const patch: Omit<TicketPatch, 'updatedAt'> = { assigneeId: agent.id };
          if (t.state === 'new' || t.state === 'assigned') {
            patch.state = 'in_progress';
            events.push({
              at: now,
              actorId: agent.id,
              type: 'state_changed',
              from: t.state,
              to: 'in_progress',
              reason: 'claimed',
            });
          }
          return { patch, events };
        },
        now,
      );
    },

    /** Appends an escalation record once per `level`; returns false when that level was recorded before. */
    async recordEscalation(
      number: string,
      level: string,
      reason: string,
      data: Record<string, unknown>,
      now: string,
    ): Promise<boolean> {
      // Check and append under the same version, so two sweepers (or two processes) record it once.
      for (let attempt = 0; attempt < 5; attempt++) {
        const t = await mustGet(number);
        const version = await tickets.version(t.id);
        if ((await tickets.events(t.id)).some((e) => e.type === 'escalated' && e.data.level === level))
          return false;
        const applied = await tickets.apply(t.id, version, { updatedAt: now }, [
          { at: now, actorId: null, type: 'escalated', reason, data: { ...data, level } },
        ]);
        if (applied) return true;
      }
      throw new AppError(
        'conflict',
        `${number} is being changed by someone else right now. Try again in a moment.`,
      );
    },

    /** Records a conversation ownership change (bot, queue, agent) on the ticket's audit log. */
    async recordOwner(
      number: string,
      from: string,
      to: string,
      actorId: number | null,
      reason: string,
      now: string,
    ): Promise<Ticket> {
      return change(
        number,
        () => ({ patch: {}, events: [{ at: now, actorId, type: 'owner_changed', from, to, reason }] }),
        now,
      );
    },
  };
}
