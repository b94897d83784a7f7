/**
 * Plain inputs of the KPI formulas: what storage hands over (src/db/kpi-store.ts builds these),
 * with no SQL, no chat, no clocks read here. `now` is always passed in.
 */
import type { TicketEvent } from '../types.js';

/** One ticket with its full event log, as the KPI formulas see it. */
export interface KpiTicket {
  id: number;
  number: string;
  title: string;
  kind: string;
  /** Current state (the projection); the formulas re-derive history from `events`. */
  state: string;
  priority: string;
  category: string | null;
  /** Slug of the current assignment group, null when unassigned. */
  group: string | null;
  /** That group's SLA calendar (its clocks run in its hours), when it has one of its own. */
  groupCalendar?: string | null;
  /** Where the ticket came from: slack, teams, local, web, api, or an imported source's channel. */
  channel: string;
  requesterId: number;
  assigneeId: number | null;
  createdAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
  /** Sorted by (at, seq). */
  events: readonly TicketEvent[];
}

/** One knowledge answer the bot gave (table kb_answers). */
export interface KpiKbAnswer {
  id: number;
  personId: number;
  articleId: string;
  intent: string | null;
  platform: string;
  answeredAt: string;
  outcome: 'none' | 'accepted' | 'rejected';
  outcomeAt: string | null;
}

export interface KpiInput {
  tickets: readonly KpiTicket[];
  kbAnswers: readonly KpiKbAnswer[];
  /** Display names of agents, for the agent-load table. */
  agentNames?: ReadonlyMap<number, string>;
}

export interface KpiPeriod {
  /** Inclusive ISO start; null = since the beginning. */
  since: string | null;
  /** Exclusive ISO end (normally `now`). */
  until: string;
}
