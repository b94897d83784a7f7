/**
 * Plain data of the ITIL domain. Nothing here knows about SQL, Slack or Teams.
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

export const EVENT_TYPES = [
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
