/**
 * The `/it` slash command: alone a menu, `help`, `new [template]` (a modal), `status` (the user's
 * tickets), and anything else a request in the user's words, followed up in their DM.
 */
import type { IncomingMessage } from '../../chat/message.js';
import { receive, type SlackContext } from './context.js';
import { openForm } from './interactivity.js';
import { HELP_TEXT, menuBlocks, plainText, ticketListBlocks } from './render.js';
import { parseSlack, slashCommandSchema } from './schemas.js';
import { directMeta, slackConversation, slackUser } from './to-message.js';

export async function onCommand(
  ctx: SlackContext,
  body: unknown,
  ack: (
    r?:
      | string
      | {
          response_type?: 'ephemeral' | 'in_channel';
          text?: string;
          blocks?: ReturnType<typeof menuBlocks>;
        },
  ) => Promise<void>,
  respond: (msg: { response_type?: 'ephemeral'; text: string; blocks?: unknown[] }) => Promise<unknown>,
): Promise<void> {
  const c = parseSlack(slashCommandSchema, body, 'slash command');
  const text = c.text.trim();
  const [first = '', ...rest] = text.split(/\s+/);
  const sub = first.toLowerCase();
  const workspaceId = c.team_id ?? null;
  const dm = directMeta(c.user_id, workspaceId);
  if (sub === '') {
    await ack({ response_type: 'ephemeral', text: 'How can IT help?', blocks: menuBlocks() });
    return;
  }
  if (sub === 'help') {
    await ack({ response_type: 'ephemeral', text: HELP_TEXT });
    return;
  }
  if (sub === 'new') {
    await ack();
    const templateId = rest.join(' ').trim() || null;
    void ctx.acks.background('open form', () => openForm(ctx, c.trigger_id, templateId, {}, dm));
    return;
  }
  if (sub === 'status') {
    await ack();
    void ctx.acks.background('status', async () => {
      const cards = await ctx.engine.ticketsFor(slackUser(c.user_id), { limit: 20 });
      await respond({ response_type: 'ephemeral', text: 'Your tickets', blocks: ticketListBlocks(cards) });
    });
    return;
  }
  // Anything else is a request in the user's words; the bot follows up in their DM, where it can always post.
  const msg: IncomingMessage = {
    kind: 'message',
    id: `command:${c.trigger_id}`,
    platform: 'slack',
    conversation: slackConversation(dm),
    user: slackUser(c.user_id),
    text: plainText(text),
    attachments: [],
    messageId: null,
    receivedAt: ctx.now().toISOString(),
    via: 'command',
  };
  await ctx.acks.withinBudget('command', () => receive(ctx, msg));
  await ack({ response_type: 'ephemeral', text: 'Got it. I will follow up in our direct messages.' });
}
