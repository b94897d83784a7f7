/** Opening a ticket: validation, idempotency, routing to a group and dispatch to one of its agents. */
import { AppError } from '../../errors.js';
import { chooseAgent, routeToGroup } from '../dispatch.js';
import type { NewEvent } from '../ports.js';
import { priorityOf } from '../priority.js';
import type { Ticket, TicketState } from '../types.js';
import { DESCRIPTION_MAX, type OpenTicketInput, TITLE_MAX, type TicketServiceDeps } from './types.js';

export function createTicketOpening(deps: TicketServiceDeps) {
  const { tickets, directory } = deps;

  async function dispatch(
    groupSlug: string,
    now: string,
    actorId: number | null,
  ): Promise<{ groupId: number | null; assigneeId: number | null; events: NewEvent[] }> {
    const group = await directory.groupBySlug(groupSlug);
    if (!group) {
      return {
        groupId: null,
        assigneeId: null,
        events: [
          {
            at: now,
            actorId,
            type: 'assigned',
            to: null,
            reason: `group ${groupSlug} does not exist; left unassigned`,
          },
        ],
      };
    }
    const loads = await directory.agentLoads(group.id);
    const choice = chooseAgent(loads, { strategy: group.strategy });
    return {
      groupId: group.id,
      assigneeId: choice.userId,
      events: [
        {
          at: now,
          actorId,
          type: 'assigned',
          to: choice.userId === null ? null : String(choice.userId),
          reason: choice.reason,
          data: { group: group.slug, groupId: group.id, assigneeId: choice.userId, auto: true },
        },
      ],
    };
  }

  return {
    async open(input: OpenTicketInput, now: string): Promise<Ticket> {
      const title = input.title.trim().replace(/\s+/g, ' ');
      if (title.length === 0)
        throw new AppError(
          'validation_failed',
          'A ticket needs a short title: what is wrong or what do you need?',
          { field: 'title' },
        );
      if (input.description.length > DESCRIPTION_MAX) {
        throw new AppError(
          'too_large',
          `The description is too long (${input.description.length} characters; at most ${DESCRIPTION_MAX}).`,
          { field: 'description' },
        );
      }
      if (input.sourceKey) {
        const existing = await tickets.bySourceKey(input.sourceKey);
        if (existing) return existing;
      }
      const priority = priorityOf(input.impact, input.urgency);
      const route = input.groupSlug
        ? { group: input.groupSlug, reason: `group ${input.groupSlug} named by the request` }
        : routeToGroup(
            { kind: input.kind, category: input.category, title, description: input.description },
            deps.rules,
          );
      const d = await dispatch(route.group, now, null);
      const state: TicketState = d.assigneeId === null ? 'new' : 'assigned';
      const created: NewEvent = {
        at: now,
        actorId: input.requester.id,
        type: 'created',
        to: 'new',
        reason: route.reason,
        data: {
          priority,
          impact: input.impact,
          urgency: input.urgency,
          category: input.category,
          channel: input.channel,
          ...input.decisions,
        },
      };
      const events: NewEvent[] = [created, ...d.events];
      if (state === 'assigned')
        events.push({
          at: now,
          actorId: null,
          type: 'state_changed',
          from: 'new',
          to: 'assigned',
          reason: 'auto-dispatch',
        });
      const opened = await tickets.create(
        {
          kind: input.kind,
          title: title.slice(0, TITLE_MAX),
          description: input.description,
          state,
          impact: input.impact,
          urgency: input.urgency,
          priority,
          category: input.category,
          templateId: input.templateId ?? null,
          fields: input.fields ?? {},
          requesterId: input.requester.id,
          groupId: d.groupId,
          assigneeId: d.assigneeId,
          channel: input.channel,
          createdAt: now,
          sourceKey: input.sourceKey ?? null,
        },
        events,
      );
      if (opened.assigneeId !== null) await deps.onAssigned?.(opened, now);
      return opened;
    },
  };
}
