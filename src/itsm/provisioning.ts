/**
 * Directory provisioning (SCIM 2.0, CSV import, `set-role`): people and directory groups as the
 * company's identity provider knows them, the mapping of directory groups to chatdesk roles and
 * support groups (data/directory.json), and what deactivating a person means for their work.
 * Pure of HTTP and SQL: the SCIM router translates the protocol, a ProvisioningStore persists.
 */
import { createAccessSync } from './provisioning/access.js';
import { createDeactivation } from './provisioning/deactivation.js';
import { createGroupCommands } from './provisioning/groups.js';
import type { ProvisioningDeps } from './provisioning/types.js';
import { createUserCommands } from './provisioning/users.js';

export { loadDirectoryMapping } from './provisioning/mapping.js';

export type ProvisioningService = ReturnType<typeof createProvisioningService>;

/**
 * The parts, by responsibility: provisioning/access.ts (what directory groups give: role, support
 * groups), deactivation.ts (open work back to the queue), users.ts and groups.ts (the SCIM commands).
 */
export function createProvisioningService(deps: ProvisioningDeps) {
  const { store, mapping } = deps;
  const access = createAccessSync(deps);
  const deactivate = createDeactivation(deps);
  const users = createUserCommands(deps, access, deactivate);
  const groups = createGroupCommands(deps, access);
  return {
    mapping,
    syncAccess: access.syncAccess,
    deactivate,

    listUsers: store.listUsers.bind(store),
    listGroups: store.listGroups.bind(store),

    user: users.user,
    group: groups.group,
    createUser: users.createUser,
    replaceUser: users.replaceUser,
    deleteUser: users.deleteUser,
    createGroup: groups.createGroup,
    replaceGroup: groups.replaceGroup,
    patchGroup: groups.patchGroup,
    deleteGroup: groups.deleteGroup,
    resyncAll: access.resyncAll,
    setRole: users.setRole,
  };
}
