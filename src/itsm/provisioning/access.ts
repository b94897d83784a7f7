/** What a person's directory groups give them (role and support groups), recomputed on every change. */

import type { Role } from '../types.js';
import { RANK } from './mapping.js';
import type { ProvisioningDeps } from './types.js';

export type AccessSync = ReturnType<typeof createAccessSync>;

export function createAccessSync(deps: Pick<ProvisioningDeps, 'store' | 'mapping' | 'staticMembers'>) {
  const { store, mapping } = deps;
  const rules = mapping.groups.map((g) => ({ ...g, key: g.directoryGroup.toLowerCase() }));
  const managedSlugs = [...new Set(rules.flatMap((r) => r.supportGroups))];
  const mapsRoles = rules.some((r) => r.role !== undefined);

  /** Recomputes what the person's directory groups give them: role (if mapped) and support groups. */
  async function syncAccess(personId: number, now: string): Promise<void> {
    if (rules.length === 0) return;
    const user = await store.user(personId);
    if (!user) return;
    const names = new Set((await store.directoryGroupNamesOf(personId)).map((n) => n.toLowerCase()));
    const matched = rules.filter((r) => names.has(r.key));
    if (mapsRoles && user.provisioned) {
      const role = matched.reduce<Role>(
        (best, r) => (r.role && RANK[r.role] > RANK[best] ? r.role : best),
        'employee',
      );
      if (role !== user.role) await store.setRole(personId, role, now);
    }
    const memberships = new Map<string, boolean>();
    for (const s of managedSlugs)
      memberships.set(
        s,
        matched.some((r) => r.supportGroups.includes(s)) ||
          (deps.staticMembers.get(s)?.has(user.email) ?? false),
      );
    if (memberships.size > 0) await store.setSupportGroups(personId, memberships);
  }

  /** After data/groups.json rewrote support group memberships at start-up, puts back what the directory gives. */
  async function resyncAll(now: string): Promise<number> {
    if (rules.length === 0) return 0;
    const people = await store.directoryManagedPeople();
    for (const p of people) await syncAccess(p, now);
    return people.length;
  }

  return { mapsRoles, syncAccess, resyncAll };
}
