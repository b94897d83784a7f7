/**
 * Who the bot is, from one auth.test call shared by every event. A custom authorize (instead of a
 * `token`) keeps Bolt from calling auth.test in its constructor and on every event; a failed call is
 * forgotten, so the next event asks again.
 */
import type { AuthorizeResult } from '@slack/bolt';
import type { createWebClient } from './port.js';

export interface BotUser {
  botUserId: string;
  botId: string;
  teamId: string | null;
}

export class BotIdentity {
  private identity: Promise<BotUser> | null = null;

  constructor(
    private readonly client: ReturnType<typeof createWebClient>,
    private readonly botToken: string,
  ) {}

  whoAmI(): Promise<BotUser> {
    if (!this.identity) {
      const p = this.client.auth.test().then((r) => ({
        botUserId: r.user_id ?? '',
        botId: r.bot_id ?? '',
        teamId: r.team_id ?? null,
      }));
      this.identity = p;
      p.catch(() => {
        if (this.identity === p) this.identity = null;
      });
    }
    return this.identity;
  }

  async authorize(): Promise<AuthorizeResult> {
    const me = await this.whoAmI();
    return {
      botToken: this.botToken,
      botId: me.botId,
      botUserId: me.botUserId,
      ...(me.teamId ? { teamId: me.teamId } : {}),
    };
  }
}
