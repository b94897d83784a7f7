/**
 * What the ITSM services need from storage, as plain functions over domain data. Implemented in
 * src/db/ with Kysely; the services never see SQL.
 */
import type { PendingReason, Ticket, TicketEvent, TicketEventType, TicketState } from './types.js';

export interface Person {
  id: number;
  email: string;
  displayName: string;
  role: 'employee' | 'agent' | 'manager' | 'admin';
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

export interface Comment {
  id: number;
  ticketId: number;
  authorId: number | null;
  body: string;
  internal: boolean;
  platform: string | null;
  createdAt: string;
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

export type { PendingReason };
