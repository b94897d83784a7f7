/**
 * Events API listeners: messages (DMs, and replies in threads the bot takes part in), mentions,
 * reactions (the ticket emoji, and 👀 / ✅ on handoff cards) and App Home. Each awaits nothing but the
 * inbox write; App Home is published after the ack.
 */

import { fetchMessage, receive, type SlackContext } from './context.js';
import { queueHomeBlocks } from './home-queue.js';
import type { BotUser } from './identity.js';
import { homeView } from './render.js';
import {
  appHomeOpenedEventSchema,
  appMentionEventSchema,
  eventEnvelopeSchema,
  historyResponseSchema,
  messageEventSchema,
  parseSlack,
  reactionAddedEventSchema,
} from './schemas.js';
import {
  fromAppMention,
  fromCardReaction,
  fromMessageEvent,
  fromReactedMessage,
  slackUser,
} from './to-message.js';

/** Message subtypes that are a person writing; everything else (joins, edits, deletions, bots) is not. */
const ACCEPTED_SUBTYPES = new Set(['file_share', 'thread_broadcast']);

/** Reactions agents use on handoff cards (DESIGN §2.8): 👀 claims, ✅ resolves. */
const AGENT_REACTIONS: Record<string, 'agent.claim' | 'agent.resolve'> = {
  eyes: 'agent.claim',
  white_check_mark: 'agent.resolve',
};

export async function onMessage(ctx: SlackContext, body: unknown, event: unknown): Promise<void> {
  const env = parseSlack(eventEnvelopeSchema, body, 'event envelope');
  const ev = parseSlack(messageEventSchema, event, 'message event');
  // Edits and deletions never rewrite a ticket: the ticket keeps what was reported (audit trail); a
  // correction is a new message. Joins, topic changes and bot posts are not requests.
  if (ev.subtype && !ACCEPTED_SUBTYPES.has(ev.subtype)) return;
  if (ev.bot_id || !ev.user) return;
  const me = await ctx.identity.whoAmI();
  if (ev.user === me.botUserId) return;
  const channelType = ev.channel_type ?? (ev.channel.startsWith('D') ? 'im' : 'channel');
  if (!ctx.messageChannelTypes.has(channelType)) return;
  if (channelType !== 'im') {
    // In channels only thread replies matter (agents and requesters talking in a ticket thread);
    // messages mentioning the bot arrive again as app_mention and are handled there.
    if (!ev.thread_ts || ev.thread_ts === ev.ts) return;
    if (me.botUserId && ev.text.includes(`<@${me.botUserId}>`)) return;
    // People's own threads are none of the desk's business: answering there would be spam.
    if (!(await botInThread(ctx, ev.channel, ev.thread_ts, ev.parent_user_id, me))) return;
  }
  const msg = fromMessageEvent(
    env,
    { ...ev, user: ev.user },
    {
      channelType,
      botUserId: me.botUserId,
      receivedAt: ctx.now().toISOString(),
    },
  );
  await receive(ctx, msg);
}

/**
 * Whether the bot takes part in a channel thread: it started it (ticket posts in triage channels), it
 * posted or was asked in it during this process's life, or, after a restart, Slack says it replied
 * there (one conversations.replies call per unknown thread, remembered either way).
 */
async function botInThread(
  ctx: SlackContext,
  channel: string,
  threadTs: string,
  parentUserId: string | undefined,
  me: BotUser,
): Promise<boolean> {
  if (parentUserId && parentUserId === me.botUserId) return true;
  if (ctx.port.threads.has(channel, threadTs)) return true;
  if (ctx.otherThreads.has(channel, threadTs)) return false;
  try {
    const res = parseSlack(
      historyResponseSchema,
      await ctx.client.conversations.replies({ channel, ts: threadTs, limit: 1 }),
      'conversations.replies response',
    );
    const parent = res.messages.find((m) => m.ts === threadTs) ?? res.messages[0];
    const mine =
      parent !== undefined &&
      (parent.user === me.botUserId ||
        (parent.bot_id !== undefined && parent.bot_id === me.botId) ||
        (parent.reply_users ?? []).includes(me.botUserId));
    (mine ? ctx.port.threads : ctx.otherThreads).add(channel, threadTs);
    return mine;
  } catch (err) {
    ctx.log.warn('slack could not check a thread; ignoring the reply', { channel, threadTs, err });
    return false;
  }
}

export async function onAppMention(ctx: SlackContext, body: unknown, event: unknown): Promise<void> {
  const env = parseSlack(eventEnvelopeSchema, body, 'event envelope');
  const ev = parseSlack(appMentionEventSchema, event, 'app_mention event');
  if (ev.bot_id || !ev.user) return;
  const me = await ctx.identity.whoAmI();
  if (ev.user === me.botUserId) return;
  const msg = fromAppMention(
    env,
    { ...ev, user: ev.user },
    {
      botUserId: me.botUserId,
      receivedAt: ctx.now().toISOString(),
    },
  );
  ctx.port.threads.add(ev.channel, ev.thread_ts ?? ev.ts);
  await receive(ctx, msg);
}

export async function onReaction(ctx: SlackContext, body: unknown, event: unknown): Promise<void> {
  const env = parseSlack(eventEnvelopeSchema, body, 'event envelope');
  const ev = parseSlack(reactionAddedEventSchema, event, 'reaction_added event');
  const emoji = ctx.config.SLACK_TICKET_EMOJI.replace(/^:|:$/g, '');
  // Skin-tone variants arrive as `name::skin-tone-2`.
  const name = ev.reaction.split('::')[0] ?? '';
  const agentAction = AGENT_REACTIONS[name];
  const onBotMessage =
    agentAction && ev.item.type === 'message' && ev.item.channel && ev.item.ts
      ? ev.item_user === (await ctx.identity.whoAmI()).botUserId ||
        ctx.port.threads.has(ev.item.channel, ev.item.ts)
      : false;
  if (agentAction && onBotMessage && ev.item.channel && ev.item.ts) {
    // 👀 / ✅ on a handoff card the bot posted: the same as its Claim / Resolve buttons.
    await receive(
      ctx,
      fromCardReaction(
        env,
        { channel: ev.item.channel, ts: ev.item.ts, reaction: name, user: ev.user },
        agentAction,
        ctx.now().toISOString(),
      ),
    );
    return;
  }
  if (name !== emoji) return;
  const { channel, ts } = ev.item;
  if (ev.item.type !== 'message' || !channel || !ts) return;
  const original = await fetchMessage(ctx, channel, ts);
  if (!original) {
    ctx.log.warn('slack reaction on a message the bot cannot read; invite the bot to the channel', {
      channel,
      ts,
    });
    return;
  }
  const author = original.user ?? ev.item_user;
  if (original.bot_id || !author) return;
  const msg = fromReactedMessage(env, { channel, ts }, original, author, ctx.now().toISOString());
  ctx.port.threads.add(channel, original.thread_ts ?? ts);
  await receive(ctx, msg);
}

export async function onHomeOpened(ctx: SlackContext, _body: unknown, event: unknown): Promise<void> {
  const ev = parseSlack(appHomeOpenedEventSchema, event, 'app_home_opened event');
  if (ev.tab !== undefined && ev.tab !== 'home') return;
  void ctx.acks.background('app home', () => publishHome(ctx, ev.user));
}

export async function publishHome(ctx: SlackContext, userId: string): Promise<void> {
  const cards = await ctx.engine.ticketsFor(slackUser(userId), { limit: 20 });
  // Staff see their queue above their own tickets (issue 18 item 2).
  const queue = (await ctx.engine.agentQueueFor?.(slackUser(userId))) ?? null;
  await ctx.client.views.publish({
    user_id: userId,
    view: homeView(cards, queue ? queueHomeBlocks(queue) : []),
  });
}
