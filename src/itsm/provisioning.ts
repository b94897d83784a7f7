/**
 * Directory provisioning (SCIM 2.0, CSV import, `set-role`): people and directory groups as the
 * company's identity provider knows them, the mapping of directory groups to chatdesk roles and
 * support groups (data/directory.json), and what deactivating a person means for their work.
 * Pure of HTTP and SQL: the SCIM router translates the protocol, a ProvisioningStore persists.
 */
import { z } from 'zod';
import { AppError } from '../errors.js';
import { isValidTimeZone } from './calendar.js';
import { loadDataFile } from './data-file.js';
import type { NewEvent, Person, TicketPatch, TicketStore } from './ports.js';
import type { ItilNotifier } from './practices-port.js';
import { OPEN_STATES, type Ticket } from './types.js';

export const ROLES = ['employee', 'agent', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];
/** When several directory groups give a role, the strongest wins. */
const RANK: Record<Role, number> = { employee: 0, agent: 1, manager: 2, admin: 3 };

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a support group slug from groups.json');

export const directoryMappingSchema = z.object({
  groups: z
    .array(
      z.object({
        /** The directory group's displayName (compared case-insensitively). */
        directoryGroup: z.string().trim().min(1),
        role: z.enum(ROLES).optional(),
        supportGroups: z.array(slug).default([]),
      }),
    )
    .default([]),
});
export type DirectoryMapping = z.output<typeof directoryMappingSchema>;

/** data/directory.json is optional: without it directory groups are recorded but change nothing. */
export async function loadDirectoryMapping(
  file: string,
  knownGroups: ReadonlySet<string>,
): Promise<DirectoryMapping> {
  let mapping: DirectoryMapping;
  try {
    mapping = await loadDataFile(directoryMappingSchema, file);
  } catch (e) {
    if (e instanceof AppError && /cannot be read \(ENOENT\)/.test(e.message)) return { groups: [] };
    throw e;
  }
  for (const [i, g] of mapping.groups.entries())
    for (const [j, s] of g.supportGroups.entries())
      if (!knownGroups.has(s))
        throw new AppError(
          'data_invalid',
          `${file}: groups.${i}.supportGroups.${j}: no group "${s}" in groups.json`,
          {
            field: `groups.${i}.supportGroups.${j}`,
          },
        );
  return mapping;
}

/** Directory attributes kept for round trips (SCIM name parts, title…) but not acted upon. */
export type DirectoryAttributes = Record<string, string>;

export interface DirectoryUser {
  id: number;
  userName: string;
  email: string;
  displayName: string;
  role: Role;
  active: boolean;
  externalId: string | null;
  managerId: number | null;
  timeZone: string;
  attributes: DirectoryAttributes;
  provisioned: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface UserInput {
  userName: string;
  email: string;
  displayName: string;
  active: boolean;
  externalId: string | null;
  /** Null keeps the current time zone (UTC for a new person). */
  timeZone: string | null;
  managerId: number | null;
  attributes: DirectoryAttributes;
}

export interface DirectoryGroupRecord {
  id: number;
  displayName: string;
  externalId: string | null;
  members: Array<{ id: number; display: string }>;
  createdAt: string;
  updatedAt: string;
}

export type UserFilterAttribute = 'id' | 'userName' | 'externalId' | 'email' | 'displayName';
export interface ResourceFilter {
  attribute: UserFilterAttribute;
  value: string;
}

export interface Page<T> {
  total: number;
  items: T[];
}

export interface ProvisioningStore {
  listUsers(filter: ResourceFilter | null, offset: number, limit: number): Promise<Page<DirectoryUser>>;
  /** Live (not deleted) people only; service accounts are never directory users. */
  user(id: number): Promise<DirectoryUser | null>;
  /** Creates the person, or revives a deleted one of the same email; conflict when the name is taken. */
  insertUser(input: UserInput, now: string): Promise<DirectoryUser>;
  updateUser(id: number, input: UserInput, now: string): Promise<DirectoryUser>;
  markDeleted(id: number, now: string): Promise<void>;
  setRole(personId: number, role: Role, now: string): Promise<void>;

  listGroups(
    filter: ResourceFilter | null,
    offset: number,
    limit: number,
    withMembers: boolean,
  ): Promise<Page<DirectoryGroupRecord>>;
  group(id: number): Promise<DirectoryGroupRecord | null>;
  insertGroup(displayName: string, externalId: string | null, now: string): Promise<number>;
  updateGroup(id: number, displayName: string, externalId: string | null, now: string): Promise<void>;
  /** Adds and removes members; returns the people whose membership changed. */
  changeMembers(groupId: number, add: number[], remove: number[] | 'all', now: string): Promise<number[]>;
  deleteGroup(id: number): Promise<number[]>;
  /** Of these ids, the live people (unknown ids in a group change are refused by name). */
  knownPeople(ids: number[]): Promise<Set<number>>;
  directoryGroupNamesOf(personId: number): Promise<string[]>;
  /** People in at least one directory group or provisioned by a directory. */
  directoryManagedPeople(): Promise<number[]>;
  /** Sets the person's membership of each managed support group (slug → member or not). */
  setSupportGroups(personId: number, memberships: ReadonlyMap<string, boolean>): Promise<void>;
}

export interface ProvisioningDeps {
  store: ProvisioningStore;
  tickets: TicketStore;
  mapping: DirectoryMapping;
  /** Members groups.json gives each support group (slug → emails): a mapping never removes those. */
  staticMembers: ReadonlyMap<string, ReadonlySet<string>>;
  notifier?: Pick<ItilNotifier, 'notifyAgents'>;
  /** Hands the person's agent-owned conversations back to the queue (the chat side of deactivation). */
  releaseConversations?: (personId: number, now: string) => Promise<number>;
  personById: (id: number) => Promise<Person | null>;
}

export interface DeactivationResult {
  tickets: string[];
  conversations: number;
}

export type ProvisioningService = ReturnType<typeof createProvisioningService>;

export function createProvisioningService(deps: ProvisioningDeps) {
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

  /** Gives the person's open tickets back to their group queues and frees the threads they own. */
  async function deactivate(personId: number, now: string): Promise<DeactivationResult> {
    const person = await deps.personById(personId);
    const who = person?.displayName ?? `person ${personId}`;
    const reassigned: string[] = [];
    const open = await deps.tickets.list({ assigneeId: personId, states: [...OPEN_STATES], limit: 10_000 });
    for (const t of open) {
      const done = await unassign(t, `${who} was deactivated in the company directory`, now);
      if (!done) continue;
      reassigned.push(done.number);
      await deps.notifier
        ?.notifyAgents(
          done,
          `${done.number} is back in the queue: ${who} was deactivated in the company directory. Claim it to continue.`,
          `deactivated:${personId}:${now}`,
        )
        .catch(() => false);
    }
    const conversations = (await deps.releaseConversations?.(personId, now)) ?? 0;
    return { tickets: reassigned, conversations };
  }

  async function unassign(t: Ticket, reason: string, now: string): Promise<Ticket | null> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = await deps.tickets.byId(t.id);
      if (!cur || cur.assigneeId !== t.assigneeId || !OPEN_STATES.includes(cur.state)) return null;
      const events: NewEvent[] = [
        {
          at: now,
          actorId: null,
          type: 'assigned',
          from: String(cur.assigneeId),
          to: null,
          reason,
          data: { groupId: cur.groupId, assigneeId: null, deactivated: cur.assigneeId },
        },
      ];
      const patch: TicketPatch = { assigneeId: null, updatedAt: now };
      // Work in progress goes back to "assigned to the group"; a waiting ticket keeps waiting.
      if (cur.state === 'in_progress') {
        patch.state = 'assigned';
        events.push({
          at: now,
          actorId: null,
          type: 'state_changed',
          from: 'in_progress',
          to: 'assigned',
          reason,
        });
      }
      const applied = await deps.tickets.apply(cur.id, await deps.tickets.version(cur.id), patch, events);
      if (applied) return applied;
    }
    throw new AppError('conflict', `${t.number} is being changed by someone else right now; try again.`);
  }

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

  return {
    mapping,
    syncAccess,
    deactivate,

    listUsers: store.listUsers.bind(store),
    listGroups: store.listGroups.bind(store),

    async user(id: number): Promise<DirectoryUser> {
      const u = await store.user(id);
      if (!u) throw new AppError('not_found', `No user ${id}.`);
      return u;
    },

    async group(id: number): Promise<DirectoryGroupRecord> {
      const g = await store.group(id);
      if (!g) throw new AppError('not_found', `No group ${id}.`);
      return g;
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

    /** After data/groups.json rewrote support group memberships at start-up, puts back what the directory gives. */
    async resyncAll(now: string): Promise<number> {
      if (rules.length === 0) return 0;
      const people = await store.directoryManagedPeople();
      for (const p of people) await syncAccess(p, now);
      return people.length;
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

  async function requireKnown(ids: number[]): Promise<void> {
    const known = await store.knownPeople(ids);
    const missing = ids.filter((i) => !known.has(i));
    if (missing.length > 0)
      throw new AppError('validation_failed', `members: no user with id ${missing.join(', ')}`, {
        field: 'members',
      });
  }
}

export function inputOf(u: DirectoryUser): UserInput {
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
