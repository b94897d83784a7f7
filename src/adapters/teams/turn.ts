/**
 * One Bot Framework turn. Messages and accepted actions go to the engine's inbox and the turn ends:
 * the engine's replies come back later through the port (proactively). Only invokes that Teams
 * expects an answer to (card actions, the message action's dialog) are answered inline, from
 * `checkForm`/`formFor`, which are synchronous. Each kind of activity has its module: card actions
 * (`card-action.ts`), the message action (`message-action.ts`), `conversation-update.ts`.
 */

import type { TurnContext } from 'botbuilder';
import type { ConversationEngine } from '../../chat/adapter-api.js';
import type { Logger } from '../../log.js';
import { parseCardData, type TeamsActivity, toIncomingMessage } from './activity.js';
import { createCardActions } from './card-action.js';
import { createConversationUpdate } from './conversation-update.js';
import { answer } from './invoke-answer.js';
import { createMessageActions } from './message-action.js';

export { CREATE_TICKET_COMMAND } from './message-action.js';

interface TurnDeps {
  engine: ConversationEngine;
  log: Logger;
  now: () => Date;
}

interface TurnHandler {
  /**
   * A text message (no card submission) needs no turn context: it goes to the inbox as it is, without
   * the SDK building a turn (connector and token clients) for it. False when the activity needs `turn`.
   */
  plainMessage(a: TeamsActivity): Promise<boolean>;
  turn(ctx: TurnContext, a: TeamsActivity): Promise<void>;
}

export function createTurnHandler(deps: TurnDeps): TurnHandler {
  const { engine, log } = deps;
  const { onExecute, onSubmit } = createCardActions(deps);
  const { onFetchTask, onSubmitAction } = createMessageActions(deps);
  const onConversationUpdate = createConversationUpdate(deps);

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
