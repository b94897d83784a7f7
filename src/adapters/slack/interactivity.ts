/**
 * Interactivity other than modal submissions: our buttons (`cd:` → the engine's inbox, except
 * `form.open`, which opens a modal right after the ack while the trigger id is valid), the local menu
 * buttons (`cd_local:`), and the "Create ticket" message shortcut.
 */
import type { IncomingAction } from '../../chat/message.js';
import { parseJson, receive, type SlackContext } from './context.js';
import { publishHome } from './events.js';
import { formModal, noticeModal, pickerModal, ticketFromMessageModal } from './modals.js';
import {
  decodeActionId,
  HELP_TEXT,
  LOCAL_ACTIONS,
  LOCAL_PREFIX,
  plainText,
  ticketListBlocks,
} from './render.js';
import {
  blockActionsSchema,
  buttonValueSchema,
  type ConvMeta,
  messageShortcutSchema,
  parseSlack,
} from './schemas.js';
import { directMeta, isPublicChannel, slackConversation, slackUser } from './to-message.js';

export async function onAction(ctx: SlackContext, body: unknown): Promise<void> {
  const p = parseSlack(blockActionsSchema, body, 'block_actions payload');
  const action = p.actions[0];
  if (!action) return;
  const actionId = decodeActionId(action.action_id);
  if (!actionId) {
    ctx.log.warn('slack unknown action id', { actionId: action.action_id });
    return;
  }
  const value = parseSlack(
    buttonValueSchema,
    parseJson(action.value ?? '{}', 'button value'),
    'button value',
  );
  const workspaceId = p.team?.id ?? p.user.team_id ?? null;
  const channelId = p.channel?.id ?? p.container?.channel_id;
  const meta: ConvMeta = channelId
    ? {
        channelId,
        threadId: p.message?.thread_ts ?? p.container?.thread_ts ?? null,
        isDirect: channelId.startsWith('D'),
        workspaceId,
        isPublic: isPublicChannel(channelId),
      }
    : directMeta(p.user.id, workspaceId);
  if (actionId === 'form.open') {
    // Opening a modal needs the trigger id within 3 s: do it right now, after the ack.
    const templateId = typeof value.templateId === 'string' ? value.templateId : null;
    const prefill = isRecord(value.values) ? value.values : {};
    void ctx.acks.background('open form', () => openForm(ctx, p.trigger_id, templateId, prefill, meta));
    return;
  }
  const conversation = slackConversation(meta);
  const messageTs = p.container?.message_ts ?? p.message?.ts ?? null;
  const incoming: IncomingAction = {
    kind: 'action',
    // Stable across Slack's redelivery of the same click, distinct for every new click.
    id: `action:${messageTs ?? p.view?.id ?? '-'}:${action.action_ts ?? '-'}:${p.user.id}:${action.action_id}`,
    platform: 'slack',
    conversation,
    user: slackUser(p.user.id),
    actionId,
    value,
    sourceMessage: messageTs && !p.container?.is_ephemeral ? { conversation, messageId: messageTs } : null,
    receivedAt: ctx.now().toISOString(),
  };
  const r = await receive(ctx, incoming);
  // A click in the App Home (a Claim in the queue): once its turn is done, the Home shows the new state.
  if (p.view?.type === 'home' && r.status === 'accepted')
    void r.processed.then(() =>
      ctx.acks.background('refresh the App Home', () => publishHome(ctx, p.user.id)),
    );
}

export async function openForm(
  ctx: SlackContext,
  triggerId: string | undefined,
  templateId: string | null,
  prefill: Record<string, unknown>,
  conv: ConvMeta,
): Promise<void> {
  if (!triggerId) throw new Error('cannot open a modal without trigger_id');
  const form = templateId ? ctx.engine.formFor(templateId, prefill) : null;
  const view = form
    ? formModal(form, { kind: 'form', templateId: form.templateId, conv })
    : templateId
      ? noticeModal('Unknown request', `There is no request form called "${templateId}". Try /it new.`)
      : pickerModal(ctx.engine.listTemplates(), { kind: 'picker', conv });
  await ctx.client.views.open({ trigger_id: triggerId, view });
}

export async function onLocalAction(
  ctx: SlackContext,
  body: unknown,
  respond:
    | ((msg: {
        response_type?: 'ephemeral';
        replace_original?: boolean;
        text: string;
        blocks?: unknown[];
      }) => Promise<unknown>)
    | undefined,
): Promise<void> {
  const p = parseSlack(blockActionsSchema, body, 'block_actions payload');
  const name = p.actions[0]?.action_id.slice(LOCAL_PREFIX.length);
  const action = LOCAL_ACTIONS.find((a) => a === name);
  const workspaceId = p.team?.id ?? p.user.team_id ?? null;
  switch (action) {
    case 'new':
      return openForm(ctx, p.trigger_id, null, {}, directMeta(p.user.id, workspaceId));
    case 'tickets': {
      const cards = await ctx.engine.ticketsFor(slackUser(p.user.id), { limit: 20 });
      if (respond)
        await respond({
          response_type: 'ephemeral',
          replace_original: true,
          text: 'Your tickets',
          blocks: ticketListBlocks(cards),
        });
      else await publishHome(ctx, p.user.id);
      return;
    }
    case 'help':
      if (respond) await respond({ response_type: 'ephemeral', replace_original: true, text: HELP_TEXT });
      else if (p.trigger_id)
        await ctx.client.views.open({ trigger_id: p.trigger_id, view: noticeModal('Help', HELP_TEXT) });
      return;
    default:
      ctx.log.warn('slack unknown local action', { action });
  }
}

export async function onShortcut(ctx: SlackContext, body: unknown): Promise<void> {
  const p = parseSlack(messageShortcutSchema, body, 'message shortcut payload');
  const author = p.message.user;
  if (p.message.bot_id || !author) {
    await ctx.client.views.open({
      trigger_id: p.trigger_id,
      view: noticeModal('Create ticket', 'Only messages written by people can become tickets.'),
    });
    return;
  }
  const conv: ConvMeta = {
    channelId: p.channel.id,
    threadId: p.message.thread_ts ?? p.message.ts,
    isDirect: p.channel.id.startsWith('D'),
    workspaceId: p.team?.id ?? p.user.team_id ?? null,
    isPublic: isPublicChannel(p.channel.id),
  };
  await ctx.client.views.open({
    trigger_id: p.trigger_id,
    view: ticketFromMessageModal(plainText(p.message.text), {
      kind: 'ticket_from_message',
      conv,
      messageTs: p.message.ts,
      author,
    }),
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
