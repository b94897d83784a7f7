/**
 * What every Slack listener works with, built once by the adapter: the engine, the Web API client and
 * port, the ack discipline and the bot's identity. Plus the few helpers several listeners share.
 */
import type { ConversationEngine, ReceiveResult } from '../../chat/adapter-api.js';
import type { Incoming } from '../../chat/message.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../log.js';
import type { AckDiscipline } from './ack.js';
import type { BotIdentity } from './identity.js';
import type { createWebClient, SlackPort, ThreadTracker } from './port.js';
import { historyResponseSchema, parseSlack, SlackPayloadError } from './schemas.js';

export interface SlackContext {
  readonly config: Config;
  readonly engine: ConversationEngine;
  readonly log: Logger;
  readonly now: () => Date;
  readonly client: ReturnType<typeof createWebClient>;
  readonly port: SlackPort;
  readonly acks: AckDiscipline;
  readonly identity: BotIdentity;
  /** Threads known not to involve the bot (until it posts there, which the port records). */
  readonly otherThreads: ThreadTracker;
  /** The `channel_type`s of the `message.*` events subscribed to. */
  readonly messageChannelTypes: ReadonlySet<string>;
}

/** Hands an incoming item to the engine's inbox; a redelivery Slack made is only logged. */
export async function receive(ctx: SlackContext, incoming: Incoming): Promise<ReceiveResult> {
  const r = await ctx.engine.receive(incoming);
  if (r.status === 'duplicate') ctx.log.debug('slack duplicate delivery ignored', { id: incoming.id });
  return r;
}

/** One message by its ts, top-level or inside a thread; null when Slack returns no such message. */
export async function fetchMessage(ctx: SlackContext, channel: string, ts: string) {
  const args = { channel, latest: ts, oldest: ts, inclusive: true, limit: 1 };
  const history = parseSlack(
    historyResponseSchema,
    await ctx.client.conversations.history(args),
    'conversations.history response',
  );
  const top = history.messages.find((m) => m.ts === ts);
  if (top) return top;
  // Replies inside a thread are not in the channel history; replies() always puts the parent first.
  const replies = parseSlack(
    historyResponseSchema,
    await ctx.client.conversations.replies({ ...args, ts, limit: 2 }),
    'conversations.replies response',
  );
  return replies.messages.find((m) => m.ts === ts) ?? null;
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SlackPayloadError(`invalid Slack ${what}: not JSON`);
  }
}
