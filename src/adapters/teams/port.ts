/**
 * The Teams side of ChatPort: every bot message leaves through here (from the outbox), proactively,
 * using the conversation reference stored with the conversation (service URL, conversation id,
 * tenant). Connector failures become DeliveryErrors the outbox knows how to retry.
 */

import {
  type Activity,
  type ConversationParameters,
  type ConversationReference,
  TeamsInfo,
  type TurnContext,
} from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import {
  type ChatPort,
  type ConversationRef,
  DeliveryError,
  type DeliveryResult,
  type Outgoing,
  type PlatformUser,
} from '../../chat/message.js';
import type { Logger } from '../../log.js';
import type { ChatdeskCloudAdapter } from './auth.js';
import { ADAPTIVE_CARD_CONTENT_TYPE, replyToCard } from './cards.js';
import { escapeTeamsMarkdown } from './markdown.js';
import { isAllowedServiceUrl, type ServiceUrlPolicy } from './service-urls.js';

interface TeamsPortDeps {
  adapter: ChatdeskCloudAdapter;
  appId: string;
  oauthScope: string;
  policy: ServiceUrlPolicy;
  log: Logger;
  /** The bot's own Teams account as last seen on an incoming activity (`28:<app id>`). */
  botAccount(tenantId: string | null): { id: string; name: string } | null;
}

export function createTeamsPort(deps: TeamsPortDeps): ChatPort {
  const directs = new Map<string, ConversationRef>();

  const referenceFor = (
    conv: ConversationRef,
    opts: { threadRoot?: string | null } = {},
  ): Partial<ConversationReference> => {
    const serviceUrl = conv.serviceUrl;
    if (!serviceUrl)
      throw new DeliveryError(`Teams conversation ${conv.channelId} has no service URL stored`, {
        retryable: false,
      });
    if (!isAllowedServiceUrl(serviceUrl, deps.policy)) {
      throw new DeliveryError(
        `Refusing to post to ${serviceUrl}: not an allowed Bot Connector service URL (TEAMS_ALLOWED_SERVICE_URLS)`,
        { retryable: false },
      );
    }
    const root = conv.threadId ?? opts.threadRoot ?? null;
    // Channel threads are addressed through the conversation id; chats have no threads.
    const id = root && conv.isPublic ? `${conv.channelId};messageid=${root}` : conv.channelId;
    const bot = deps.botAccount(conv.workspaceId) ?? {
      id: deps.appId ? `28:${deps.appId}` : 'chatdesk',
      name: 'chatdesk',
    };
    return {
      channelId: 'msteams',
      serviceUrl,
      bot,
      conversation: {
        id,
        isGroup: !conv.isDirect,
        conversationType: conv.isDirect ? 'personal' : conv.isPublic ? 'channel' : 'groupChat',
        tenantId: conv.workspaceId ?? undefined,
        name: '',
      },
    };
  };

  /** One client per service URL (there are a handful: the allow-list bounds them). */
  const clients = new Map<string, Promise<ConnectorClient>>();
  const clientFor = (serviceUrl: string): Promise<ConnectorClient> => {
    let client = clients.get(serviceUrl);
    if (!client) {
      client = deps.adapter.connectorClient(deps.appId, serviceUrl).then((c) => {
        withoutSdkRetries(c);
        return c;
      });
      clients.set(serviceUrl, client);
      // A failed build (credentials not reachable) is tried again on the next message.
      client.catch(() => clients.delete(serviceUrl));
    }
    return client;
  };

  const withContext = async <T>(
    ref: Partial<ConversationReference>,
    fn: (ctx: TurnContext) => Promise<T>,
  ): Promise<T> => {
    let result: { value: T } | null = null;
    await deps.adapter.continueConversationAsync(deps.appId, ref, async (ctx) => {
      withoutSdkRetries(ctx.turnState.get<ConnectorClient>(ctx.adapter.ConnectorClientKey));
      result = { value: await fn(ctx) };
    });
    if (!result) throw new Error('continueConversationAsync did not run the turn');
    return (result as { value: T }).value;
  };

  return {
    platform: 'teams',

    // No findDelivered: the Bot Connector creates an activity per POST, ignores a client-chosen activity
    // id and offers no way to list a conversation's activities, so a message whose earlier attempt may
    // have reached Teams unrecorded is posted again (at least once; see docs/reliability.md).
    async deliver(message: Outgoing): Promise<DeliveryResult> {
      const update = message.updateOf ?? null;
      const conv = update?.conversation ?? message.conversation;
      const ref = referenceFor(conv, { threadRoot: update ? null : (message.replyTo ?? null) });
      const card = replyToCard(message.reply);
      const activity: Partial<Activity> = {
        type: 'message',
        // Requester and agent text is inside; Teams must show it as typed (no disguised links).
        text: escapeTeamsMarkdown(message.reply.text),
        textFormat: 'markdown',
        ...(card ? { attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }] } : {}),
        ...(conv.workspaceId ? { channelData: { tenant: { id: conv.workspaceId } } } : {}),
      };
      try {
        // The connector client directly, no proactive turn: TurnContext.sendActivity would stamp the
        // turn's synthetic activity id as replyToId, and a turn per message costs a client per message.
        const client = await clientFor(ref.serviceUrl as string);
        const convId = ref.conversation?.id ?? conv.channelId;
        const full: Partial<Activity> = {
          ...activity,
          channelId: 'msteams',
          serviceUrl: ref.serviceUrl,
          from: ref.bot,
          conversation: ref.conversation,
        };
        if (update) {
          await client.conversations.updateActivity(convId, update.messageId, {
            ...full,
            id: update.messageId,
          });
          return { messageId: update.messageId };
        }
        // Personal and group chats quote the message we answer; channel threads are in the conversation id.
        const res =
          message.replyTo && !conv.isPublic
            ? await client.conversations.replyToActivity(convId, message.replyTo, {
                ...full,
                replyToId: message.replyTo,
              })
            : await client.conversations.sendToConversation(convId, full);
        return { messageId: res.id ?? '' };
      } catch (err) {
        throw toDeliveryError(err, 'deliver');
      }
    },

    async lookupUser(platformUserId: string, conversation: ConversationRef) {
      try {
        const member = await withContext(referenceFor({ ...conversation, threadId: null }), (ctx) =>
          TeamsInfo.getMember(ctx, platformUserId),
        );
        return {
          email: member.email ?? member.userPrincipalName ?? null,
          displayName: member.name ?? member.givenName ?? null,
          aadObjectId: member.aadObjectId ?? null,
          tenantId: member.tenantId ?? null,
        };
      } catch (err) {
        const e = toDeliveryError(err, 'lookupUser');
        if (!e.retryable) {
          deps.log.debug('teams member lookup found nobody', { user: platformUserId, error: e.message });
          return null;
        }
        throw e;
      }
    },

    async openDirect(user: PlatformUser, workspace: ConversationRef): Promise<ConversationRef> {
      const key = `${workspace.workspaceId ?? ''}|${user.platformUserId}`;
      const known = directs.get(key);
      if (known) return known;
      const serviceUrl = workspace.serviceUrl;
      if (!serviceUrl)
        throw new DeliveryError('Cannot open a Teams chat without a service URL', { retryable: false });
      if (!isAllowedServiceUrl(serviceUrl, deps.policy))
        throw new DeliveryError(`Refusing to post to ${serviceUrl}: not an allowed service URL`, {
          retryable: false,
        });
      const bot = deps.botAccount(workspace.workspaceId) ?? {
        id: deps.appId ? `28:${deps.appId}` : 'chatdesk',
        name: 'chatdesk',
      };
      const params = {
        isGroup: false,
        bot,
        members: [{ id: user.platformUserId, name: user.displayName ?? '' }],
        tenantId: workspace.workspaceId ?? undefined,
        channelData: workspace.workspaceId ? { tenant: { id: workspace.workspaceId } } : undefined,
        activity: undefined,
      } as unknown as ConversationParameters; // the SDK type marks optional fields required; the connector accepts them absent
      let conversationId: string | null = null;
      try {
        await deps.adapter.createConversationAsync(
          deps.appId,
          'msteams',
          serviceUrl,
          deps.oauthScope,
          params,
          async (ctx) => {
            conversationId = ctx.activity.conversation?.id ?? null;
          },
        );
      } catch (err) {
        throw toDeliveryError(err, 'openDirect');
      }
      if (!conversationId)
        throw new DeliveryError('Teams did not return a conversation id', { retryable: true });
      const ref: ConversationRef = {
        platform: 'teams',
        channelId: conversationId,
        threadId: null,
        isDirect: true,
        workspaceId: workspace.workspaceId,
        serviceUrl,
        isPublic: false,
      };
      directs.set(key, ref);
      return ref;
    },
  };
}

/**
 * The SDK's HTTP pipeline retries 429/5xx/network errors itself for seconds (and ignores
 * `noRetryPolicy`), holding an outbox worker meanwhile. The outbox owns retries, with backoff that
 * survives restarts, so the pipeline's retry phase is removed from each (per-call) client.
 */
function withoutSdkRetries(client: ConnectorClient): void {
  // `client` is private in the SDK's compat layer; this reaches the @azure/core-client pipeline under it.
  const pipeline = (
    client as unknown as { client?: { pipeline?: { removePolicy?: (o: { phase: string }) => unknown } } }
  ).client?.pipeline;
  pipeline?.removePolicy?.({ phase: 'Retry' });
}

/**
 * 429, 5xx and network failures are worth retrying; other 4xx (bot removed, conversation gone) are not.
 * A 429 did nothing; a 5xx, 408 or network failure may have created the activity (`mayHaveReached`).
 */
function toDeliveryError(err: unknown, op: string): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const status = statusOf(err);
  const message = `Teams ${op} failed${status ? ` with HTTP ${status}` : ''}: ${err instanceof Error ? err.message : String(err)}`;
  if (status === null || status === 429 || status === 408 || status >= 500) {
    return new DeliveryError(message, {
      retryable: true,
      retryAfterMs: retryAfterOf(err),
      mayHaveReached: status !== 429,
      cause: err,
    });
  }
  return new DeliveryError(message, { retryable: false, mayHaveReached: false, cause: err });
}

function statusOf(err: unknown): number | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { statusCode?: unknown; status?: unknown; response?: { status?: unknown } };
  for (const v of [e.statusCode, e.status, e.response?.status]) if (typeof v === 'number' && v > 0) return v;
  return null;
}

function retryAfterOf(err: unknown): number | null {
  const headers = (err as { response?: { headers?: unknown } } | null)?.response?.headers;
  let raw: unknown;
  if (headers && typeof (headers as { get?: unknown }).get === 'function')
    raw = (headers as { get(n: string): unknown }).get('retry-after');
  else if (headers && typeof headers === 'object') raw = (headers as Record<string, unknown>)['retry-after'];
  if (typeof raw !== 'string' || raw === '') return null;
  const secs = Number(raw);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}
