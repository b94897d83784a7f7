/**
 * The records of the ITSM domain, as plain data: tickets and their audit events, people and groups,
 * CMDB assets, approvals, problems, changes, alert groups, improvement items and directory users.
 * The ports (ports.ts) take and return these. Nothing here knows about SQL, Slack or Teams.
 * Timestamps are ISO-8601 UTC strings (`Date#toISOString()`): they sort lexically and mean
 * the same on SQLite and PostgreSQL, so the domain never juggles driver-specific date types.
 */

export type TicketKind = 'incident' | 'service_request' | 'problem' | 'change';
export const TICKET_PREFIX: Record<TicketKind, string> = {
  incident: 'INC',
  service_request: 'REQ',
  problem: 'PRB',
  change: 'CHG',
};

export const TICKET_STATES = [
  'new',
  'assigned',
  'in_progress',
  'pending',
  'resolved',
  'closed',
  'cancelled',
] as const;
export type TicketState = (typeof TICKET_STATES)[number];

export const OPEN_STATES: readonly TicketState[] = ['new', 'assigned', 'in_progress', 'pending'];

export const LEVELS = ['high', 'medium', 'low'] as const;
export type Level = (typeof LEVELS)[number];
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const PENDING_REASONS = ['requester', 'vendor', 'change', 'approval'] as const;
export type PendingReason = (typeof PENDING_REASONS)[number];

export type ConversationOwner = 'bot' | 'queue' | `agent:${string}`;

export type Channel = 'slack' | 'teams' | 'local' | 'web' | 'api' | 'email';

export interface Ticket {
  id: number;
  number: string;
  kind: TicketKind;
  title: string;
  description: string;
  state: TicketState;
  pendingReason: PendingReason | null;
  impact: Level;
  urgency: Level;
  priority: Priority;
  category: string | null;
  templateId: string | null;
  fields: Record<string, unknown>;
  requesterId: number;
  groupId: number | null;
  assigneeId: number | null;
  channel: Channel;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
}

const EVENT_TYPES = [
  'created',
  'state_changed',
  'priority_changed',
  'assigned',
  'commented',
  'owner_changed',
  'field_changed',
  'categorized',
  'rated',
  /** A waiting ticket was escalated (handoff timeout, SLA breach); `data.level` keeps escalations idempotent. */
  'escalated',
  // ITIL engine: links to assets/problems/changes, approvals, CAB votes, SLA notices (issue 7).
  'linked',
  'approval',
  'voted',
  'sla_notified',
  /** Nobody could be reached in chat about the ticket (issue 18): who, and why. */
  'undeliverable',
] as const;
export type TicketEventType = (typeof EVENT_TYPES)[number];

/** One row of the audit log. The ticket row is a projection of these. */
export interface TicketEvent {
  ticketId: number;
  seq: number;
  at: string;
  actorId: number | null;
  type: TicketEventType;
  from: string | null;
  to: string | null;
  reason: string | null;
  data: Record<string, unknown>;
}

export interface Comment {
  id: number;
  ticketId: number;
  authorId: number | null;
  body: string;
  internal: boolean;
  platform: string | null;
  createdAt: string;
}

// People and support groups.

export const ROLES = ['employee', 'agent', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Person {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  managerId: number | null;
  timeZone: string;
  away: boolean;
  capacity: number | null;
  skills: string[];
  /** False once the directory deactivated the person: no work, no messages (absent: active). */
  active?: boolean;
}

export interface Group {
  id: number;
  slug: string;
  name: string;
  description: string;
  managerId: number | null;
  triage: Record<string, unknown>;
  escalationGroup: string | null;
  calendar: string;
  strategy: 'least_load' | 'round_robin' | 'skills';
}

export interface AgentLoad {
  userId: number;
  openCount: number;
  away: boolean;
  capacity: number | null;
  skills: string[];
  lastAssignedAt: string | null;
}

// CMDB, approvals, ticket links, problems and changes (the ITIL practices).

export const ASSET_STATUSES = ['in_stock', 'in_use', 'in_repair', 'retired'] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];
export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Criticality = (typeof CRITICALITIES)[number];
const RELATION_TYPES = ['runs_on', 'depends_on'] as const;
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

/** `from` runs on / depends on `to`: when `to` fails, `from` is impacted. */
export interface AssetRelation {
  fromId: number;
  toId: number;
  type: RelationType;
}

export type ApprovalPurpose = 'request' | 'cab';
type ApprovalState = 'pending' | 'approved' | 'rejected' | 'withdrawn';

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

// Alertmanager groups, the improvement register, the identity provider's directory.

export interface AlertGroupState {
  keyHash: string;
  ticketId: number | null;
  generation: number;
  status: 'firing' | 'resolved';
  firing: string[];
}

export const IMPROVEMENT_STATES = ['open', 'in_progress', 'done', 'dismissed'] as const;
export type ImprovementState = (typeof IMPROVEMENT_STATES)[number];

export interface Improvement {
  id: number;
  key: string;
  kpi: string;
  scopeKind: string;
  scope: string;
  title: string;
  status: string;
  ownerId: number | null;
  evidence: Record<string, unknown>;
  links: Record<string, unknown>;
  openedAt: string;
  updatedAt: string;
  closedAt: string | null;
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

export interface DirectoryGroupRecord {
  id: number;
  displayName: string;
  externalId: string | null;
  members: Array<{ id: number; display: string }>;
  createdAt: string;
  updatedAt: string;
}
