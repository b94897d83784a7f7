/** Directory users: read, create, replace, delete (SCIM), and the one rule for changing a role. */
import { AppError } from '../../errors.js';
import { isValidTimeZone } from '../calendar.js';
import type { UserInput } from '../ports.js';
import type { DirectoryUser, Person, Role } from '../types.js';
import type { AccessSync } from './access.js';
import type { Deactivate } from './deactivation.js';
import type { ProvisioningDeps } from './types.js';

/** Refuses a time zone that is not IANA. */
function checkInput(input: UserInput): void {
  if (input.timeZone !== null && !isValidTimeZone(input.timeZone))
    throw new AppError(
      'validation_failed',
      `timezone: "${input.timeZone}" is not an IANA time zone such as Europe/Berlin`,
      {
        field: 'timezone',
      },
    );
}

export function createUserCommands(
  { store }: Pick<ProvisioningDeps, 'store'>,
  { syncAccess, mapsRoles }: AccessSync,
  deactivate: Deactivate,
) {
  return {
    async user(id: number): Promise<DirectoryUser> {
      const u = await store.user(id);
      if (!u) throw new AppError('not_found', `No user ${id}.`);
      return u;
    },

    async createUser(input: UserInput, now: string): Promise<DirectoryUser> {
      checkInput(input);
      const u = await store.insertUser(input, now);
      await syncAccess(u.id, now);
      if (!u.active) await deactivate(u.id, now);
      return (await store.user(u.id)) ?? u;
    },

    async replaceUser(id: number, input: UserInput, now: string): Promise<DirectoryUser> {
      checkInput(input);
      const before = await store.user(id);
      if (!before) throw new AppError('not_found', `No user ${id}.`);
      await store.updateUser(id, input, now);
      if (before.active && !input.active) await deactivate(id, now);
      await syncAccess(id, now);
      return (await store.user(id)) as DirectoryUser;
    },

    /** SCIM DELETE: the person stays in ticket history, deactivated and hidden from the directory. */
    async deleteUser(id: number, now: string): Promise<void> {
      const u = await store.user(id);
      if (!u) throw new AppError('not_found', `No user ${id}.`);
      if (u.active) await store.updateUser(id, { ...inputOf(u), active: false }, now);
      await deactivate(id, now);
      await store.markDeleted(id, now);
    },

    /** `chatdesk people set-role`: the one rule for changing a role. */
    async setRole(actor: Person, person: Person, role: Role, now: string): Promise<{ overridden: boolean }> {
      if (actor.role !== 'admin') throw new AppError('forbidden', 'Only admins can change roles.');
      await store.setRole(person.id, role, now);
      const u = await store.user(person.id);
      // The directory wins at the next group change of a provisioned person; say so now.
      return { overridden: Boolean(u?.provisioned && mapsRoles) };
    },
  };
}

function inputOf(u: DirectoryUser): UserInput {
  return {
    userName: u.userName,
    email: u.email,
    displayName: u.displayName,
    active: u.active,
    externalId: u.externalId,
    timeZone: u.timeZone,
    managerId: u.managerId,
    attributes: u.attributes,
  };
}
