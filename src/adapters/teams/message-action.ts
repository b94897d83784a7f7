/**
 * The "Create ticket" message action: `composeExtension/fetchTask` opens its dialog, prefilled with the
 * message; `composeExtension/submitAction` sends the ticket to the engine's inbox, once per message.
 */
import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { ConversationEngine } from '../../chat/adapter-api.js';
import { reportedMessageText } from '../../chat/reported-message.js';
import { formatIssues } from '../../errors.js';
import {
  composeActionSchema,
  conversationRefOf,
  htmlToText,
  type TeamsActivity,
  toIncomingMessage,
} from './activity.js';
import { createTicketTaskCard } from './cards.js';
import { answer, taskCard } from './invoke-answer.js';

export const CREATE_TICKET_COMMAND = 'createTicket';

const createTicketInputs = z.object({
  text: z
    .string()
    .trim()
    .min(1, 'Please describe the problem.')
    .max(4000, 'Please keep it under 4000 characters.'),
});

export function createMessageActions(deps: { engine: ConversationEngine; now: () => Date }) {
  const { engine } = deps;

  const onFetchTask = async (ctx: TurnContext, a: TeamsActivity): Promise<void> => {
    const v = composeActionSchema.safeParse(a.value);
    if (!v.success)
      return answer(ctx, {
        status: 400,
        body: { error: `Invalid message action: ${formatIssues(v.error.issues)}` },
      });
    if (v.data.commandId !== CREATE_TICKET_COMMAND)
      return answer(ctx, { status: 404, body: { error: `Unknown command ${v.data.commandId}` } });
    const payload = v.data.messagePayload;
    const textOf = htmlToText(payload?.body?.content ?? '');
    return answer(
      ctx,
      taskCard(createTicketTaskCard({ text: textOf, author: payload?.from?.user?.displayName ?? null })),
    );
  };

  const onSubmitAction = async (ctx: TurnContext, a: TeamsActivity, id: string): Promise<void> => {
    const v = composeActionSchema.safeParse(a.value);
    if (!v.success)
      return answer(ctx, {
        status: 400,
        body: { error: `Invalid message action: ${formatIssues(v.error.issues)}` },
      });
    if (v.data.commandId !== CREATE_TICKET_COMMAND)
      return answer(ctx, { status: 404, body: { error: `Unknown command ${v.data.commandId}` } });
    const data = z.record(z.string(), z.unknown()).safeParse(v.data.data ?? {});
    const inputs = createTicketInputs.safeParse(data.success ? data.data : {});
    const payload = v.data.messagePayload;
    const author = payload?.from?.user ?? null;
    if (!inputs.success) {
      const shown =
        data.success && typeof data.data.text === 'string'
          ? data.data.text
          : htmlToText(payload?.body?.content ?? '');
      const retry = createTicketTaskCard({ text: shown, author: author?.displayName ?? null });
      retry.body.push({
        type: 'TextBlock',
        text: `⚠ ${inputs.error.issues[0]?.message ?? 'Invalid input'}`,
        color: 'Attention',
        wrap: true,
      });
      return answer(ctx, taskCard(retry));
    }
    // One ticket per message, however often (and by whom) the action is used on it.
    const dedupe = payload?.id ? `ticket-from:${conversationRefOf(a).channelId}:${payload.id}` : id;
    const incoming = toIncomingMessage(a, dedupe, deps.now());
    incoming.via = 'ticket_from_message';
    incoming.messageId = payload?.id ?? null;
    // The submitter (a.from) acts and is the requester; someone else's message is quoted as written,
    // with its author named, never turned into a ticket in their name (SECURITY.md).
    const othersMessage =
      author !== null && author.aadObjectId !== a.from.aadObjectId && author.id !== a.from.aadObjectId;
    incoming.text = othersMessage
      ? reportedMessageText({
          submitterText: inputs.data.text,
          author: author.displayName ?? author.id,
          original: htmlToText(payload?.body?.content ?? ''),
        })
      : inputs.data.text;
    await engine.receive(incoming);
    return answer(ctx, {
      status: 200,
      body: {
        composeExtension: {
          type: 'message',
          text: 'Thanks! I am creating the ticket and will message you its number.',
        },
      },
    });
  };

  return { onFetchTask, onSubmitAction };
}
