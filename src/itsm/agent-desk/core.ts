/**
 * What every agent-desk edit shares: reading the ticket, the group rule (work-rule.ts) and the write
 * with optimistic concurrency.
 */
import { AppError } from '../../errors.js';
import type { NewEvent, TicketPatch } from '../ports.js';
import type { Person, Ticket } from '../types.js';
import { assertMayWorkTicket } from '../work-rule.js';
import type { AgentDeskDeps } from './types.js';

export function createAgentDeskCore(deps: Pick<AgentDeskDeps, 'tickets' | 'directory'>) {
  const { tickets, directory } = deps;

  async function mustGet(number: string): Promise<Ticket> {
    const t = await tickets.byNumber(number.toUpperCase());
    if (!t)
      throw new AppError('not_found', `There is no ticket ${number.toUpperCase()}.`, { field: 'ticket' });
    return t;
  }

  /** The ticket, when the actor may work it. */
  async function working(number: string, actor: Person): Promise<Ticket> {
    const t = await mustGet(number);
    await assertMayWorkTicket(directory, t, actor);
    return t;
  }

  /** Applies `build`'s plan, re-reading and retrying when another writer won (null: nothing to do). */
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

  /** Writes one event to the ticket's history without changing its fields. */
  function record(t: Ticket, event: NewEvent, now: string): Promise<Ticket> {
    return change(t, () => ({ patch: {}, events: [event] }), now);
  }

  return { working, change, record };
}

export type AgentDeskCore = ReturnType<typeof createAgentDeskCore>;
