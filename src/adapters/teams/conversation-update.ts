/**
 * `conversationUpdate`: everyone added is recorded (tenant, AAD object id), and the bot, when it is the
 * one added, says hello once.
 */
import type { TurnContext } from 'botbuilder';
import type { ConversationEngine } from '../../chat/adapter-api.js';
import type { Logger } from '../../log.js';
import { conversationRefOf, type TeamsActivity } from './activity.js';
import { ADAPTIVE_CARD_CONTENT_TYPE, welcomeCard } from './cards.js';

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

export function createConversationUpdate(deps: { engine: ConversationEngine; log: Logger }) {
  const { engine, log } = deps;
  const welcomed = new RecentIds(2000);
  return async function onConversationUpdate(ctx: TurnContext, a: TeamsActivity): Promise<void> {
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
}
