/** An agent's edits to a ticket they may work: priority, reassignment to a person or group, pending. */
import { AppError } from '../../errors.js';
import { isStaff } from '../authorization.js';
import type { NewEvent, TicketPatch } from '../ports.js';
import { defaultLevelsFor, priorityOf } from '../priority.js';
import type { PendingReason, Person, Priority, Ticket } from '../types.js';
import type { AgentDeskCore } from './core.js';
import type { WaitingDispatch } from './dispatch.js';
import type { AgentDeskDeps } from './types.js';

export function createAgentEdits(
  deps: Pick<AgentDeskDeps, 'service' | 'directory'>,
  core: AgentDeskCore,
  dispatch: WaitingDispatch,
) {
  const { service, directory } = deps;
  const { working, change } = core;

  return {
    /** An agent sets the priority directly; impact and urgency follow the matrix unless they already give it. */
    async setPriority(
      number: string,
      actor: Person,
      priority: Priority,
      reason: string | null,
      now: string,
    ): Promise<Ticket> {
      const t = await working(number, actor);
      const levels =
        priorityOf(t.impact, t.urgency) === priority
          ? { impact: t.impact, urgency: t.urgency }
          : defaultLevelsFor(priority);
      return service.reprioritize(t.number, actor, levels.impact, levels.urgency, reason, now);
    },

    /**
     * Reassigns to a named person (in the ticket's group, or moving it to the person's group) or to
     * another group, where dispatch picks an agent.
     */
    async reassign(
      number: string,
      actor: Person,
      to: { email?: string; group?: string },
      reason: string | null,
      now: string,
    ): Promise<Ticket> {
      const t = await working(number, actor);
      if (!to.email) {
        if (!to.group) throw new AppError('validation_failed', 'Reassign to whom?', { field: 'to' });
        const moved = await service.reassignGroup(
          t.number,
          actor,
          to.group,
          reason ?? `moved to ${to.group} by ${actor.displayName}`,
          now,
        );
        return dispatch.dispatchWaiting(moved, 'dispatch after a group move', now);
      }
      const person = await directory.personByEmail(to.email);
      if (!person || person.active === false)
        throw new AppError('not_found', `There is no active person with email ${to.email}.`, { field: 'to' });
      if (!isStaff(person))
        throw new AppError('validation_failed', `${person.displayName} is not a service desk agent.`, {
          field: 'to',
        });
      let group = to.group ? await directory.groupBySlug(to.group) : null;
      if (to.group && !group)
        throw new AppError('not_found', `There is no group "${to.group}".`, { field: 'group' });
      if (!group && t.groupId !== null && (await directory.isMember(t.groupId, person.id)))
        group = await directory.groupById(t.groupId);
      group ??= (await directory.groupsOf(person.id))[0] ?? null;
      if (!group || !(await directory.isMember(group.id, person.id)))
        throw new AppError(
          'validation_failed',
          `${person.displayName} is in no group that can take ${t.number}.`,
          { field: 'to' },
        );
      const g = group;
      return change(
        t,
        (cur) => {
          if (cur.assigneeId === person.id && cur.groupId === g.id) return null;
          const events: NewEvent[] = [
            {
              at: now,
              actorId: actor.id,
              type: 'assigned',
              from: cur.assigneeId === null ? null : String(cur.assigneeId),
              to: String(person.id),
              reason: reason ?? `reassigned to ${person.displayName} by ${actor.displayName}`,
              data: { group: g.slug, groupId: g.id, assigneeId: person.id, manual: true },
            },
          ];
          const patch: Omit<TicketPatch, 'updatedAt'> = { assigneeId: person.id, groupId: g.id };
          if (cur.state === 'new') {
            patch.state = 'assigned';
            events.push({
              at: now,
              actorId: actor.id,
              type: 'state_changed',
              from: 'new',
              to: 'assigned',
              reason: 'reassigned',
            });
          }
          return { patch, events };
        },
        now,
      );
    },

    /** Puts the ticket on hold for a reason (the SLA pauses for requester and vendor). */
    async pend(
      number: string,
      actor: Person,
      pendingReason: PendingReason,
      note: string | null,
      now: string,
    ): Promise<Ticket> {
      const t = await working(number, actor);
      return service.transition(
        t.number,
        'pending',
        actor,
        { reason: note ?? `waiting for ${pendingReason}`, pendingReason },
        now,
      );
    },
  };
}
