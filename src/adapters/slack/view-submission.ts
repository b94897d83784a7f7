/**
 * Modal submissions (`view_submission`): the template picker, a request form, and the "Create ticket"
 * dialog. The answer is the ack body itself: close, field errors on the view's blocks, or the next view.
 */
import type { IncomingAction, IncomingMessage } from '../../chat/message.js';
import { reportedMessageText } from '../../chat/reported-message.js';
import { fetchMessage, parseJson, receive, type SlackContext } from './context.js';
import { formModal, formValues, noticeModal } from './modals.js';
import { DESCRIPTION_BLOCK, plainText, TEMPLATE_BLOCK } from './render.js';
import { modalMetadataSchema, parseSlack, viewSubmissionSchema } from './schemas.js';
import { slackConversation, slackUser, ticketFromMessageId } from './to-message.js';

/** Returns the ack body: nothing (close), field errors, or the next view. */
export async function onViewSubmission(
  ctx: SlackContext,
  body: unknown,
): Promise<
  | undefined
  | { response_action: 'errors'; errors: Record<string, string> }
  | { response_action: 'update'; view: ReturnType<typeof formModal> }
> {
  const p = parseSlack(viewSubmissionSchema, body, 'view_submission payload');
  const meta = parseSlack(
    modalMetadataSchema,
    parseJson(p.view.private_metadata, 'private_metadata'),
    'modal metadata',
  );
  const values = formValues(p.view.state.values);
  // Errors may only name input blocks of the view (Slack rejects the whole response otherwise).
  const blockIds = [
    ...new Set([
      ...p.view.blocks.flatMap((b) => (b.type === 'input' && b.block_id ? [b.block_id] : [])),
      ...Object.keys(p.view.state.values),
    ]),
  ];
  const user = slackUser(p.user.id);
  switch (meta.kind) {
    case 'picker': {
      const templateId = values[TEMPLATE_BLOCK];
      const form = typeof templateId === 'string' ? ctx.engine.formFor(templateId) : null;
      if (!form)
        return {
          response_action: 'errors',
          errors: { [TEMPLATE_BLOCK]: 'Pick one of the listed requests.' },
        };
      return {
        response_action: 'update',
        view: formModal(form, { kind: 'form', templateId: form.templateId, conv: meta.conv }),
      };
    }
    case 'form': {
      const check = ctx.engine.checkForm(meta.templateId, values);
      if (!check.ok) return { response_action: 'errors', errors: errorsOnBlocks(check.errors, blockIds) };
      const incoming: IncomingAction = {
        kind: 'action',
        // view.hash changes whenever the view changes, so a redelivery dedupes and a new modal does not.
        id: `view:${p.view.id}:${p.view.hash ?? '-'}`,
        platform: 'slack',
        conversation: slackConversation(meta.conv),
        user,
        actionId: 'form.submit',
        value: { templateId: meta.templateId, values: check.values },
        sourceMessage: null,
        receivedAt: ctx.now().toISOString(),
      };
      await ctx.acks.withinBudget('form submission', () => receive(ctx, incoming));
      return undefined;
    }
    case 'ticket_from_message': {
      const text = values[DESCRIPTION_BLOCK];
      if (typeof text !== 'string' || text.trim() === '')
        return { response_action: 'errors', errors: { [DESCRIPTION_BLOCK]: 'Describe the problem.' } };
      // The submitter acts and is the requester; the author's words are quoted, never rewritten.
      const original =
        meta.author === p.user.id
          ? null
          : await fetchMessage(ctx, meta.conv.channelId, meta.messageTs).catch(() => null);
      const msg: IncomingMessage = {
        kind: 'message',
        id: ticketFromMessageId(meta.conv.channelId, meta.messageTs),
        platform: 'slack',
        conversation: slackConversation(meta.conv),
        user,
        text:
          meta.author === p.user.id
            ? text.trim()
            : reportedMessageText({
                submitterText: text,
                author: `<@${meta.author}>`,
                original: original ? plainText(original.text ?? '') : null,
              }),
        attachments: [],
        messageId: meta.messageTs,
        receivedAt: ctx.now().toISOString(),
        via: 'ticket_from_message',
      };
      if (meta.conv.threadId && !meta.conv.isDirect)
        ctx.port.threads.add(meta.conv.channelId, meta.conv.threadId);
      const result = await ctx.acks.withinBudget('create ticket', () => ctx.engine.receive(msg));
      if (result?.status === 'duplicate') {
        return {
          response_action: 'update',
          view: noticeModal(
            'Create ticket',
            'This message is already a ticket: see the ticket card in its thread.',
          ),
        };
      }
      return undefined;
    }
  }
}

/** Slack rejects a response whose error keys are not blocks of the view; unknown keys go on the first block. */
export function errorsOnBlocks(errors: Record<string, string>, blockIds: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const stray: string[] = [];
  for (const [field, message] of Object.entries(errors)) {
    if (blockIds.includes(field)) out[field] = message;
    else stray.push(`${field}: ${message}`);
  }
  const first = blockIds[0];
  if (stray.length > 0 && first) out[first] = [out[first], ...stray].filter(Boolean).join('; ');
  return out;
}
