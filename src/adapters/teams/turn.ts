/**
 * One Bot Framework turn. Messages and accepted actions go to the engine's inbox and the turn ends:
 * the engine's replies come back later through the port (proactively). Only invokes that Teams
 * expects an answer to (card actions, the message action's dialog) are answered inline, from
 * `checkForm`/`formFor`, which are synchronous.
 */

import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { ConversationEngine } from '../../chat/adapter-api.js';
import type { ActionId } from '../../chat/message.js';
import { reportedMessageText } from '../../chat/reported-message.js';
import { formatIssues } from '../../errors.js';
import type { Logger } from '../../log.js';
import {
  adaptiveCardInvokeSchema,
  type CardActionData,
  composeActionSchema,
  conversationRefOf,
  htmlToText,
  parseCardData,
  type TeamsActivity,
  toIncomingAction,
  toIncomingMessage,
} from './activity.js';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  type AdaptiveCard,
  createTicketTaskCard,
  formCard,
  formValuesFromInputs,
  pendingCard,
  welcomeCard,
} from './cards.js';

export const CREATE_TICKET_COMMAND = 'createTicket';

export interface TurnDeps {
  engine: ConversationEngine;
  log: Logger;
  now: () => Date;
}

interface InvokeAnswer {
  status: number;
  body?: unknown;
}

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
const createTicketInputs = z.object({
  text: z
    .string()
    .trim()
    .min(1, 'Please describe the problem.')
    .max(4000, 'Please keep it under 4000 characters.'),
});

/** Recent conversationUpdate ids: Teams redelivers them and a welcome twice looks broken. */
class RecentIds {
  readonly #ids = new Set<string>();
  constructor(private readonly max: number) {}
  /** True the first time an id is seen. */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.max) {
      const first = this.#ids.values().next().value;
      if (first !== undefined) this.#ids.delete(first);
    }
    return true;
  }
}

export interface TurnHandler {
  /**
   * A text message (no card submission) needs no turn context: it goes to the inbox as it is, without
   * the SDK building a turn (connector and token clients) for it. False when the activity needs `turn`.
   */
  plainMessage(a: TeamsActivity): Promise<boolean>;
  turn(ctx: TurnContext, a: TeamsActivity): Promise<void>;
}

export function createTurnHandler(deps: TurnDeps): TurnHandler {
  const { engine, log } = deps;
  const welcomed = new RecentIds(2000);

  const answer = async (ctx: TurnContext, a: InvokeAnswer): Promise<void> => {
    await ctx.sendActivity({ type: 'invokeResponse', value: a });
  };
  const cardAnswer = (content: AdaptiveCard): InvokeAnswer => ({
    status: 200,
    body: { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: content },
  });
  const cardError = (status: number, message: string): InvokeAnswer => ({
    status: 200,
    body: {
      statusCode: status,
      type: 'application/vnd.microsoft.error',
      value: { code: status === 400 ? 'BadRequest' : 'NotFound', message },
    },
  });

  /**
   * Decides what a card action does, for both Action.Execute (answered with a card) and the
   * Action.Submit fallback (answered by posting or updating a card message).
   */
  const onCardAction = async (
    a: TeamsActivity,
    id: string,
    data: { action: CardActionData; inputs: Record<string, unknown> },
  ): Promise<CardOutcome> => {
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
  const onSubmit = async (
    ctx: TurnContext,
    a: TeamsActivity,
    id: string,
    data: { action: CardActionData; inputs: Record<string, unknown> },
  ): Promise<void> => {
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

  const onConversationUpdate = async (ctx: TurnContext, a: TeamsActivity): Promise<void> => {
    const botAdded = (a.membersAdded ?? []).some((m) => m.id === a.recipient.id);
    // Everyone in the roster is recorded (tenant, AAD object id), so approvals and escalations reach
    // people who never wrote to the bot.
    const people = (a.membersAdded ?? [])
      .filter((m) => m.id !== a.recipient.id)
      .map((m) => ({
        platform: 'teams' as const,
        platformUserId: m.id,
        displayName: m.name ?? null,
        aadObjectId: m.aadObjectId ?? null,
        email: null,
      }));
    if (people.length > 0) await engine.meet?.(people, conversationRefOf(a));
    if (!botAdded) return;
    if (a.id && !welcomed.add(a.id)) return;
    try {
      await ctx.sendActivity({
        type: 'message',
        text: 'Hi! I am the IT service desk bot. Tell me what is wrong, or type **help**.',
        attachments: [
          { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: welcomeCard(engine.listTemplates()) },
        ],
      });
    } catch (err) {
      // A lost welcome is not worth a Teams redelivery storm; the user can always type help.
      log.warn('teams welcome failed', { error: err });
    }
  };

  const onText = async (a: TeamsActivity): Promise<void> => {
    const incoming = toIncomingMessage(a, a.id ?? '', deps.now());
    if (incoming.text === '' && incoming.attachments.length === 0) return;
    await engine.receive(incoming);
  };

  const plainMessage = async (a: TeamsActivity): Promise<boolean> => {
    if (a.type !== 'message' || (a.value !== undefined && a.value !== null)) return false;
    await onText(a);
    return true;
  };

  const turn = async (ctx: TurnContext, a: TeamsActivity): Promise<void> => {
    const id = a.id ?? '';
    switch (a.type) {
      case 'message': {
        const data = a.value === undefined || a.value === null ? null : parseCardData(a.value);
        if (data?.ok) return onSubmit(ctx, a, id, data.value);
        if (data && !data.ok && !a.text) {
          log.warn('teams ignored a card submission it cannot read', { error: data.error });
          return;
        }
        return onText(a);
      }
      case 'invoke':
        switch (a.name) {
          case 'adaptiveCard/action':
            return onExecute(ctx, a, id);
          case 'composeExtension/fetchTask':
            return onFetchTask(ctx, a);
          case 'composeExtension/submitAction':
            return onSubmitAction(ctx, a, id);
          default:
            return answer(ctx, { status: 501 });
        }
      case 'conversationUpdate':
        return onConversationUpdate(ctx, a);
      default:
        return;
    }
  };

  return { plainMessage, turn };
}

function taskCard(content: AdaptiveCard): InvokeAnswer {
  return {
    status: 200,
    body: {
      task: {
        type: 'continue',
        value: {
          title: 'Create ticket',
          height: 'medium',
          width: 'medium',
          card: { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content },
        },
      },
    },
  };
}
