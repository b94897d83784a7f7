/**
 * An agent's day on tickets: their queue (mine, my groups' unassigned, breaching soon) and the edits
 * they make (priority, reassign to a person or group, pending with a reason, duplicates and merges,
 * parent/child), each checked by the group rule (work-rule.ts) and written as events. Dispatch of
 * tickets that wait without an assignee (an agent back from away, a manual group move) lives here too.
 */
import { AppError } from '../errors.js';
import { isStaff } from './authorization.js';
import { chooseAgent } from './dispatch.js';
import type { DirectoryStore, NewEvent, Person, TicketPatch, TicketStore } from './ports.js';
import type { ItilStore } from './practices-port.js';
import { defaultLevelsFor, priorityOf } from './priority.js';
import type { TicketService } from './tickets.js';
import { OPEN_STATES, type PendingReason, type Priority, type Ticket } from './types.js';
import { assertMayWorkTicket } from './work-rule.js';

export interface AgentDeskDeps {
  tickets: TicketStore;
  service: TicketService;
  directory: DirectoryStore;
  links: Pick<ItilStore, 'link' | 'linkedTo' | 'linkedFrom'>;
  /** A clock due within this many minutes is "breaching soon" (default 60). */
  breachingSoonMinutes?: number;
  /** Called after dispatch gave a ticket to an agent (tell them). */
  onAssigned?: (t: Ticket, now: string) => Promise<void>;
}

export interface QueueRow {
  ticket: Ticket;
  /** The clock that is closest to breaching, when one is running. */
  due: { clock: 'response' | 'resolution'; dueAt: string; breached: boolean } | null;
}

export interface AgentQueue {
  mine: QueueRow[];
  unassigned: QueueRow[];
  breaching: QueueRow[];
}

const ROW_LIMIT = 25;

export function createAgentDesk(deps: AgentDeskDeps) {
  const { tickets, service, directory } = deps;
  const soonMs = (deps.breachingSoonMinutes ?? 60) * 60_000;

  async function mustGet(number: string): Promise<Ticket> {
    const t = await tickets.byNumber(number.toUpperCase());
    if (!t)
      throw new AppError('not_found', `There is no ticket ${number.toUpperCase()}.`, { field: 'ticket' });
    return t;
  }

  async function working(number: string, actor: Person): Promise<Ticket> {
    const t = await mustGet(number);
    await assertMayWorkTicket(directory, t, actor);
    return t;
  }

  async function change(
    t: Ticket,
    build: (cur: Ticket) => { patch: Omit<TicketPatch, 'updatedAt'>; events: NewEvent[] } | null,
    now: string,
  ): Promise<Ticket> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = (await tickets.byId(t.id)) ?? t;
      const version = await tickets.version(cur.id);
      const plan = build(cur);
      if (!plan) return cur;
      const applied = await tickets.apply(cur.id, version, { ...plan.patch, updatedAt: now }, plan.events);
      if (applied) return applied;
    }
    throw new AppError('conflict', `${t.number} is being changed by someone else right now. Try again.`);
  }

  async function dueOf(t: Ticket, now: string): Promise<QueueRow['due']> {
    const sla = await service.sla(t, now);
    const running = (['response', 'resolution'] as const)
      .map((clock) => ({ clock, c: sla[clock] }))
      .filter(({ c }) => c.metAt === null && (c.breachedAt ?? c.dueAt) !== null)
      .map(({ clock, c }) => ({ clock, dueAt: (c.breachedAt ?? c.dueAt) as string, breached: c.breached }))
      .sort((a, b) => (a.dueAt < b.dueAt ? -1 : 1));
    return running[0] ?? null;
  }

  /** Dispatches an open ticket that has a group and no assignee; returns it unchanged when nobody fits. */
  async function dispatchWaiting(t: Ticket, reason: string, now: string): Promise<Ticket> {
    if (t.assigneeId !== null || t.groupId === null || !OPEN_STATES.includes(t.state)) return t;
    const group = await directory.groupById(t.groupId);
    if (!group) return t;
    const choice = chooseAgent(await directory.agentLoads(group.id), { strategy: group.strategy });
    if (choice.userId === null) return t;
    const assignee = choice.userId;
    const next = await change(
      t,
      (cur) => {
        if (cur.assigneeId !== null || cur.groupId !== group.id) return null;
        const events: NewEvent[] = [
          {
            at: now,
            actorId: null,
            type: 'assigned',
            from: null,
            to: String(assignee),
            reason: `${reason}: ${choice.reason}`,
            data: { group: group.slug, groupId: group.id, assigneeId: assignee, auto: true },
          },
        ];
        const patch: Omit<TicketPatch, 'updatedAt'> = { assigneeId: assignee };
        if (cur.state === 'new') {
          patch.state = 'assigned';
          events.push({ at: now, actorId: null, type: 'state_changed', from: 'new', to: 'assigned', reason });
        }
        return { patch, events };
      },
      now,
    );
    if (next.assigneeId === assignee) await deps.onAssigned?.(next, now);
    return next;
  }

  return {
    dispatchWaiting,

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
        return dispatchWaiting(moved, 'dispatch after a group move', now);
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

    /**
     * Links `dupNumber` as a duplicate of `ofNumber`. With `merge`, the duplicate is also resolved and
     * its report copied to the surviving ticket as an internal note.
     */
    async markDuplicate(
      dupNumber: string,
      ofNumber: string,
      actor: Person,
      merge: boolean,
      now: string,
    ): Promise<{ duplicate: Ticket; of: Ticket; linked: boolean }> {
      const dup = await working(dupNumber, actor);
      const of = await service.get(ofNumber.toUpperCase(), actor);
      if (dup.id === of.id)
        throw new AppError('validation_failed', 'A ticket cannot be a duplicate of itself.', { field: 'of' });
      if ((await deps.links.linkedTo(of.id, 'duplicate_of')).includes(dup.id))
        throw new AppError('validation_failed', `${of.number} is already a duplicate of ${dup.number}.`, {
          field: 'of',
        });
      const linked = await deps.links.link(dup.id, of.id, 'duplicate_of', actor.id, now);
      if (linked) {
        await change(
          dup,
          () => ({
            patch: {},
            events: [
              {
                at: now,
                actorId: actor.id,
                type: 'linked',
                to: of.number,
                reason: `duplicate of ${of.number}`,
                data: { link: 'duplicate_of', ticket: of.number, merge },
              },
            ],
          }),
          now,
        );
        await change(
          of,
          () => ({
            patch: {},
            events: [
              {
                at: now,
                actorId: actor.id,
                type: 'linked',
                to: dup.number,
                reason: `${dup.number} is a duplicate`,
                data: { link: 'duplicate', ticket: dup.number, merge },
              },
            ],
          }),
          now,
        );
      }
      let duplicate = dup;
      if (merge) {
        const requester = await directory.personById(dup.requesterId);
        await service.comment(
          of.number,
          actor,
          `Merged ${dup.number} (${requester?.displayName ?? 'unknown requester'}): ${dup.title}\n${dup.description}`.slice(
            0,
            9_000,
          ),
          { internal: true },
          now,
        );
        if (OPEN_STATES.includes(dup.state))
          duplicate = await service.transition(
            dup.number,
            'resolved',
            actor,
            { reason: `merged into ${of.number}` },
            now,
          );
      }
      return { duplicate, of, linked };
    },

    /** Makes `childNumber` a child of `parentNumber` (one parent per child; no cycles). */
    async setParent(childNumber: string, parentNumber: string, actor: Person, now: string) {
      const child = await working(childNumber, actor);
      const parent = await service.get(parentNumber.toUpperCase(), actor);
      if (child.id === parent.id)
        throw new AppError('validation_failed', 'A ticket cannot be its own parent.', { field: 'parent' });
      const current = await deps.links.linkedTo(child.id, 'child_of');
      if (current.includes(parent.id)) return { child, parent, linked: false };
      if (current.length > 0)
        throw new AppError('validation_failed', `${child.number} already has a parent ticket.`, {
          field: 'parent',
        });
      // Walking up from the parent must never reach the child.
      let up = parent.id;
      for (let depth = 0; depth < 50; depth++) {
        const next = (await deps.links.linkedTo(up, 'child_of'))[0];
        if (next === undefined) break;
        if (next === child.id)
          throw new AppError(
            'validation_failed',
            `${parent.number} is below ${child.number}; that would make a loop.`,
            { field: 'parent' },
          );
        up = next;
      }
      const linked = await deps.links.link(child.id, parent.id, 'child_of', actor.id, now);
      if (linked) {
        const ev = (to: string, reason: string, link: string): NewEvent => ({
          at: now,
          actorId: actor.id,
          type: 'linked',
          to,
          reason,
          data: { link, ticket: to },
        });
        await change(
          child,
          () => ({ patch: {}, events: [ev(parent.number, `child of ${parent.number}`, 'child_of')] }),
          now,
        );
        await change(
          parent,
          () => ({ patch: {}, events: [ev(child.number, `parent of ${child.number}`, 'parent_of')] }),
          now,
        );
      }
      return { child, parent, linked };
    },

    /** Tickets of a person's groups that wait without an assignee get one (an agent came back). */
    async dispatchGroupsOf(person: Person, now: string): Promise<Ticket[]> {
      const assigned: Ticket[] = [];
      for (const g of await directory.groupsOf(person.id)) {
        const waiting = (await tickets.list({ groupId: g.id, states: [...OPEN_STATES], limit: 200 })).filter(
          (t) => t.assigneeId === null,
        );
        for (const t of waiting) {
          const next = await dispatchWaiting(t, 'dispatch when an agent came back', now);
          if (next.assigneeId !== null) assigned.push(next);
        }
      }
      return assigned;
    },
  };
}

export type AgentDesk = ReturnType<typeof createAgentDesk>;
