/**
 * Wires our listeners into Bolt from the registry's lists (and records what was registered, which a
 * test compares with the manifest). Each registration sets its ack discipline: events and our buttons
 * await the inbox within the ack budget; modals, shortcuts and menu buttons ack first and work after;
 * a modal submission and the slash command answer in the ack itself.
 */
import type { App } from '@slack/bolt';
import { onCommand } from './command.js';
import type { SlackContext } from './context.js';
import { onAppMention, onHomeOpened, onMessage, onReaction } from './events.js';
import { onAction, onLocalAction, onShortcut } from './interactivity.js';
import { SLACK_BOT_EVENTS, SLACK_COMMANDS, SLACK_SHORTCUTS } from './registry.js';
import { ACTION_PREFIX, LOCAL_ACTIONS, LOCAL_PREFIX, VIEW_CALLBACK_ID } from './render.js';
import { SlackPayloadError } from './schemas.js';
import { onViewSubmission } from './view-submission.js';

export interface SlackRegistrations {
  events: string[];
  commands: string[];
  shortcuts: string[];
  actions: string[];
}

export function registerListeners(app: App, ctx: SlackContext, registered: SlackRegistrations): void {
  const handlers: Record<string, (body: unknown, event: unknown) => Promise<void>> = {
    message: (b, e) => onMessage(ctx, b, e),
    app_mention: (b, e) => onAppMention(ctx, b, e),
    reaction_added: (b, e) => onReaction(ctx, b, e),
    app_home_opened: (b, e) => onHomeOpened(ctx, b, e),
  };
  const boltTypes = new Set<string>();
  for (const name of SLACK_BOT_EVENTS) {
    const type = name.split('.')[0] ?? name;
    const handler = handlers[type];
    if (!handler) throw new Error(`no handler for Slack event ${name}`);
    registered.events.push(name);
    if (boltTypes.has(type)) continue;
    boltTypes.add(type);
    app.event(type, async ({ body, event }) => {
      await ctx.acks.withinBudget(`event ${type}`, () => handler(body, event));
    });
  }

  app.action(new RegExp(`^${escapeRegExp(ACTION_PREFIX)}`), async ({ ack, body }) => {
    await ack();
    await ctx.acks.withinBudget('block action', () => onAction(ctx, body));
  });
  registered.actions.push(`${ACTION_PREFIX}*`);
  app.action(new RegExp(`^${escapeRegExp(LOCAL_PREFIX)}`), async ({ ack, body, respond }) => {
    await ack();
    void ctx.acks.background('local action', () => onLocalAction(ctx, body, respond));
  });
  registered.actions.push(...LOCAL_ACTIONS.map((a) => `${LOCAL_PREFIX}${a}`));
  // Link buttons and elements we do not own still send block_actions; unacknowledged, Bolt answers 404
  // after 3 s and Slack shows the user a warning triangle.
  app.action(
    new RegExp(`^(?!${escapeRegExp(ACTION_PREFIX)}|${escapeRegExp(LOCAL_PREFIX)})`),
    async ({ ack }) => {
      await ack();
    },
  );

  app.view(VIEW_CALLBACK_ID, async ({ ack, body }) => {
    let acked = false;
    try {
      const response = await onViewSubmission(ctx, body);
      acked = true;
      await ack(response);
    } catch (err) {
      // A malformed submission just closes the modal; anything else fails the request so Slack shows
      // the user an error instead of silently dropping what they filled in.
      if (!(err instanceof SlackPayloadError)) throw ctx.acks.own(err);
      ctx.log.warn('slack view submission rejected', { err });
      if (!acked) await ack();
    }
  });

  for (const sc of SLACK_SHORTCUTS) {
    app.shortcut(sc.callback_id, async ({ ack, body }) => {
      await ack();
      void ctx.acks.background('shortcut', () => onShortcut(ctx, body));
    });
    registered.shortcuts.push(sc.callback_id);
  }

  for (const command of SLACK_COMMANDS) {
    app.command(command, async ({ ack, body, respond }) => {
      let acked = false;
      const doAck: typeof ack = async (r) => {
        acked = true;
        await ack(r);
      };
      try {
        await onCommand(ctx, body, doAck, respond);
      } catch (err) {
        ctx.log.error('slack slash command failed', { err });
        if (!acked)
          await ack({
            response_type: 'ephemeral',
            text: 'Sorry, something went wrong. Please try again or write to me in a DM.',
          });
      }
    });
    registered.commands.push(command);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
