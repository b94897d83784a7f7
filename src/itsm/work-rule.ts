/**
 * The rule of authorization.ts (`canWorkTicket`) with the one group membership it needs read from
 * the directory: chat threads, card buttons, typed commands and REST all call these.
 */
import { AppError } from '../errors.js';
import { canWorkTicket, isStaff, notYourGroup } from './authorization.js';
import type { DirectoryStore } from './ports.js';
import type { Person, Ticket } from './types.js';

async function mayWorkTicket(
  directory: Pick<DirectoryStore, 'isMember'>,
  t: Ticket,
  person: Person,
): Promise<boolean> {
  const member =
    t.groupId !== null && person.role === 'agent' && (await directory.isMember(t.groupId, person.id));
  return canWorkTicket(person, t, new Set(member && t.groupId !== null ? [t.groupId] : []));
}

export async function assertMayWorkTicket(
  directory: Pick<DirectoryStore, 'isMember' | 'groupById'>,
  t: Ticket,
  person: Person,
): Promise<void> {
  if (!isStaff(person)) throw new AppError('forbidden', 'Only service desk agents can work tickets here.');
  if (await mayWorkTicket(directory, t, person)) return;
  const group = t.groupId === null ? null : await directory.groupById(t.groupId);
  throw notYourGroup(t, group?.name ?? null);
}
