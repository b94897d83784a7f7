/**
 * The ports of the ITSM core: what its services need from storage, as plain functions over the
 * records in types.ts (implemented in src/db/ with Kysely; the services never see SQL), and how they
 * speak to people (ItilNotifier, implemented over the chat engine). With each port, the shapes it
 * takes as arguments.
 */
import type { ChatChannel } from './directory-data.js';
import type { TargetBreach } from './kpis/targets.js';
import type { KpiInput } from './kpis/types.js';
import type {
  AgentLoad,
  AlertGroupState,
  Approval,
  ApprovalPurpose,
  Asset,
  AssetRelation,
  AssetStatus,
  ChangeRecord,
  Comment,
  DirectoryAttributes,
  DirectoryGroupRecord,
  DirectoryUser,
  Group,
  Improvement,
  ImprovementState,
  LinkType,
  Person,
  ProblemRecord,
  RelationType,
  Role,
  Ticket,
  TicketEvent,
  TicketEventType,
  TicketKind,
  TicketState,
} from './types.js';

export interface NewEvent {
  at: string;
  actorId: number | null;
  type: TicketEventType;
  from?: string | null;
  to?: string | null;
  reason?: string | null;
  data?: Record<string, unknown>;
}

/** A ticket as opened: the store gives it its id and number; the later clocks start empty. */
export type NewTicket = Omit<
  Ticket,
  'id' | 'number' | 'pendingReason' | 'updatedAt' | 'resolvedAt' | 'closedAt'
> & {
  /** Idempotency key of the request that creates the ticket (e.g. `slack:Ev123`). */
  sourceKey: string | null;
};

export type TicketPatch = Partial<
  Pick<
    Ticket,
    | 'state'
    | 'pendingReason'
    | 'impact'
    | 'urgency'
    | 'priority'
    | 'category'
    | 'groupId'
    | 'assigneeId'
    | 'title'
    | 'description'
    | 'fields'
    | 'resolvedAt'
    | 'closedAt'
  >
> & { updatedAt: string };

export interface TicketFilter {
  requesterId?: number;
  groupId?: number;
  assigneeId?: number;
  states?: TicketState[];
  limit?: number;
}

export interface TicketStore {
  /** Allocates the next number of the kind and writes the ticket with its first events atomically. */
  create(ticket: NewTicket, events: NewEvent[]): Promise<Ticket>;
  byNumber(number: string): Promise<Ticket | null>;
  byId(id: number): Promise<Ticket | null>;
  bySourceKey(key: string): Promise<Ticket | null>;
  events(ticketId: number): Promise<TicketEvent[]>;
  /**
   * Appends events and updates the projection if the ticket is still at `expectedVersion`
   * (its event count). Returns null when another writer got there first: the caller re-reads and retries.
   */
  apply(
    ticketId: number,
    expectedVersion: number,
    patch: TicketPatch,
    events: NewEvent[],
  ): Promise<Ticket | null>;
  /**
   * Appends events whatever the ticket's version (audit events that do not depend on its state) and
   * touches updated_at, atomically. Null when there is no such ticket.
   */
  append(ticketId: number, events: NewEvent[], now: string): Promise<Ticket | null>;
  list(filter: TicketFilter): Promise<Ticket[]>;
  addComment(comment: Omit<Comment, 'id'>): Promise<Comment>;
  comments(ticketId: number, opts?: { includeInternal?: boolean }): Promise<Comment[]>;
  version(ticketId: number): Promise<number>;
}

export interface DirectoryStore {
  personById(id: number): Promise<Person | null>;
  personByEmail(email: string): Promise<Person | null>;
  /** The directory in id order, at most `limit` people (the web chat's who-am-I picker). */
  people(limit: number): Promise<Person[]>;
  groupBySlug(slug: string): Promise<Group | null>;
  groupById(id: number): Promise<Group | null>;
  groups(): Promise<Group[]>;
  isMember(groupId: number, personId: number): Promise<boolean>;
  /** Members of a group with their current open-ticket load, for dispatch. */
  agentLoads(groupId: number): Promise<AgentLoad[]>;
  groupsOf(personId: number): Promise<Group[]>;
}

// Storage of the ITIL practices: SLA notices, approvals, links, problems, changes, the CMDB.

export type NewAsset = Omit<Asset, 'id'>;

interface SlaNotificationClaim {
  key: string;
  ticketId: number;
  kind: string;
  clock: string;
  dueAt: string | null;
  createdAt: string;
}

/** Implemented in src/db/practices-store.ts (its parts in src/db/practices/). */
export interface ItilStore {
  /** Inserts the notice's key; false when it exists (another sweep, maybe in another process, has it). */
  claimNotification(n: SlaNotificationClaim): Promise<boolean>;
  /** Open tickets of the kinds, by id ascending after `afterId` (keyset paging for the sweeper). */
  openTickets(kinds: readonly TicketKind[], afterId: number, limit: number): Promise<Ticket[]>;
  /** Open incidents created at or after `since`, newest first (problem clustering). */
  recentOpenIncidents(since: string, limit: number): Promise<Ticket[]>;
  /** Open service requests from these templates that have no approval rows yet. */
  requestsWithoutApprovals(templateIds: readonly string[], limit: number): Promise<Ticket[]>;
  ticketsByIds(ids: readonly number[]): Promise<Ticket[]>;

  addApprovals(
    rows: Array<Pick<Approval, 'ticketId' | 'approverId' | 'purpose' | 'policy' | 'requestedAt'>>,
  ): Promise<void>;
  approvalsOf(ticketId: number, purpose: ApprovalPurpose): Promise<Approval[]>;
  /** Moves a pending approval to approved/rejected; false when it was not pending (double click, race). */
  decideApproval(
    ticketId: number,
    approverId: number,
    purpose: ApprovalPurpose,
    state: 'approved' | 'rejected',
    comment: string | null,
    at: string,
  ): Promise<boolean>;
  /** Withdraws the still-pending approvals of a ticket once the outcome is known. */
  withdrawPending(ticketId: number, purpose: ApprovalPurpose, at: string): Promise<void>;
  pendingApprovalsRequestedBefore(before: string, limit: number): Promise<Approval[]>;
  bumpReminders(id: number): Promise<void>;

  /** Links two tickets; false when the link already existed. */
  link(
    fromTicketId: number,
    toTicketId: number,
    type: LinkType,
    actorId: number | null,
    at: string,
  ): Promise<boolean>;
  linkedFrom(toTicketId: number, type: LinkType): Promise<number[]>;
  linkedTo(fromTicketId: number, type: LinkType): Promise<number[]>;

  saveProblem(p: ProblemRecord): Promise<void>;
  problem(ticketId: number): Promise<ProblemRecord | null>;
  knownErrors(): Promise<ProblemRecord[]>;

  saveChange(c: ChangeRecord): Promise<void>;
  change(ticketId: number): Promise<ChangeRecord | null>;
  /** Scheduled or pending changes whose window overlaps [start, end), other than `exceptTicketId`. */
  changesOverlapping(start: string, end: string, exceptTicketId: number | null): Promise<ChangeRecord[]>;

  upsertAsset(a: NewAsset): Promise<{ asset: Asset; created: boolean }>;
  assetByTag(tag: string): Promise<Asset | null>;
  assetsByIds(ids: readonly number[]): Promise<Asset[]>;
  assetsOwnedBy(personId: number): Promise<Asset[]>;
  listAssets(filter: {
    type?: string;
    ownerId?: number;
    status?: AssetStatus;
    limit?: number;
  }): Promise<Asset[]>;
  /** Replaces the outgoing relations of `fromId`. */
  setRelations(fromId: number, relations: Array<{ toId: number; type: RelationType }>): Promise<void>;
  relations(): Promise<AssetRelation[]>;
  linkAsset(ticketId: number, assetId: number): Promise<boolean>;
  assetsOfTicket(ticketId: number): Promise<Asset[]>;
  ticketIdsOfAsset(assetId: number): Promise<number[]>;

  setAway(personId: number, away: boolean): Promise<void>;
  groupMemberIds(groupId: number): Promise<number[]>;
}

/**
 * How the ITIL services speak to people. Implemented over the chat engine in src/chat/itil-actions.ts;
 * keeps itsm/ free of chat imports. `key` makes each notice idempotent in the outbox.
 */
export interface NotifyChoice {
  label: string;
  actionId: 'approval.approve' | 'approval.reject' | 'change.vote' | 'problem.create';
  value: Record<string, unknown>;
  style?: 'primary' | 'danger';
}

export interface ItilNotifier {
  notifyPerson(personId: number, text: string, key: string, choices?: NotifyChoice[]): Promise<boolean>;
  notifyRequester(ticket: Ticket, text: string, key: string): Promise<void>;
  /** The group's agents (triage thread); false when that is not possible and the caller should fall back. */
  notifyAgents(ticket: Ticket, text: string, key: string): Promise<boolean>;
  /**
   * A card of its own (not a handoff card) in the ticket group's triage channel, with buttons for the
   * agents. False when the group has no reachable channel.
   */
  offerToAgents?(ticket: Ticket, text: string, choices: NotifyChoice[], key: string): Promise<boolean>;
  /**
   * Opens a change's CAB vote in the board's channel: one card whose thread carries the votes and the
   * discussion. False when no connected chat platform reaches the channel (the caller falls back to DMs).
   */
  openCabThread(
    ticket: Ticket,
    channel: ChatChannel,
    text: string,
    choices: NotifyChoice[],
    key: string,
  ): Promise<boolean>;
  /** A line in the change's CAB thread (in the board's channel itself while the card is on its way). */
  notifyCabThread(ticket: Ticket, channel: ChatChannel, text: string, key: string): Promise<boolean>;
}

export interface AlertStore {
  group(keyHash: string): Promise<AlertGroupState | null>;
  saveGroup(state: AlertGroupState & { groupKey: string }, now: string): Promise<void>;
}

interface ImprovementChange {
  status?: ImprovementState;
  ownerId?: number | null;
  closedAt?: string | null;
}

export interface ImprovementStore {
  improvementItems(filter?: { status?: string }): Promise<Improvement[]>;
  improvementItem(id: number): Promise<Improvement | null>;
  /** Applies the change if the item still has `expect` status; false when someone moved it first. */
  updateImprovement(
    id: number,
    expect: string,
    change: ImprovementChange,
    event: {
      actorId: number | null;
      field: 'status' | 'owner';
      from: string | null;
      to: string | null;
      note: string | null;
    },
    now: string,
  ): Promise<boolean>;
  recordBreaches(
    breaches: readonly TargetBreach[],
    now: string,
    links?: Record<string, unknown>,
  ): Promise<{ opened: number; updated: number }>;
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

export type UserFilterAttribute = 'id' | 'userName' | 'externalId' | 'email' | 'displayName';
export interface ResourceFilter {
  attribute: UserFilterAttribute;
  value: string;
}

interface Page<T> {
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

export interface KpiSource {
  load(opts: { since: string | null; until: string; group?: string | null }): Promise<KpiInput>;
  groupExists(slug: string): Promise<boolean>;
}
