/**
 * Who may work a ticket (edit, claim, resolve, reassign): an agent who is a member of the ticket's
 * group, or a manager or admin. One rule, used by chat threads, card buttons, typed commands and REST.
 *
 * MERGE NOTE: the security work adds src/itsm/authorization.ts with `canWorkTicket`; this function
 * is the same rule and should be redirected there (or replaced by it) when the branches meet.
 */
import { AppError } from '../errors.js';
import type { DirectoryStore, Person } from './store.js';
import type { Ticket } from './types.js';

export async function mayWorkTicket(directory: DirectoryStore, t: Ticket, person: Person): Promise<boolean> {
  if (person.role === 'manager' || person.role === 'admin') return true;
  if (person.role !== 'agent') return false;
  return t.groupId === null || directory.isMember(t.groupId, person.id);
}

export async function assertMayWorkTicket(
  directory: DirectoryStore,
  t: Ticket,
  person: Person,
): Promise<void> {
  if (person.role === 'employee')
    throw new AppError('forbidden', 'Only service desk agents can work tickets here.');
  if (await mayWorkTicket(directory, t, person)) return;
  const group = t.groupId === null ? null : await directory.groupById(t.groupId);
  throw new AppError(
    'forbidden',
    `${t.number} belongs to ${group?.name ?? 'another group'}; only its agents (or a manager) can work it.`,
  );
}
