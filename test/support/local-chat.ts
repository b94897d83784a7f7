/** Drives the real engine through the local channel and collects what the bot delivered. */

import { createLocalPort, type DeliveredMessage } from '../../src/adapters/local/local-port.js';
import type { ChannelAdapter } from '../../src/adapters/types.js';
import type { App } from '../../src/app.js';
import type { ActionId, Incoming, MessageRef } from '../../src/chat/message.js';

export function localAdapter(): { adapter: ChannelAdapter; sent: DeliveredMessage[] } {
  const sent: DeliveredMessage[] = [];
  const port = createLocalPort('local', (m) => sent.push(m));
  return {
    adapter: { port, mount: () => undefined, start: async () => undefined, stop: async () => undefined },
    sent,
  };
}

let counter = 0;

export class ChatUser {
  constructor(
    private readonly app: App,
    private readonly sent: DeliveredMessage[],
    readonly email: string,
  ) {}

  get conversation() {
    return {
      platform: 'local' as const,
      channelId: `console:${this.email}`,
      threadId: null,
      isDirect: true,
      workspaceId: null,
    };
  }

  private mine(): DeliveredMessage[] {
    return this.sent.filter((m) => m.conversationId === this.conversation.channelId);
  }

  /** Sends a message (or redelivers one with the same id) and returns the replies it produced. */
  async say(text: string, id = `m${++counter}`): Promise<DeliveredMessage[]> {
    return this.send({
      kind: 'message',
      id,
      platform: 'local',
      conversation: this.conversation,
      user: { platform: 'local', platformUserId: this.email },
      text,
      attachments: [],
      messageId: null,
      receivedAt: this.app.now().toISOString(),
      via: 'dm',
    });
  }

  async act(
    actionId: ActionId,
    value: Record<string, unknown>,
    sourceMessage: MessageRef | null = null,
  ): Promise<DeliveredMessage[]> {
    return this.send({
      kind: 'action',
      id: `a${++counter}`,
      platform: 'local',
      conversation: this.conversation,
      user: { platform: 'local', platformUserId: this.email },
      actionId,
      value,
      sourceMessage,
      receivedAt: this.app.now().toISOString(),
    });
  }

  async send(incoming: Incoming): Promise<DeliveredMessage[]> {
    const before = this.mine().length;
    const r = await this.app.engine.receive(incoming);
    await r.processed;
    await this.app.drain();
    return this.mine().slice(before);
  }
}

export const texts = (ms: DeliveredMessage[]) => ms.map((m) => m.message.reply.text).join('\n---\n');
