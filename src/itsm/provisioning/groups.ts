/** Directory groups (SCIM): read, create, replace, patch and delete, each followed by an access sync. */
import { AppError } from '../../errors.js';
import type { DirectoryGroupRecord } from '../types.js';
import type { AccessSync } from './access.js';
import type { ProvisioningDeps } from './types.js';

export function createGroupCommands({ store }: Pick<ProvisioningDeps, 'store'>, { syncAccess }: AccessSync) {
  return {
    async group(id: number): Promise<DirectoryGroupRecord> {
      const g = await store.group(id);
      if (!g) throw new AppError('not_found', `No group ${id}.`);
      return g;
    },

    async createGroup(displayName: string, externalId: string | null, members: number[], now: string) {
      await requireKnown(members);
      const id = await store.insertGroup(displayName, externalId, now);
      for (const p of await store.changeMembers(id, members, [], now)) await syncAccess(p, now);
      return (await store.group(id)) as DirectoryGroupRecord;
    },

    async replaceGroup(
      id: number,
      displayName: string,
      externalId: string | null,
      members: number[],
      now: string,
    ) {
      if (!(await store.group(id))) throw new AppError('not_found', `No group ${id}.`);
      await requireKnown(members);
      await store.updateGroup(id, displayName, externalId, now);
      const changed = new Set([
        ...(await store.changeMembers(id, [], 'all', now)),
        ...(await store.changeMembers(id, members, [], now)),
      ]);
      for (const p of changed) await syncAccess(p, now);
      return (await store.group(id)) as DirectoryGroupRecord;
    },

    async patchGroup(
      id: number,
      change: { displayName?: string; externalId?: string | null; add: number[]; remove: number[] | 'all' },
      now: string,
    ) {
      const g = await store.group(id);
      if (!g) throw new AppError('not_found', `No group ${id}.`);
      await requireKnown(change.add);
      if (change.displayName !== undefined || change.externalId !== undefined)
        await store.updateGroup(
          id,
          change.displayName ?? g.displayName,
          change.externalId === undefined ? g.externalId : change.externalId,
          now,
        );
      const changed = new Set([
        ...(await store.changeMembers(id, [], change.remove, now)),
        ...(await store.changeMembers(id, change.add, [], now)),
      ]);
      // A renamed group may match another mapping rule: everyone in it is recomputed.
      const affected =
        change.displayName !== undefined ? [...changed, ...g.members.map((m) => m.id)] : [...changed];
      for (const p of new Set(affected)) await syncAccess(p, now);
      return (await store.group(id)) as DirectoryGroupRecord;
    },

    async deleteGroup(id: number, now: string): Promise<void> {
      if (!(await store.group(id))) throw new AppError('not_found', `No group ${id}.`);
      for (const p of await store.deleteGroup(id)) await syncAccess(p, now);
    },
  };

  async function requireKnown(ids: number[]): Promise<void> {
    const known = await store.knownPeople(ids);
    const missing = ids.filter((i) => !known.has(i));
    if (missing.length > 0)
      throw new AppError('validation_failed', `members: no user with id ${missing.join(', ')}`, {
        field: 'members',
      });
  }
}
