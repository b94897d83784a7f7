/**
 * What outbound webhooks say: which ticket events become which webhook event types, and the payload.
 * Derived from the ticket event log (every change of every ticket is an event), so every surface —
 * chat, REST, e-mail, the SLA sweep, alerts — is covered without each having to remember webhooks.
 */
import { z } from 'zod';
import { AppError } from '../errors.js';
import { loadDataFile } from './data-file.js';
import type { Ticket, TicketEvent } from './types.js';

export const WEBHOOK_EVENT_TYPES = [
  'ticket.created',
  'ticket.changed',
  'ticket.resolved',
  'sla.warning',
  'sla.breached',
  'problem.created',
  'problem.changed',
  'change.created',
  'change.changed',
] as const;
type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const familyOf = (t: Pick<Ticket, 'kind'>): 'ticket' | 'problem' | 'change' =>
  t.kind === 'problem' ? 'problem' : t.kind === 'change' ? 'change' : 'ticket';

/** The webhook event a ticket event becomes; null for chat-internal bookkeeping (conversation owner). */
export function webhookTypeOf(
  t: Pick<Ticket, 'kind'>,
  e: Pick<TicketEvent, 'type' | 'to' | 'data'>,
): WebhookEventType | null {
  const family = familyOf(t);
  switch (e.type) {
    case 'owner_changed':
      return null;
    case 'created':
      return `${family}.created`;
    case 'sla_notified':
      return e.data.kind === 'breach' || e.to === 'breach' ? 'sla.breached' : 'sla.warning';
    case 'state_changed':
      if (family === 'ticket' && e.to === 'resolved') return 'ticket.resolved';
      return `${family}.changed`;
    default:
      return `${family}.changed`;
  }
}

/** True when a subscription listening to `events` wants `type`. */
export function subscribed(events: readonly string[], type: string): boolean {
  return events.includes('*') || events.includes(type);
}

export interface WebhookTicketView {
  number: string;
  kind: Ticket['kind'];
  title: string;
  state: Ticket['state'];
  priority: Ticket['priority'];
  impact: Ticket['impact'];
  urgency: Ticket['urgency'];
  category: string | null;
  group: string | null;
  assignee: string | null;
  requester: string | null;
  channel: string;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
}

interface WebhookPayload {
  /** Stable per ticket event: receivers deduplicate on it (a retry carries the same id). */
  id: string;
  type: WebhookEventType | 'ping';
  occurredAt: string;
  ticket: WebhookTicketView | null;
  change: {
    event: string;
    from: string | null;
    to: string | null;
    reason: string | null;
    actor: string | null;
    data: Record<string, unknown>;
  } | null;
}

/** Event data worth sending; the comment body stays on the ticket (fetch it with the REST API). */
function publicData(data: Record<string, unknown>): Record<string, unknown> {
  const keep = [
    'clock',
    'kind',
    'dueAt',
    'priority',
    'level',
    'field',
    'group',
    'internal',
    'byAgent',
    'tag',
  ];
  return Object.fromEntries(Object.entries(data).filter(([k]) => keep.includes(k)));
}

export function webhookPayload(
  eventId: number,
  type: WebhookEventType,
  e: Pick<TicketEvent, 'type' | 'at' | 'from' | 'to' | 'reason' | 'data'>,
  ticket: WebhookTicketView,
  actor: string | null,
): WebhookPayload {
  return {
    id: `evt_${eventId}`,
    type,
    occurredAt: e.at,
    ticket,
    change: {
      event: e.type,
      from: e.from,
      to: e.to,
      reason: e.reason,
      actor,
      data: publicData(e.data),
    },
  };
}

/** The one rule for managing webhook subscribers and reading their delivery logs. */
export function canManageIntegrations(actor: { role: string }): boolean {
  return actor.role === 'admin';
}

const webhookFileSchema = z.object({
  webhooks: z
    .array(
      z.object({
        name: z.string().trim().min(1).max(80),
        url: z.url().refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL'),
        events: z.array(z.enum(['*', ...WEBHOOK_EVENT_TYPES])).min(1),
        secret: z.string().min(16, 'must be at least 16 characters'),
        active: z.boolean().default(true),
      }),
    )
    .default([]),
});
type WebhookFile = z.output<typeof webhookFileSchema>;

/** data/webhooks.json (optional): subscribers kept in configuration rather than created over REST. */
export async function loadWebhookFile(file: string): Promise<WebhookFile> {
  try {
    return await loadDataFile(webhookFileSchema, file);
  } catch (e) {
    if (e instanceof AppError && /cannot be read \(ENOENT\)/.test(e.message)) return { webhooks: [] };
    throw e;
  }
}
