/**
 * The ticket service: every change goes through here, is checked against the rules and the actor's
 * rights, and is written as events. Storage is behind TicketStore/DirectoryStore.
 */
import { AppError } from '../errors.js';
import { canSeeTicket, canWorkTicket, isStaff, notYourGroup, unknownTicket } from './authorization.js';
import { chooseAgent, type RulesConfig, routeToGroup } from './dispatch.js';
import { capLevels } from './impact-claim.js';
import { assertTransition } from './lifecycle.js';
import type { Comment, DirectoryStore, NewEvent, Person, TicketPatch, TicketStore } from './ports.js';
import { priorityOf } from './priority.js';
import { type SlaConfig, type SlaResult, ticketSla } from './sla.js';
import type {
  Channel,
  Level,
  PendingReason,
  Priority,
  Ticket,
  TicketEvent,
  TicketKind,
  TicketState,
} from './types.js';

export interface OpenTicketInput {
  kind: Extract<TicketKind, 'incident' | 'service_request'>;
  title: string;
  description: string;
  impact: Level;
  urgency: Level;
  category: string | null;
  templateId?: string | null;
  fields?: Record<string, unknown>;
  requester: Person;
  channel: Channel;
  /** Why the bot chose what it chose (classifier, triage), recorded on the created event. */
  decisions?: Record<string, unknown>;
  /** A group named by a template or an agent; otherwise routing rules decide. */
  groupSlug?: string | null;
  /** Idempotency key: opening twice with the same key returns the first ticket. */
  sourceKey?: string | null;
}

export interface TicketView {
  ticket: Ticket;
  events: TicketEvent[];
  comments: Comment[];
  sla: SlaResult;
  group: { slug: string; name: string } | null;
  assignee: { id: number; displayName: string } | null;
  requester: { id: number; displayName: string; email: string } | null;
}

export interface TicketServiceDeps {
  tickets: TicketStore;
  directory: DirectoryStore;
  rules: RulesConfig;
  sla: SlaConfig;
  reopenWindowDays?: number;
  /**
   * How high a requester's own claim may raise priority on this ticket (impact-claim.ts); without it
   * there is no ceiling.
   */
  requesterCeiling?: (t: Ticket, now: string) => Promise<{ ceiling: Priority; rule: string | null }>;
  /** After dispatch gave a new ticket to an agent: tell them (never throws). */
  onAssigned?: (t: Ticket, now: string) => Promise<void>;
}

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 20_000;
export const COMMENT_MAX = 10_000;

export type TicketService = ReturnType<typeof createTicketService>;

export function createTicketService(deps: TicketServiceDeps) {
  const { tickets, directory } = deps;

  async function mustGet(number: string): Promise<Ticket> {
    const t = await tickets.byNumber(number);
    if (!t) throw unknownTicket(number);
    return t;
  }

  /** Requesters see only their own tickets; staff see all (authorization.ts, for every surface). */
  function assertCanSee(t: Ticket, viewer: Person): void {
    // Same wording as a missing ticket: a requester must not learn that someone else's number exists.
    if (!canSeeTicket(viewer, t)) throw unknownTicket(t.number);
  }

  /** The support groups an agent works; managers and admins need none (see canWorkTicket). */
  async function groupIdsOf(actor: Person): Promise<ReadonlySet<number>> {
    if (actor.role !== 'agent') return new Set();
    return new Set((await directory.groupsOf(actor.id)).map((g) => g.id));
  }

  /** Staff work only the tickets of their groups (managers and admins: all); same rule as chat and cards. */
  function assertCanWork(t: Ticket, actor: Person, groups: ReadonlySet<number>, refusal: string): void {
    if (!isStaff(actor)) throw new AppError('forbidden', refusal);
    if (!canWorkTicket(actor, t, groups)) throw notYourGroup(t, null);
  }

  /** Applies a change with optimistic concurrency: re-read and retry when another writer won. */
  async function change(
    number: string,
    build: (t: Ticket) => { patch: Omit<TicketPatch, 'updatedAt'>; events: NewEvent[] } | null,
    now: string,
  ): Promise<Ticket> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const t = await mustGet(number);
      const version = await tickets.version(t.id);
      const plan = build(t);
      if (!plan) return t;
      const applied = await tickets.apply(t.id, version, { ...plan.patch, updatedAt: now }, plan.events);
      if (applied) return applied;
    }
    throw new AppError(
      'conflict',
      `${number} is being changed by someone else right now. Try again in a moment.`,
    );
  }

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
    assertCanSee,

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

    async comment(
      number: string,
      actor: Person,
      body: string,
      opts: { internal?: boolean; platform?: string | null },
      now: string,
    ): Promise<Comment> {
      const text = body.trim();
      if (text.length === 0)
        throw new AppError('validation_failed', 'The comment is empty.', { field: 'body' });
      if (text.length > COMMENT_MAX)
        throw new AppError(
          'too_large',
          `The comment is too long (${text.length} characters; at most ${COMMENT_MAX}).`,
          { field: 'body' },
        );
      const internal = opts.internal === true;
      if (internal && !isStaff(actor))
        throw new AppError('forbidden', 'Only agents can write internal notes.');
      let ticketId = 0;
      const groups = await groupIdsOf(actor);
      await change(
        number,
        (t) => {
          assertCanSee(t, actor);
          // The requester talks on their own ticket; anyone else annotates it as the desk.
          if (t.requesterId !== actor.id)
            assertCanWork(t, actor, groups, `Only the service desk can comment on ${t.number}.`);
          ticketId = t.id;
          return {
            patch: {},
            events: [
              {
                at: now,
                actorId: actor.id,
                type: 'commented',
                data: {
                  internal,
                  byAgent: isStaff(actor) && actor.id !== t.requesterId,
                  length: text.length,
                },
              },
            ],
          };
        },
        now,
      );
      return tickets.addComment({
        ticketId,
        authorId: actor.id,
        body: text,
        internal,
        platform: opts.platform ?? null,
        createdAt: now,
      });
    },

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

    /** Records the requester's satisfaction (1-5). */
    async rate(
      number: string,
      actor: Person,
      score: number,
      comment: string | null,
      now: string,
    ): Promise<Ticket> {
      if (!Number.isInteger(score) || score < 1 || score > 5)
        throw new AppError('validation_failed', 'A rating is a whole number from 1 to 5.', {
          field: 'rating',
        });
      return change(
        number,
        (t) => {
          if (t.requesterId !== actor.id)
            throw new AppError('forbidden', `Only the requester of ${t.number} can rate it.`);
          return {
            patch: {},
            events: [
              { at: now, actorId: actor.id, type: 'rated', to: String(score), data: { score, comment } },
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
