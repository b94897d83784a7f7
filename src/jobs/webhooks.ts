/**
 * Outbound webhooks: the dispatcher turns new ticket events into one queued delivery per interested
 * subscriber, and the sender POSTs it signed like Stripe and Slack do — HMAC-SHA256 over
 * `<timestamp>.<body>` with the subscriber's secret, in `X-Chatdesk-Signature: v1=<hex>` next to
 * `X-Chatdesk-Timestamp: <unix seconds>` — so a receiver can refuse forgeries and replays.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DeliveryItem, DeliveryStore, TicketEventRow } from '../db/delivery-store.js';
import type { Ticket, TicketEvent } from '../itsm/types.js';
import { subscribed, type WebhookTicketView, webhookPayload, webhookTypeOf } from '../itsm/webhook-events.js';
import type { Logger } from '../log.js';
import { DeliveryFailure } from './deliveries.js';

const SIGNATURE_HEADER = 'x-chatdesk-signature';
const TIMESTAMP_HEADER = 'x-chatdesk-timestamp';
const EVENT_HEADER = 'x-chatdesk-event';
const DELIVERY_HEADER = 'x-chatdesk-delivery';

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers (and tests): the signature is right and the timestamp within `toleranceS` of now. */
export function verifyWebhook(
  secret: string,
  signature: string | null | undefined,
  timestamp: string | null | undefined,
  body: string,
  nowS = Math.floor(Date.now() / 1000),
  toleranceS = 300,
): boolean {
  const ts = Number(timestamp);
  if (!signature || !Number.isInteger(ts) || Math.abs(nowS - ts) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  // Several signatures may be sent while a secret is rotated: any one valid is enough.
  return signature
    .split(',')
    .map((s) => Buffer.from(s.trim()))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}

/** Ticket events re-read behind the cursor: on PostgreSQL ids can commit out of order. */
const OVERLAP = 200;
const BATCH = 500;

/** Queues deliveries for ticket events since the last run; returns how many were queued. */
export async function dispatchWebhookEvents(store: DeliveryStore, now: string): Promise<number> {
  const subs = (await store.subscriptions()).filter((s) => s.active);
  const cursor = await store.cursor();
  if (subs.length === 0) {
    await store.setCursor(await store.maxEventId());
    return 0;
  }
  const from = Math.max(0, cursor - OVERLAP);
  const events = await store.eventsAfter(from, BATCH + OVERLAP);
  if (events.length === 0) return 0;
  const queued = await store.queuedEvents('webhook', from + 1);
  const items = [];
  for (const e of events) {
    const type = webhookTypeOf({ kind: e.ticket.kind as Ticket['kind'] }, asEvent(e));
    if (!type) continue;
    for (const s of subs) {
      if (e.id <= s.fromEventId || !subscribed(s.events, type) || queued.has(`${s.id}:${e.id}`)) continue;
      const payload = webhookPayload(e.id, type, asEvent(e), e.ticket as WebhookTicketView, e.actor);
      items.push({
        kind: 'webhook' as const,
        dedupeKey: `webhook:${s.id}:${e.id}`,
        eventType: type,
        target: s.url,
        payload: JSON.stringify(payload),
        subscriptionId: s.id,
        eventId: e.id,
      });
    }
  }
  const n = await store.enqueue(items, now);
  await store.setCursor(events.at(-1)?.id ?? cursor);
  return n;
}

function asEvent(e: TicketEventRow): Pick<TicketEvent, 'type' | 'at' | 'from' | 'to' | 'reason' | 'data'> {
  return {
    type: e.type as TicketEvent['type'],
    at: e.at,
    from: e.from,
    to: e.to,
    reason: e.reason,
    data: e.data,
  };
}

interface WebhookSenderOptions {
  store: Pick<DeliveryStore, 'subscription'>;
  now: () => Date;
  log: Logger;
  timeoutMs?: number;
}

/** Sends one queued webhook; throws DeliveryFailure (retryable on network errors, 408, 429 and 5xx). */
export function webhookSender(o: WebhookSenderOptions) {
  return async (item: DeliveryItem): Promise<{ status: number | null }> => {
    const sub = item.subscriptionId === null ? null : await o.store.subscription(item.subscriptionId);
    if (!sub) throw new DeliveryFailure('the subscription was deleted', false);
    if (!sub.active) throw new DeliveryFailure('the subscription is paused', false);
    const timestamp = Math.floor(o.now().getTime() / 1000);
    let res: Response;
    try {
      res = await fetch(sub.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'chatdesk-webhooks/1',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(sub.secret, timestamp, item.payload),
          [EVENT_HEADER]: item.eventType,
          [DELIVERY_HEADER]: String(item.id),
        },
        body: item.payload,
      });
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      throw new DeliveryFailure(
        `POST ${sub.url} failed: ${e instanceof Error ? e.message : String(e)}`,
        true,
      );
    }
    if (res.status >= 200 && res.status < 300) return { status: res.status };
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
    const after = Number(res.headers.get('retry-after'));
    throw new DeliveryFailure(
      `POST ${sub.url} answered ${res.status}`,
      retryable,
      res.status,
      Number.isFinite(after) && after > 0 ? Math.min(after, 3600) * 1000 : null,
    );
  };
}
