/**
 * The port of the local channels (console and web chat): delivery is a function call, so it
 * never fails for network reasons; messages are kept per conversation for the web chat to fetch.
 */
import {
  type ChatPort,
  type ConversationRef,
  DeliveryError,
  type DeliveryResult,
  type Outgoing,
  type Platform,
  type PlatformUser,
} from '../../chat/message.js';

export interface DeliveredMessage {
  id: string;
  conversationId: string;
  message: Outgoing;
  /** Set on what the person wrote (kept so the web chat's history shows both sides). */
  fromUser?: boolean;
}

export interface LocalPort extends ChatPort {
  /** Messages delivered to one conversation, oldest first (bounded), with what the person wrote. */
  delivered(conversationId: string): DeliveredMessage[];
  /** Keeps what the person wrote in the conversation's history. */
  recordIncoming(conversation: ConversationRef, text: string): DeliveredMessage;
}

const KEEP_PER_CONVERSATION = 200;

export function createLocalPort(
  platform: Extract<Platform, 'local' | 'web'>,
  onDeliver?: (m: DeliveredMessage) => void,
  /** Delivers only what this returns true for; the rest stays queued (a retryable failure). */
  accepts?: (message: Outgoing) => boolean,
): LocalPort {
  const byConversation = new Map<string, DeliveredMessage[]>();
  let seq = 0;
  const keep = (entry: DeliveredMessage) => {
    const list = byConversation.get(entry.conversationId) ?? [];
    list.push(entry);
    if (list.length > KEEP_PER_CONVERSATION) list.splice(0, list.length - KEEP_PER_CONVERSATION);
    byConversation.set(entry.conversationId, list);
  };
  return {
    platform,
    async deliver(message: Outgoing): Promise<DeliveryResult> {
      if (accepts && !accepts(message))
        throw new DeliveryError(`${message.conversation.channelId} belongs to another local session`, {
          retryable: true,
          retryAfterMs: 5_000,
          mayHaveReached: false,
        });
      const id = message.updateOf?.messageId ?? `${platform}-${Date.now().toString(36)}-${++seq}`;
      const entry: DeliveredMessage = { id, conversationId: message.conversation.channelId, message };
      keep(entry);
      onDeliver?.(entry);
      return { messageId: id };
    },
    recordIncoming(conversation, text) {
      const entry: DeliveredMessage = {
        id: `${platform}-in-${Date.now().toString(36)}-${++seq}`,
        conversationId: conversation.channelId,
        message: { conversation, reply: { text } },
        fromUser: true,
      };
      keep(entry);
      return entry;
    },
    async lookupUser() {
      // Local users are identified by the email they typed; the directory knows them or not.
      return null;
    },
    async openDirect(user: PlatformUser, workspace: ConversationRef): Promise<ConversationRef> {
      // A person's local DM is named by their email, as the console and the web chat name it, so a
      // notice to someone who has not chatted yet waits in the conversation they will open.
      const channelId =
        workspace.channelId || `${platform === 'local' ? 'console' : 'web'}:${user.platformUserId}`;
      return { ...workspace, platform, channelId, threadId: null, isDirect: true, isPublic: false };
    },
    delivered(conversationId) {
      return byConversation.get(conversationId) ?? [];
    },
  };
}
