/**
 * The outbound half: the ChatPort the engine and the outbox talk back through. The Web API client never
 * retries by itself (retries: 0, 429s rejected at once): the outbox owns retries and backoff, so a
 * message is retried across restarts and never sent twice by two retry layers.
 */

import { type Logger as BoltLogger, webApi } from '@slack/bolt';
import type {
  Attachment,
  ChatPort,
  ConversationRef,
  DeliveryResult,
  DeliveryTag,
  Outgoing,
  PlatformUser,
} from '../../chat/message.js';
import { DeliveryError } from '../../chat/message.js';
import type { Logger } from '../../log.js';
import { createNodeFetch } from '../http/keep-alive-fetch.js';
import { findEarlierPost, outboxMetadata } from './earlier-post.js';
import { fallbackText, replyBlocks } from './render.js';

type WebClient = InstanceType<typeof webApi.WebClient>;

/** Slack error codes that a later attempt can fix; every other `ok:false` is permanent. */
const RETRYABLE_PLATFORM_ERRORS = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

const nodeFetch = createNodeFetch();

/** Web API client options shared by our client and Bolt's (Socket Mode connects through the latter). */
export function webClientOptions(apiUrl: string | undefined): {
  retryConfig: { retries: number };
  rejectRateLimitedCalls: boolean;
  timeout: number;
  fetch: typeof globalThis.fetch;
  slackApiUrl?: string;
} {
  return {
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    fetch: nodeFetch,
    ...(apiUrl ? { slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` } : {}),
  };
}

export function createWebClient(token: string, apiUrl: string | undefined, log: Logger): WebClient {
  return new webApi.WebClient(token, { ...webClientOptions(apiUrl), logger: boltLogger(log) });
}

/**
 * Maps any Web API failure to the outbox's retry decision. A rate limit or an `ok:false` answer did
 * nothing; a 5xx, a network error or a timeout may have been acted on (`mayHaveReached`).
 */
export function toDeliveryError(err: unknown, what: string): DeliveryError {
  const e = err as { code?: unknown; retryAfter?: unknown; statusCode?: unknown; data?: { error?: unknown } };
  switch (e.code) {
    case webApi.ErrorCode.RateLimitedError: {
      const sec = typeof e.retryAfter === 'number' ? e.retryAfter : 1;
      return new DeliveryError(`${what}: rate limited by Slack`, {
        retryable: true,
        retryAfterMs: sec * 1000,
        mayHaveReached: false,
        cause: err,
      });
    }
    case webApi.ErrorCode.HTTPError: {
      const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
      const ambiguous = status >= 500 || status === 408 || status === 0;
      return new DeliveryError(`${what}: Slack answered HTTP ${status}`, {
        retryable: ambiguous,
        mayHaveReached: ambiguous,
        cause: err,
      });
    }
    case webApi.ErrorCode.RequestError:
      return new DeliveryError(`${what}: network error talking to Slack`, { retryable: true, cause: err });
    case webApi.ErrorCode.PlatformError: {
      const code = typeof e.data?.error === 'string' ? e.data.error : 'unknown_error';
      return new DeliveryError(`${what}: Slack refused (${code})`, {
        retryable: RETRYABLE_PLATFORM_ERRORS.has(code),
        mayHaveReached: false,
        cause: err,
      });
    }
    default:
      // Unknown failures (a bug, a timeout abort) are retried: giving up would lose the message for good.
      return new DeliveryError(`${what}: ${err instanceof Error ? err.message : String(err)}`, {
        retryable: true,
        cause: err,
      });
  }
}

/**
 * Channel threads the bot takes part in (`channel:thread_ts`), bounded so a busy workspace cannot grow
 * it without limit. Filled when the bot posts in a channel and when it is asked in (mention, 🎫,
 * shortcut); read to decide whether a plain thread reply is meant for the desk.
 */
export class ThreadTracker {
  private readonly keys = new Map<string, true>();
  constructor(private readonly max = 10_000) {}

  add(channel: string, threadTs: string): void {
    const key = `${channel}:${threadTs}`;
    this.keys.delete(key);
    this.keys.set(key, true);
    if (this.keys.size > this.max) {
      const oldest = this.keys.keys().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
  }

  has(channel: string, threadTs: string): boolean {
    return this.keys.has(`${channel}:${threadTs}`);
  }
}

/** A user id given as a channel (U…/W…) means "their DM with the bot": chat.update needs the D… id. */
const isUserId = (channelId: string): boolean => /^[UW][A-Z0-9]+$/.test(channelId);

export class SlackPort implements ChatPort {
  readonly platform = 'slack' as const;
  private readonly dmCache = new Map<string, string>();

  constructor(
    private readonly client: WebClient,
    private readonly log: Logger,
    readonly threads: ThreadTracker = new ThreadTracker(),
  ) {}

  async deliver(message: Outgoing, opts: { tag?: DeliveryTag } = {}): Promise<DeliveryResult> {
    const channel = await this.resolveChannel(message.conversation.channelId);
    const text = fallbackText(message.reply);
    const blocks = replyBlocks(message.reply);
    if (message.updateOf) {
      const target = await this.resolveChannel(message.updateOf.conversation.channelId);
      try {
        const res = await this.client.chat.update({
          channel: target,
          ts: message.updateOf.messageId,
          text,
          blocks,
        });
        return { messageId: typeof res.ts === 'string' ? res.ts : message.updateOf.messageId };
      } catch (err) {
        throw toDeliveryError(err, 'chat.update');
      }
    }
    const threadTs = message.replyTo ?? message.conversation.threadId ?? undefined;
    try {
      const res = await this.client.chat.postMessage({
        channel,
        text,
        blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...(opts.tag ? { metadata: outboxMetadata(opts.tag) } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      if (typeof res.ts !== 'string')
        throw new DeliveryError('chat.postMessage: Slack returned no ts', { retryable: false });
      return { messageId: res.ts };
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      throw toDeliveryError(err, 'chat.postMessage');
    }
  }

  async findDelivered(message: Outgoing, tag: DeliveryTag, since: string): Promise<DeliveryResult | null> {
    const channel = await this.resolveChannel(message.conversation.channelId);
    const threadTs = message.replyTo ?? message.conversation.threadId ?? null;
    try {
      return await findEarlierPost(this.client, { channel, threadTs, tag, since }, this.log, (err) => {
        const e = toDeliveryError(err, 'history');
        return !e.retryable;
      });
    } catch (err) {
      throw toDeliveryError(err, threadTs ? 'conversations.replies' : 'conversations.history');
    }
  }

  async lookupUser(
    platformUserId: string,
    _conversation?: ConversationRef,
  ): Promise<{ email: string | null; displayName: string | null; timeZone: string | null } | null> {
    try {
      const res = await this.client.users.info({ user: platformUserId });
      const u = res.user;
      if (!u) return null;
      const profile = u.profile ?? {};
      const displayName = profile.display_name || profile.real_name || u.real_name || u.name || null;
      return { email: profile.email ?? null, displayName, timeZone: u.tz ?? null };
    } catch (err) {
      const code = (err as { data?: { error?: unknown } }).data?.error;
      if (code === 'user_not_found' || code === 'user_not_visible') return null;
      this.log.warn('slack users.info failed', { user: platformUserId, err });
      throw toDeliveryError(err, 'users.info');
    }
  }

  async findByEmail(email: string): Promise<PlatformUser | null> {
    try {
      const res = await this.client.users.lookupByEmail({ email });
      const id = res.user?.id;
      if (!id) return null;
      const name = res.user?.profile?.display_name || res.user?.real_name || res.user?.name;
      return { platform: 'slack', platformUserId: id, email, ...(name ? { displayName: name } : {}) };
    } catch (err) {
      const code = (err as { data?: { error?: unknown } }).data?.error;
      if (code === 'users_not_found' || code === 'user_not_found') return null;
      throw toDeliveryError(err, 'users.lookupByEmail');
    }
  }

  /** A shared file (url_private) with the bot token, which goes to Slack's file hosts (or the configured API host) only. */
  async fetchAttachment(
    att: Attachment,
    maxBytes: number,
  ): Promise<{ data: Buffer; mimeType: string | null }> {
    const url = new URL(att.url);
    const apiHost = this.client.slackApiUrl ? new URL(this.client.slackApiUrl).host : null;
    const slackHost =
      url.protocol === 'https:' && /(^|\.)(slack|slack-edge|slack-files)\.com$/.test(url.hostname);
    if (!slackHost && url.host !== apiHost)
      throw new DeliveryError(`${url.host} is not a Slack file host; the bot token is not sent there`, {
        retryable: false,
      });
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${this.client.token ?? ''}` },
      signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok)
      throw new DeliveryError(`file download answered ${res.status}`, {
        retryable: res.status >= 500 || res.status === 429,
      });
    if (Number(res.headers.get('content-length') ?? 0) > maxBytes)
      throw new DeliveryError('file larger than the limit', { retryable: false });
    const data = Buffer.from(await res.arrayBuffer());
    if (data.length > maxBytes) throw new DeliveryError('file larger than the limit', { retryable: false });
    return { data, mimeType: res.headers.get('content-type')?.split(';')[0] ?? null };
  }

  async openDirect(user: PlatformUser, workspace: ConversationRef): Promise<ConversationRef> {
    const channelId = await this.openDm(user.platformUserId);
    return {
      platform: 'slack',
      channelId,
      threadId: null,
      isDirect: true,
      workspaceId: workspace.workspaceId,
      isPublic: false,
    };
  }

  private async resolveChannel(channelId: string): Promise<string> {
    return isUserId(channelId) ? this.openDm(channelId) : channelId;
  }

  private async openDm(userId: string): Promise<string> {
    const cached = this.dmCache.get(userId);
    if (cached) return cached;
    try {
      const res = await this.client.conversations.open({ users: userId });
      const id = res.channel?.id;
      if (!id) throw new DeliveryError('conversations.open: Slack returned no channel', { retryable: false });
      this.dmCache.set(userId, id);
      return id;
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      throw toDeliveryError(err, 'conversations.open');
    }
  }
}

/** Bolt and the Web API log through their own interface; route it into ours (debug noise stays debug). */
/**
 * What the Slack SDK logs may hold message bodies (Bolt logs whole payloads at debug, the Web API
 * client its arguments): people's words and tokens never reach our log, at any level. Objects are
 * dropped; a string is kept up to the first JSON or form body in it.
 */
function redactSdkLog(m: unknown): string {
  if (m instanceof Error) return redactSdkLog(m.message);
  if (typeof m !== 'string') return '[redacted]';
  const cut = m.search(/[{[]|body|text=|payload=|token/i);
  const kept = cut === -1 ? m : `${m.slice(0, cut)}[redacted]`;
  return kept.length > 300 ? `${kept.slice(0, 300)}…` : kept;
}

export function boltLogger(log: Logger): BoltLogger {
  const fmt = (msgs: unknown[]): string => msgs.map(redactSdkLog).join(' ');
  let level = webApi.LogLevel.INFO;
  return {
    debug: (...m: unknown[]) => log.debug(fmt(m), { component: 'slack-sdk' }),
    info: (...m: unknown[]) => log.debug(fmt(m), { component: 'slack-sdk' }),
    warn: (...m: unknown[]) => log.warn(fmt(m), { component: 'slack-sdk' }),
    error: (...m: unknown[]) => log.error(fmt(m), { component: 'slack-sdk' }),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
