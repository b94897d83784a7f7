/**
 * Slack payloads → the platform-neutral Incoming the engine takes, the way Teams' activity.ts does it.
 * Pure: the adapter decides whether an event concerns the desk (bot, thread and channel checks need
 * Slack's API), then hands the parsed payload here.
 */
import type {
  Attachment,
  ConversationRef,
  IncomingAction,
  IncomingMessage,
  PlatformUser,
} from '../../chat/message.js';
import { plainText } from './render.js';
import type { ConvMeta, SlackAppMentionEvent, SlackMessageEvent } from './schemas.js';

interface Envelope {
  event_id: string;
  team_id?: string | undefined;
}

export const slackUser = (id: string): PlatformUser => ({ platform: 'slack', platformUserId: id });

export function slackConversation(meta: ConvMeta): ConversationRef {
  const ref: ConversationRef = {
    platform: 'slack',
    channelId: meta.channelId,
    threadId: meta.threadId,
    isDirect: meta.isDirect,
    workspaceId: meta.workspaceId,
  };
  if (meta.isPublic !== undefined) ref.isPublic = meta.isPublic;
  return ref;
}

/** The user's DM with the bot, addressed by user id; the port resolves it with conversations.open on delivery. */
export function directMeta(userId: string, workspaceId: string | null): ConvMeta {
  return { channelId: userId, threadId: null, isDirect: true, workspaceId, isPublic: false };
}

/**
 * Slack does not say in app_mention or reaction events whether a channel is public. C… ids are public
 * channels (and, since 2021, some private ones): treating every C… channel as public errs on the side
 * of moving sensitive requests to a DM.
 */
export function isPublicChannel(channelId: string): boolean {
  return channelId.startsWith('C');
}

export function ticketFromMessageId(channel: string, ts: string): string {
  return `ticket_from_message:${channel}:${ts}`;
}

function attachmentsOf(
  files:
    | Array<{
        name?: string | undefined;
        title?: string | undefined;
        url_private?: string | undefined;
        mimetype?: string | undefined;
      }>
    | undefined,
): Attachment[] {
  return (files ?? []).flatMap((f) =>
    f.url_private
      ? [{ name: f.name ?? f.title ?? 'file', url: f.url_private, mimeType: f.mimetype ?? null }]
      : [],
  );
}

/** A DM, or a reply in a thread the bot takes part in (the adapter checked which). */
export function fromMessageEvent(
  env: Envelope,
  ev: SlackMessageEvent & { user: string },
  o: { channelType: string; botUserId: string; receivedAt: string },
): IncomingMessage {
  const isDirect = o.channelType === 'im';
  return {
    kind: 'message',
    id: env.event_id,
    platform: 'slack',
    conversation: {
      platform: 'slack',
      channelId: ev.channel,
      threadId: ev.thread_ts ?? null,
      isDirect,
      workspaceId: env.team_id ?? ev.team ?? null,
      isPublic: o.channelType === 'channel',
    },
    user: slackUser(ev.user),
    text: plainText(ev.text, o.botUserId),
    attachments: attachmentsOf(ev.files),
    messageId: ev.ts,
    receivedAt: o.receivedAt,
    via: isDirect ? 'dm' : 'thread',
  };
}

export function fromAppMention(
  env: Envelope,
  ev: SlackAppMentionEvent & { user: string },
  o: { botUserId: string; receivedAt: string },
): IncomingMessage {
  return {
    kind: 'message',
    id: env.event_id,
    platform: 'slack',
    conversation: {
      platform: 'slack',
      channelId: ev.channel,
      // Answer in the mention's thread so a channel never fills with bot replies.
      threadId: ev.thread_ts ?? ev.ts,
      isDirect: false,
      workspaceId: env.team_id ?? ev.team ?? null,
      isPublic: isPublicChannel(ev.channel),
    },
    user: slackUser(ev.user),
    text: plainText(ev.text, o.botUserId),
    attachments: attachmentsOf(ev.files),
    messageId: ev.ts,
    receivedAt: o.receivedAt,
    via: 'mention',
  };
}

/** 👀 / ✅ on a handoff card the bot posted: the same as its Claim / Resolve buttons. */
export function fromCardReaction(
  env: Envelope,
  r: { channel: string; ts: string; reaction: string; user: string },
  actionId: 'agent.claim' | 'agent.resolve',
  receivedAt: string,
): IncomingAction {
  const workspaceId = env.team_id ?? null;
  return {
    kind: 'action',
    id: `reaction:${r.channel}:${r.ts}:${r.reaction}:${r.user}`,
    platform: 'slack',
    conversation: {
      platform: 'slack',
      channelId: r.channel,
      threadId: r.ts,
      isDirect: false,
      workspaceId,
      isPublic: isPublicChannel(r.channel),
    },
    user: slackUser(r.user),
    actionId,
    value: {},
    sourceMessage: {
      conversation: { platform: 'slack', channelId: r.channel, threadId: null, isDirect: false, workspaceId },
      messageId: r.ts,
    },
    receivedAt,
  };
}

/** The ticket emoji on someone's message: one ticket per message, whoever reacts and however often. */
export function fromReactedMessage(
  env: Envelope,
  at: { channel: string; ts: string },
  original: { text: string; thread_ts?: string | undefined; files?: Parameters<typeof attachmentsOf>[0] },
  author: string,
  receivedAt: string,
): IncomingMessage {
  return {
    kind: 'message',
    // The inbox dedupes on this id.
    id: ticketFromMessageId(at.channel, at.ts),
    platform: 'slack',
    conversation: {
      platform: 'slack',
      channelId: at.channel,
      threadId: original.thread_ts ?? at.ts,
      isDirect: at.channel.startsWith('D'),
      workspaceId: env.team_id ?? null,
      isPublic: isPublicChannel(at.channel),
    },
    user: slackUser(author),
    text: plainText(original.text),
    attachments: attachmentsOf(original.files),
    messageId: at.ts,
    receivedAt,
    via: 'ticket_from_message',
  };
}
