/** The answers to invokes Teams waits for: sent as an `invokeResponse` activity within the turn. */
import type { TurnContext } from 'botbuilder';
import { ADAPTIVE_CARD_CONTENT_TYPE, type AdaptiveCard } from './cards.js';

interface InvokeAnswer {
  status: number;
  body?: unknown;
}

export async function answer(ctx: TurnContext, a: InvokeAnswer): Promise<void> {
  await ctx.sendActivity({ type: 'invokeResponse', value: a });
}

/** Action.Execute's answer: the card that replaces the one clicked. */
export const cardAnswer = (content: AdaptiveCard): InvokeAnswer => ({
  status: 200,
  body: { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: content },
});

/** Action.Execute's error: the invoke answers 200, the error (status, code, message) is its body. */
export const cardError = (status: number, message: string): InvokeAnswer => ({
  status: 200,
  body: {
    statusCode: status,
    type: 'application/vnd.microsoft.error',
    value: { code: status === 400 ? 'BadRequest' : 'NotFound', message },
  },
});

/** A message action's dialog (task module) showing a card. */
export function taskCard(content: AdaptiveCard): InvokeAnswer {
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
