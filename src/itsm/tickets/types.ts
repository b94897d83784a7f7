/** The ticket service's inputs, views, dependencies and limits (re-exported by ../tickets.ts). */
import type { RulesConfig } from '../dispatch.js';
import type { DirectoryStore, TicketStore } from '../ports.js';
import type { SlaConfig, SlaResult } from '../sla.js';
import type { Channel, Comment, Level, Person, Priority, Ticket, TicketEvent, TicketKind } from '../types.js';

export interface OpenTicketInput {
  kind: Extract<TicketKind, 'incident' | 'service_request'>;
  title: string;
  description: string;
  impact: Level;
  urgency: Level;
  category: string | null;
  templateId?: string | null;
  fields?: Record<string, unknown>;
  requester: Person;
  channel: Channel;
  /** Why the bot chose what it chose (classifier, triage), recorded on the created event. */
  decisions?: Record<string, unknown>;
  /** A group named by a template or an agent; otherwise routing rules decide. */
  groupSlug?: string | null;
  /** Idempotency key: opening twice with the same key returns the first ticket. */
  sourceKey?: string | null;
}

export interface TicketView {
  ticket: Ticket;
  events: TicketEvent[];
  comments: Comment[];
  sla: SlaResult;
  group: { slug: string; name: string } | null;
  assignee: { id: number; displayName: string } | null;
  requester: { id: number; displayName: string; email: string } | null;
}

export interface TicketServiceDeps {
  tickets: TicketStore;
  directory: DirectoryStore;
  rules: RulesConfig;
  sla: SlaConfig;
  reopenWindowDays?: number;
  /**
   * How high a requester's own claim may raise priority on this ticket (impact-claim.ts); without it
   * there is no ceiling.
   */
  requesterCeiling?: (t: Ticket, now: string) => Promise<{ ceiling: Priority; rule: string | null }>;
  /** After dispatch gave a new ticket to an agent: tell them (never throws). */
  onAssigned?: (t: Ticket, now: string) => Promise<void>;
}

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 20_000;
export const COMMENT_MAX = 10_000;
