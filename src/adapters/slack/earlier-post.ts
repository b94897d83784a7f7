/**
 * Exactly-once posting on Slack. Every post carries its outbox id as message metadata; before posting a
 * message whose earlier attempt may have reached Slack unrecorded (the process died mid-post, the
 * request timed out), the channel's history (or the thread's replies) since the message was queued is
 * searched for that metadata. Found: the earlier post is recorded instead of posting again.
 *
 * Costs one conversations.history/replies call per such message, and only for those. Apps distributed
 * commercially outside the Slack Marketplace are limited to one such call a minute (May 2025); a 429
 * then only delays the message (Retry-After), it never posts it twice.
 */
import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import type { DeliveryResult, DeliveryTag } from '../../chat/message.js';
import { formatIssues } from '../../errors.js';
import type { Logger } from '../../log.js';

type WebClient = InstanceType<typeof webApi.WebClient>;

const OUTBOX_EVENT_TYPE = 'chatdesk_outbox';

/** Slack's own timestamps may run ahead of ours: the search starts this much before the message was queued. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** History pages searched before giving up the search (and posting: at least once). */
const MAX_PAGES = 10;

export function outboxMetadata(tag: DeliveryTag): {
  event_type: string;
  event_payload: { outbox_id: number; dedupe_key: string };
} {
  return {
    event_type: OUTBOX_EVENT_TYPE,
    event_payload: { outbox_id: tag.outboxId, dedupe_key: tag.dedupeKey },
  };
}

const pageSchema = z.object({
  messages: z
    .array(
      z.object({
        ts: z.string(),
        metadata: z
          .object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()).optional() })
          .optional(),
      }),
    )
    .default([]),
  has_more: z.boolean().optional(),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

const isTagged = (m: z.infer<typeof pageSchema>['messages'][number], tag: DeliveryTag): boolean =>
  m.metadata?.event_type === OUTBOX_EVENT_TYPE &&
  String(m.metadata.event_payload?.outbox_id) === String(tag.outboxId) &&
  m.metadata.event_payload?.dedupe_key === tag.dedupeKey;

interface EarlierPostQuery {
  channel: string;
  /** The thread the message was posted in; null for a top-level post. */
  threadTs: string | null;
  tag: DeliveryTag;
  /** When the message was queued: nothing older is searched. */
  since: string;
}

/**
 * The earlier post of a tagged message, or null when Slack has none. `call` failures are the caller's to
 * classify (it maps them to DeliveryErrors); `cannotLook` is answered null with a warning: a missing
 * scope or a channel the bot left leaves nothing to check, and the message is posted (at least once).
 */
export async function findEarlierPost(
  client: WebClient,
  q: EarlierPostQuery,
  log: Logger,
  cannotLook: (err: unknown) => boolean,
): Promise<DeliveryResult | null> {
  const oldest = ((Date.parse(q.since) - CLOCK_SKEW_MS) / 1000).toFixed(6);
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const args = {
      channel: q.channel,
      oldest,
      include_all_metadata: true,
      limit: 100,
      ...(cursor ? { cursor } : {}),
    };
    let raw: unknown;
    try {
      raw = q.threadTs
        ? await client.conversations.replies({ ...args, ts: q.threadTs })
        : await client.conversations.history(args);
    } catch (err) {
      if (!cannotLook(err)) throw err;
      log.warn('slack: cannot check for an earlier post of a message; posting it again', {
        channel: q.channel,
        outboxId: q.tag.outboxId,
        err,
      });
      return null;
    }
    const parsed = pageSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`invalid Slack history page: ${formatIssues(parsed.error.issues)}`);
    const hit = parsed.data.messages.find((m) => isTagged(m, q.tag));
    if (hit) return { messageId: hit.ts };
    cursor = parsed.data.response_metadata?.next_cursor || undefined;
    if (!cursor || parsed.data.has_more === false) return null;
  }
  log.warn('slack: earlier post not found within the pages searched; posting the message again', {
    channel: q.channel,
    outboxId: q.tag.outboxId,
  });
  return null;
}
