/**
 * Who may do what with a ticket: one rule per action, pure, used by every surface (chat, cards,
 * Slack, Teams, REST, dashboard) through the services that call it. Adapters never decide rights.
 *
 * - See a ticket: its requester, and the service desk (agents, managers, admins).
 * - Work a ticket (move it, resolve it, comment on it as the desk, claim it): managers and admins
 *   anywhere; an agent only when the ticket has no group yet or is in one of the agent's groups.
 * - Read desk-wide reports (KPIs, everyone's load): the service desk, never an employee.
 *
 * A refusal to someone who may not see the ticket reads exactly like a ticket that does not exist,
 * so nobody learns that a number is taken, or what kind of ticket it is.
 */
import { AppError } from '../errors.js';
import type { Person, Ticket } from './types.js';

export const isStaff = (p: Pick<Person, 'role'>): boolean => p.role !== 'employee';

export function canSeeTicket(actor: Pick<Person, 'id' | 'role'>, t: Pick<Ticket, 'requesterId'>): boolean {
  return t.requesterId === actor.id || isStaff(actor);
}

/**
 * `actorGroupIds`: the support groups the actor belongs to (only read for agents; managers and
 * admins work every group's tickets).
 */
export function canWorkTicket(
  actor: Pick<Person, 'role'>,
  t: Pick<Ticket, 'groupId'>,
  actorGroupIds: ReadonlySet<number>,
): boolean {
  if (!isStaff(actor)) return false;
  if (actor.role !== 'agent') return true;
  return t.groupId === null || actorGroupIds.has(t.groupId);
}

export function canSeeDeskReports(actor: Pick<Person, 'role'>): boolean {
  return isStaff(actor);
}

/** The one answer for a ticket that does not exist, or that the asker may not know exists. */
export function unknownTicket(number: string): AppError {
  return new AppError(
    'not_found',
    `There is no ticket ${number.toUpperCase()}. Check the number (e.g. INC0000042).`,
  );
}

/** The refusal for staff who may see the ticket but not work it (another group's). */
export function notYourGroup(t: Pick<Ticket, 'number'>, groupName: string | null): AppError {
  return new AppError(
    'forbidden',
    `${t.number} belongs to ${groupName ?? 'another group'}; only its agents (or a manager) can work it.`,
  );
}
