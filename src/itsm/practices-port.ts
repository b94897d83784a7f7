/**
 * Storage the ITIL engine (SLA sweeps, approvals, problems, changes, CMDB) needs beyond tickets and
 * the directory. Implemented in src/db/practices-store.ts; the services never see SQL.
 */
import type { ChatChannel } from './directory-data.js';
import type { Ticket, TicketKind } from './types.js';

export const ASSET_STATUSES = ['in_stock', 'in_use', 'in_repair', 'retired'] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];
export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Criticality = (typeof CRITICALITIES)[number];
export const RELATION_TYPES = ['runs_on', 'depends_on'] as const;
export type RelationType = (typeof RELATION_TYPES)[number];

export interface Asset {
  id: number;
  tag: string;
  type: string;
  name: string;
  ownerId: number | null;
  status: AssetStatus;
  location: string | null;
  /** yyyy-mm-dd or null. */
  warrantyEnd: string | null;
  criticality: Criticality;
}

export type NewAsset = Omit<Asset, 'id'>;

/** `from` runs on / depends on `to`: when `to` fails, `from` is impacted. */
export interface AssetRelation {
  fromId: number;
  toId: number;
  type: RelationType;
}

export type ApprovalPurpose = 'request' | 'cab';
export type ApprovalState = 'pending' | 'approved' | 'rejected' | 'withdrawn';

export interface Approval {
  id: number;
  ticketId: number;
  approverId: number;
  purpose: ApprovalPurpose;
  policy: string;
  state: ApprovalState;
  comment: string | null;
  requestedAt: string;
  decidedAt: string | null;
  reminders: number;
}

/** `duplicate_of` and `child_of`: agents' links between incidents (issue 18). */
export type LinkType = 'problem' | 'caused_by_change' | 'duplicate_of' | 'child_of';

export interface ProblemRecord {
  ticketId: number;
  rootCause: string | null;
  workaround: string | null;
  knownError: boolean;
  keywords: string[];
  updatedAt: string;
}

export const CHANGE_TYPES = ['standard', 'normal', 'emergency'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];
/** draft → cab → scheduled → implementing → review → closed; or rejected / cancelled. */
export type ChangePhase =
  | 'draft'
  | 'cab'
  | 'scheduled'
  | 'implementing'
  | 'review'
  | 'closed'
  | 'rejected'
  | 'cancelled';

export interface ChangeRecord {
  ticketId: number;
  changeType: ChangeType;
  phase: ChangePhase;
  riskScore: number;
  riskLevel: 'low' | 'medium' | 'high';
  riskReasons: string[];
  plannedStart: string | null;
  plannedEnd: string | null;
  cabPolicy: 'any' | 'all' | 'majority';
  review: string | null;
  updatedAt: string;
}

export interface SlaNotificationClaim {
  key: string;
  ticketId: number;
  kind: string;
  clock: string;
  dueAt: string | null;
  createdAt: string;
}

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
