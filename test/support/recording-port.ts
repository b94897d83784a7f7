/** An in-process ChatPort that records deliveries: for engine-level tests of multi-platform flows. */
import type { ChannelAdapter } from '../../src/adapters/types.js';
import type { ConversationRef, Outgoing, Platform, PlatformUser } from '../../src/chat/message.js';

export interface Recorded {
  messageId: string;
  message: Outgoing;
}

export function recordingAdapter(
  platform: Platform,
  directory: Record<string, string>,
): { adapter: ChannelAdapter; sent: Recorded[] } {
  const sent: Recorded[] = [];
  let n = 0;
  return {
    sent,
    adapter: {
      port: {
        platform,
        async deliver(message) {
          const messageId = message.updateOf?.messageId ?? `${platform}-msg-${++n}`;
          sent.push({ messageId, message });
          return { messageId };
        },
        async lookupUser(platformUserId) {
          const email = directory[platformUserId];
          return email ? { email, displayName: null } : null;
        },
        async openDirect(user: PlatformUser, workspace: ConversationRef): Promise<ConversationRef> {
          return {
            ...workspace,
            platform,
            channelId: `D-${user.platformUserId}`,
            threadId: null,
            isDirect: true,
          };
        },
      },
      mount: () => undefined,
      start: async () => undefined,
      stop: async () => undefined,
    },
  };
}
