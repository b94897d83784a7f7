/**
 * Correcting how a ticket is triaged: priority (with the requester's ceiling), category and group.
 * Comments and ratings are in feedback.ts.
 */
import { AppError } from '../../errors.js';
import { isStaff } from '../authorization.js';
import { capLevels } from '../impact-claim.js';
import type { NewEvent, TicketPatch } from '../ports.js';
import { priorityOf } from '../priority.js';
import type { Level, Person, Ticket } from '../types.js';
import type { TicketCore } from './core.js';
import type { TicketServiceDeps } from './types.js';

export function createTicketEdits(deps: TicketServiceDeps, core: TicketCore) {
  const { directory } = deps;
  const { mustGet, assertCanSee, groupIdsOf, assertCanWork, change } = core;

  return {
    async reprioritize(
      number: string,
      actor: Person,
      impact: Level,
      urgency: Level,
      reason: string | null,
      now: string,
    ): Promise<Ticket> {
      const groups = await groupIdsOf(actor);
      const limit =
        !isStaff(actor) && deps.requesterCeiling
          ? await deps.requesterCeiling(await mustGet(number), now)
          : null;
      const claimed = { impact, urgency, priority: priorityOf(impact, urgency) };
      const capped = limit ? capLevels(impact, urgency, limit.ceiling) : null;
      if (capped) {
        impact = capped.impact;
        urgency = capped.urgency;
      }
      const claim = limit
        ? { claim: { ...claimed, ceiling: limit.ceiling, rule: limit.rule, capped: capped?.capped ?? null } }
        : {};
      return change(
        number,
        (t) => {
          assertCanSee(t, actor);
          // Requesters may tell us how bad it is until an agent has taken the ticket; then the agent decides.
          const requesterEarly = t.requesterId === actor.id && (t.state === 'new' || t.state === 'assigned');
          if (!requesterEarly)
            assertCanWork(
              t,
              actor,
              groups,
              'Only the service desk can change the priority now; add a comment instead.',
            );
          const priority = priorityOf(impact, urgency);
          // A claim the ceiling lowered is still recorded, so an agent sees what the requester said.
          if (priority === t.priority && impact === t.impact && urgency === t.urgency && capped?.capped)
            return {
              patch: {},
              events: [
                {
                  at: now,
                  actorId: actor.id,
                  type: 'field_changed',
                  from: t.priority,
                  to: t.priority,
                  reason,
                  data: { field: 'impact_claim', ...claim },
                },
              ],
            };
          if (priority === t.priority && impact === t.impact && urgency === t.urgency) return null;
          const events: NewEvent[] = [];
          if (priority !== t.priority)
            events.push({
              at: now,
              actorId: actor.id,
              type: 'priority_changed',
              from: t.priority,
              to: priority,
              reason,
              data: { impact, urgency, ...claim },
            });
          else
            events.push({
              at: now,
              actorId: actor.id,
              type: 'field_changed',
              from: `${t.impact}/${t.urgency}`,
              to: `${impact}/${urgency}`,
              reason,
              data: { field: 'impact/urgency' },
            });
          return { patch: { impact, urgency, priority }, events };
        },
        now,
      );
    },

    /**
     * An agent corrects the bot's triage: category and/or group. Recorded as `categorized` events,
     * which count against the bot's accuracy and become training data.
     */
    async recategorize(
      number: string,
      actor: Person,
      to: { category?: string; groupSlug?: string },
      reason: string | null,
      now: string,
    ): Promise<Ticket> {
      if (!isStaff(actor))
        throw new AppError('forbidden', 'Only the service desk can correct a ticket’s category or group.');
      const group = to.groupSlug ? await directory.groupBySlug(to.groupSlug) : null;
      if (to.groupSlug && !group)
        throw new AppError('validation_failed', `There is no group "${to.groupSlug}".`, { field: 'group' });
      const groups = await groupIdsOf(actor);
      return change(
        number,
        (t) => {
          assertCanWork(t, actor, groups, 'Only the service desk can correct a ticket’s category or group.');
          const events: NewEvent[] = [];
          const patch: Omit<TicketPatch, 'updatedAt'> = {};
          if (to.category !== undefined && to.category !== t.category) {
            patch.category = to.category;
            events.push({
              at: now,
              actorId: actor.id,
              type: 'categorized',
              from: t.category,
              to: to.category,
              reason,
              data: { field: 'category' },
            });
          }
          if (group && group.id !== t.groupId) {
            patch.groupId = group.id;
            patch.assigneeId = null;
            events.push({
              at: now,
              actorId: actor.id,
              type: 'categorized',
              from: t.groupId === null ? null : String(t.groupId),
              to: String(group.id),
              reason,
              data: { field: 'group', group: group.slug },
            });
            events.push({
              at: now,
              actorId: actor.id,
              type: 'assigned',
              from: t.groupId === null ? null : String(t.groupId),
              to: null,
              reason: reason ?? 'group corrected by an agent',
              data: { group: group.slug, groupId: group.id, assigneeId: null },
            });
          }
          return events.length === 0 ? null : { patch, events };
        },
        now,
      );
    },

    /** Moves the ticket to another group (escalation or correction), unassigning it; why is recorded. */
    async reassignGroup(
      number: string,
      actor: Person | null,
      groupSlug: string,
      reason: string,
      now: string,
    ): Promise<Ticket> {
      if (actor && !isStaff(actor))
        throw new AppError('forbidden', 'Only the service desk can move a ticket to another group.');
      const group = await directory.groupBySlug(groupSlug);
      if (!group) throw new AppError('not_found', `There is no group "${groupSlug}".`, { field: 'group' });
      return change(
        number,
        (t) => ({
          patch: { groupId: group.id, assigneeId: null },
          events: [
            {
              at: now,
              actorId: actor?.id ?? null,
              type: 'assigned',
              from: t.groupId === null ? null : String(t.groupId),
              to: null,
              reason,
              data: { group: group.slug, groupId: group.id, assigneeId: null },
            },
          ],
        }),
        now,
      );
    },
  };
}
