/**
 * What every ticket operation shares: reading a ticket, the access checks (authorization.ts) and the
 * write with optimistic concurrency.
 */
import { AppError } from '../../errors.js';
import { canSeeTicket, canWorkTicket, isStaff, notYourGroup, unknownTicket } from '../authorization.js';
import type { NewEvent, TicketPatch } from '../ports.js';
import type { Person, Ticket } from '../types.js';
import type { TicketServiceDeps } from './types.js';

export function createTicketCore(deps: Pick<TicketServiceDeps, 'tickets' | 'directory'>) {
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

  return { mustGet, assertCanSee, groupIdsOf, assertCanWork, change };
}

export type TicketCore = ReturnType<typeof createTicketCore>;
