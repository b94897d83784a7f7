/** Kysely implementation of the directory provisioning port (ProvisioningStore in src/itsm/ports.ts). */
import type { Kysely } from 'kysely';
import type { ProvisioningStore } from '../itsm/ports.js';
import { directoryGroups } from './provisioning/groups.js';
import { directoryMemberships } from './provisioning/memberships.js';
import { directoryUsers } from './provisioning/users.js';
import type { DB } from './schema.js';

/** Users, groups and memberships live in their own modules (src/db/provisioning/); this assembles the port. */
export function createProvisioningStore(db: Kysely<DB>): ProvisioningStore {
  return { ...directoryUsers(db), ...directoryGroups(db), ...directoryMemberships(db) };
}

/** Threads an agent owned go back to the queue (the person was deactivated); returns how many. */
export async function releaseAgentConversations(
  db: Kysely<DB>,
  personId: number,
  now: string,
): Promise<number> {
  const r = await db
    .updateTable('conversations')
    .set({ owner: 'queue', updated_at: now })
    .where('owner', '=', `agent:${personId}`)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export { importPeople } from './people-import.js';
