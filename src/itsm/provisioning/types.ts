/**
 * Directory records (people and groups as the identity provider knows them), the storage port and
 * the provisioning service's dependencies.
 */
import type { Person, TicketStore } from '../ports.js';
import type { ItilNotifier } from '../practices-port.js';
import type { DirectoryMapping, Role } from './mapping.js';

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
