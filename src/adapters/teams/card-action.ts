/**
 * Card actions: Action.Execute (an `adaptiveCard/action` invoke, answered with a card) and the
 * Action.Submit fallback (a message whose `value` is the card data, answered by posting or updating a
 * card message). Forms are checked inline (`checkForm`/`formFor` are synchronous); everything else goes
 * to the engine's inbox.
 */
import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { ConversationEngine } from '../../chat/adapter-api.js';
import type { ActionId } from '../../chat/message.js';
import { formatIssues } from '../../errors.js';
import type { Logger } from '../../log.js';
import {
  adaptiveCardInvokeSchema,
  type CardActionData,
  parseCardData,
  type TeamsActivity,
  toIncomingAction,
} from './activity.js';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  type AdaptiveCard,
  formCard,
  formValuesFromInputs,
  pendingCard,
} from './cards.js';
import { answer, cardAnswer, cardError } from './invoke-answer.js';

const PENDING_TEXT: Partial<Record<ActionId, string>> = {
  'ticket.add_info': 'Adding your information…',
  'ticket.close': 'Closing the ticket…',
  'ticket.reopen': 'Reopening the ticket…',
  'ticket.cancel': 'Cancelling the ticket…',
  'ticket.human': 'Asking a person from the service desk to take over…',
  'ticket.rate': 'Thanks for your rating!',
  'ticket.status': 'Looking up the ticket…',
  'kb.helpful': 'Glad it helped!',
  'kb.not_helpful': 'Sorry about that, opening a ticket…',
  choice: 'Got it…',
};

const formRefSchema = z.object({
  templateId: z.string().min(1, 'must name the template').max(200),
  /** Prefill, e.g. from the words the user typed before the form was offered. */
  values: z.record(z.string(), z.unknown()).optional(),
});

type CardOutcome =
  | { kind: 'error'; message: string }
  | { kind: 'form'; card: AdaptiveCard; opened: boolean }
  | { kind: 'accepted'; card: AdaptiveCard };

type CardData = { action: CardActionData; inputs: Record<string, unknown> };

export function createCardActions(deps: { engine: ConversationEngine; log: Logger; now: () => Date }) {
  const { engine, log } = deps;

  /** Decides what a card action does, for both Action.Execute and the Action.Submit fallback. */
  const onCardAction = async (a: TeamsActivity, id: string, data: CardData): Promise<CardOutcome> => {
    const { actionId, value } = data.action;
    if (actionId === 'form.open' || actionId === 'form.submit') {
      const t = formRefSchema.safeParse(value);
      if (!t.success) return { kind: 'error', message: `Invalid card data: ${formatIssues(t.error.issues)}` };
      const spec = engine.formFor(t.data.templateId, t.data.values);
      if (!spec) return { kind: 'error', message: `Unknown request type "${t.data.templateId}".` };
      if (actionId === 'form.open') return { kind: 'form', card: formCard(spec), opened: true };
      const values = formValuesFromInputs(spec, data.inputs);
      const check = engine.checkForm(t.data.templateId, values);
      if (!check.ok)
        return {
          kind: 'form',
          card: formCard({ ...spec, values: { ...spec.values, ...values }, errors: check.errors }),
          opened: false,
        };
      await engine.receive(
        toIncomingAction(
          a,
          id,
          'form.submit',
          { templateId: t.data.templateId, values: check.values },
          deps.now(),
        ),
      );
      return {
        kind: 'accepted',
        card: pendingCard(`Thanks! "${spec.title}" was submitted; the ticket number follows in this chat.`),
      };
    }
    await engine.receive(toIncomingAction(a, id, actionId, { ...value, ...data.inputs }, deps.now()));
    return { kind: 'accepted', card: pendingCard(PENDING_TEXT[actionId] ?? 'Working on it…') };
  };

  const onExecute = async (ctx: TurnContext, a: TeamsActivity, id: string): Promise<void> => {
    const inv = adaptiveCardInvokeSchema.safeParse(a.value);
    if (!inv.success)
      return answer(ctx, cardError(400, `Invalid adaptiveCard/action: ${formatIssues(inv.error.issues)}`));
    const data = parseCardData(inv.data.action.data);
    if (!data.ok) return answer(ctx, cardError(400, data.error));
    const out = await onCardAction(a, id, data.value);
    return answer(ctx, out.kind === 'error' ? cardError(400, out.message) : cardAnswer(out.card));
  };

  /** Action.Submit fallback: a message activity whose `value` is the card data; no inline answer exists. */
  const onSubmit = async (ctx: TurnContext, a: TeamsActivity, id: string, data: CardData): Promise<void> => {
    const out = await onCardAction(a, id, data);
    try {
      if (out.kind === 'error') await ctx.sendActivity({ type: 'message', text: out.message });
      else if (out.kind === 'form') {
        const attachments = [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: out.card }];
        // Errors go onto the form the user is looking at; a newly opened form is a new message.
        if (!out.opened && a.replyToId)
          await ctx.updateActivity({ type: 'message', id: a.replyToId, attachments });
        else await ctx.sendActivity({ type: 'message', attachments });
      }
      // Accepted: the engine refreshes the source card itself (sourceMessage) through the outbox.
    } catch (err) {
      log.warn('teams could not answer a card submission inline', { error: err });
    }
  };

  return { onExecute, onSubmit };
}
