/**
 * The inbound half: Slack events, interactivity, shortcuts and slash commands → the engine's normalized
 * types, on Bolt. One URL (`POST /slack/events`) over HTTP, or a Socket Mode connection when
 * SLACK_APP_TOKEN is set.
 *
 * Ack discipline: Bolt acknowledges Events API deliveries before listeners run. We construct the
 * ExpressReceiver with `processBeforeResponse: true`, so the HTTP 200 leaves only when our listeners
 * return, and every listener awaits nothing but `engine.receive` (the durable inbox write) — bounded by
 * an ack budget well under Slack's 3 s. Slow work (API calls, DB reads for App Home, processing) runs
 * after the listener returns. So an event is stored before Slack hears "ok", and a crash in between
 * leads to a Slack retry, deduplicated by the inbox. Socket Mode gets the same order from
 * DurableSocketModeReceiver.
 */
import {
  App,
  AuthorizationError,
  type ExpressReceiver,
  HTTPModuleFunctions,
  type ReceiverProcessEventErrorHandlerArgs,
} from '@slack/bolt';
import express, { type Express } from 'express';
import type { ConversationEngine } from '../../chat/adapter-api.js';
import type {
  ConversationRef,
  Incoming,
  IncomingAction,
  IncomingMessage,
  PlatformUser,
} from '../../chat/message.js';
import { reportedMessageText } from '../../chat/reported-message.js';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ChannelAdapter } from '../types.js';
import { AckDiscipline } from './ack.js';
import { fetchMessage, parseJson, receive, type SlackContext } from './context.js';
import { onAppMention, onHomeOpened, onMessage, onReaction, publishHome } from './events.js';
import { BotIdentity } from './identity.js';
import { boltLogger, createWebClient, SlackPort, ThreadTracker, webClientOptions } from './port.js';
import { PromptExpressReceiver } from './receiver.js';
import {
  MESSAGE_CHANNEL_TYPE,
  SLACK_BOT_EVENTS,
  SLACK_COMMANDS,
  SLACK_EVENTS_PATH,
  SLACK_SHORTCUTS,
} from './registry.js';
import {
  ACTION_PREFIX,
  DESCRIPTION_BLOCK,
  decodeActionId,
  formModal,
  formValues,
  HELP_TEXT,
  LOCAL_ACTIONS,
  LOCAL_PREFIX,
  menuBlocks,
  noticeModal,
  pickerModal,
  plainText,
  TEMPLATE_BLOCK,
  ticketFromMessageModal,
  ticketListBlocks,
  VIEW_CALLBACK_ID,
} from './render.js';
import {
  blockActionsSchema,
  buttonValueSchema,
  type ConvMeta,
  malformedReason,
  messageShortcutSchema,
  modalMetadataSchema,
  parseSlack,
  SlackPayloadError,
  slashCommandSchema,
  viewSubmissionSchema,
} from './schemas.js';
import { DurableSocketModeReceiver } from './socket-mode.js';
import {
  directMeta,
  isPublicChannel,
  slackConversation,
  slackUser,
  ticketFromMessageId,
} from './to-message.js';

/** Slack's own replay window, applied both ways. */
const SLACK_CLOCK_SKEW_SECONDS = 5 * 60;

export interface SlackAdapterOptions {
  config: Config;
  engine: ConversationEngine;
  log: Logger;
  /** How long a listener may wait for the inbox before acknowledging anyway (default 2500 ms; Slack's limit is 3 s). */
  ackBudgetMs?: number;
  now?: () => Date;
}

export interface SlackRegistrations {
  events: string[];
  commands: string[];
  shortcuts: string[];
  actions: string[];
}

export class SlackAdapter implements ChannelAdapter {
  readonly port: SlackPort;
  /** What was actually registered on Bolt (compared with the manifest by a test). */
  readonly registered: SlackRegistrations = { events: [], commands: [], shortcuts: [], actions: [] };
  readonly socketMode: boolean;
  private readonly app: App;
  private readonly receiver: ExpressReceiver | null;
  private readonly client: ReturnType<typeof createWebClient>;
  private readonly engine: ConversationEngine;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly acks: AckDiscipline;
  private readonly identity: BotIdentity;
  private readonly messageChannelTypes: Set<string>;
  /** Threads known not to involve the bot (until it posts there, which the port records). */
  private readonly otherThreads = new ThreadTracker();
  /** What every listener works with. */
  private readonly ctx: SlackContext;
  private started = false;

  constructor(opts: SlackAdapterOptions) {
    const { config } = opts;
    if (!config.SLACK_BOT_TOKEN || !config.SLACK_SIGNING_SECRET) {
      throw new AppError('config_invalid', 'Slack needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN.', {
        field: 'SLACK_BOT_TOKEN',
      });
    }
    this.engine = opts.engine;
    this.log = opts.log.child({ adapter: 'slack' });
    this.now = opts.now ?? (() => new Date());
    this.client = createWebClient(config.SLACK_BOT_TOKEN, config.SLACK_API_URL, this.log);
    this.port = new SlackPort(this.client, this.log);
    this.acks = new AckDiscipline(this.log, opts.ackBudgetMs ?? 2500);
    this.identity = new BotIdentity(this.client, config.SLACK_BOT_TOKEN);
    this.messageChannelTypes = new Set(
      SLACK_BOT_EVENTS.flatMap((e) => (MESSAGE_CHANNEL_TYPE[e] ? [MESSAGE_CHANNEL_TYPE[e]] : [])),
    );
    this.ctx = {
      config,
      engine: this.engine,
      log: this.log,
      now: this.now,
      client: this.client,
      port: this.port,
      acks: this.acks,
      identity: this.identity,
      otherThreads: this.otherThreads,
      messageChannelTypes: this.messageChannelTypes,
    };

    const logger = boltLogger(this.log);
    const clientOptions = webClientOptions(config.SLACK_API_URL);
    this.socketMode = Boolean(config.SLACK_APP_TOKEN);
    let receiver: ExpressReceiver | DurableSocketModeReceiver;
    if (config.SLACK_APP_TOKEN) {
      receiver = new DurableSocketModeReceiver({
        appToken: config.SLACK_APP_TOKEN,
        logger,
        log: this.log,
        clientOptions,
      });
      this.receiver = null;
    } else {
      const http = new PromptExpressReceiver({
        signingSecret: config.SLACK_SIGNING_SECRET,
        logger,
        endpoints: SLACK_EVENTS_PATH,
        processBeforeResponse: true,
        router: expressRouter(),
        processEventErrorHandler: (args) => this.onProcessEventError(args),
      });
      receiver = http;
      this.receiver = http;
    }
    // A custom authorize (instead of `token`) keeps Bolt from calling auth.test in its constructor and on
    // every event; we call it once (start() warms it) and cache the bot's identity.
    this.app = new App({
      receiver,
      logger,
      clientOptions,
      authorize: () => this.identity.authorize(),
      ignoreSelf: true,
    });
    this.app.error(async (error) => {
      const original = (error as { original?: unknown }).original ?? error;
      if (original instanceof SlackPayloadError) {
        // Slack would send the same malformed payload again: acknowledge and move on.
        this.log.warn('slack payload rejected', { err: original });
        return;
      }
      this.log.error('slack listener failed', { err: original });
      // Rethrown so the request fails (HTTP 500 / no Socket Mode ack) and Slack delivers it again.
      throw error;
    });
    this.register();
  }

  /**
   * Bolt reads some fields itself, before and around our listeners (e.g. `event.user`, a reaction's
   * `item`, a view's `callback_id`), and throws a TypeError on a signed payload where they have the
   * wrong type. That is the sender's fault, not a transient one: 400 with a short reason, so Slack does
   * not redeliver it, instead of Bolt's 500. This handler only runs after the receiver verified the
   * signature (a bad or missing signature is still 401), and failures of our own listeners (e.g. the
   * inbox write) keep their 500 so Slack retries them.
   */
  private async onProcessEventError(args: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> {
    const { error, request, response } = args;
    if (response.headersSent || error instanceof AuthorizationError || this.acks.isOwnError(error))
      return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
    const message = malformedReason((request as { body?: unknown }).body);
    this.log.warn('slack payload Bolt cannot parse rejected', { reason: message, err: error });
    response.writeHead(400, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { code: 'invalid_payload', message } }));
    return true;
  }

  mount(app: Express): void {
    if (!this.receiver) {
      this.log.info('slack runs in Socket Mode; no HTTP route mounted');
      return;
    }
    // Bolt refuses requests signed more than 5 minutes ago but not ones dated in the future, which a
    // captured request with a forged clock could use: both directions are refused here, before Bolt.
    app.use(SLACK_EVENTS_PATH, (req, res, next) => {
      const ts = Number(req.get('x-slack-request-timestamp'));
      if (req.method !== 'POST' || !Number.isFinite(ts)) return next();
      if (Math.abs(this.now().getTime() / 1000 - ts) <= SLACK_CLOCK_SKEW_SECONDS) return next();
      this.log.warn('slack request refused: timestamp more than 5 minutes off', { ts });
      res.status(401).json({
        error: {
          code: 'unauthorized',
          message: 'x-slack-request-timestamp is more than 5 minutes from now.',
        },
      });
    });
    app.use(this.receiver.router);
  }

  async start(): Promise<void> {
    try {
      const me = await this.identity.whoAmI();
      this.log.info('slack connected', {
        botUserId: me.botUserId,
        team: me.teamId,
        socketMode: this.socketMode,
      });
    } catch (err) {
      // The desk still starts: the identity is fetched again on the first event.
      this.log.error('slack auth.test failed; check SLACK_BOT_TOKEN', { err });
    }
    if (this.socketMode) await this.app.start();
    this.started = true;
  }

  async stop(): Promise<void> {
    if (this.socketMode && this.started) await this.app.stop();
    this.started = false;
    await this.acks.idle();
  }

  /** Resolves when every piece of post-ack work (views.open, App Home, slow inbox writes) has settled. Tests use it. */
  async idle(): Promise<void> {
    await this.acks.idle();
  }

  // ---------------------------------------------------------------- helpers

  private background(label: string, work: () => Promise<unknown>): Promise<void> {
    return this.acks.background(label, work);
  }

  private withinBudget<T>(label: string, work: () => Promise<T>): Promise<T | undefined> {
    return this.acks.withinBudget(label, work);
  }

  private own(err: unknown): unknown {
    return this.acks.own(err);
  }

  private receive(incoming: Incoming): Promise<void> {
    return receive(this.ctx, incoming);
  }

  private fetchMessage(channel: string, ts: string) {
    return fetchMessage(this.ctx, channel, ts);
  }

  private user(id: string): PlatformUser {
    return slackUser(id);
  }

  private conv(meta: ConvMeta): ConversationRef {
    return slackConversation(meta);
  }

  private dmOf(userId: string, workspaceId: string | null): ConvMeta {
    return directMeta(userId, workspaceId);
  }

  // ---------------------------------------------------------------- registration

  private register(): void {
    const handlers: Record<string, (body: unknown, event: unknown) => Promise<void>> = {
      message: (b, e) => onMessage(this.ctx, b, e),
      app_mention: (b, e) => onAppMention(this.ctx, b, e),
      reaction_added: (b, e) => onReaction(this.ctx, b, e),
      app_home_opened: (b, e) => onHomeOpened(this.ctx, b, e),
    };
    const boltTypes = new Set<string>();
    for (const name of SLACK_BOT_EVENTS) {
      const type = name.split('.')[0] ?? name;
      const handler = handlers[type];
      if (!handler) throw new Error(`no handler for Slack event ${name}`);
      this.registered.events.push(name);
      if (boltTypes.has(type)) continue;
      boltTypes.add(type);
      this.app.event(type, async ({ body, event }) => {
        await this.withinBudget(`event ${type}`, () => handler(body, event));
      });
    }

    this.app.action(new RegExp(`^${escapeRegExp(ACTION_PREFIX)}`), async ({ ack, body }) => {
      await ack();
      await this.withinBudget('block action', () => this.onAction(body));
    });
    this.registered.actions.push(`${ACTION_PREFIX}*`);
    this.app.action(new RegExp(`^${escapeRegExp(LOCAL_PREFIX)}`), async ({ ack, body, respond }) => {
      await ack();
      void this.background('local action', () => this.onLocalAction(body, respond));
    });
    this.registered.actions.push(...LOCAL_ACTIONS.map((a) => `${LOCAL_PREFIX}${a}`));
    // Link buttons and elements we do not own still send block_actions; unacknowledged, Bolt answers 404
    // after 3 s and Slack shows the user a warning triangle.
    this.app.action(
      new RegExp(`^(?!${escapeRegExp(ACTION_PREFIX)}|${escapeRegExp(LOCAL_PREFIX)})`),
      async ({ ack }) => {
        await ack();
      },
    );

    this.app.view(VIEW_CALLBACK_ID, async ({ ack, body }) => {
      let acked = false;
      try {
        const response = await this.onViewSubmission(body);
        acked = true;
        await ack(response);
      } catch (err) {
        // A malformed submission just closes the modal; anything else fails the request so Slack shows
        // the user an error instead of silently dropping what they filled in.
        if (!(err instanceof SlackPayloadError)) throw this.own(err);
        this.log.warn('slack view submission rejected', { err });
        if (!acked) await ack();
      }
    });

    for (const sc of SLACK_SHORTCUTS) {
      this.app.shortcut(sc.callback_id, async ({ ack, body }) => {
        await ack();
        void this.background('shortcut', () => this.onShortcut(body));
      });
      this.registered.shortcuts.push(sc.callback_id);
    }

    for (const command of SLACK_COMMANDS) {
      this.app.command(command, async ({ ack, body, respond }) => {
        let acked = false;
        const doAck: typeof ack = async (r) => {
          acked = true;
          await ack(r);
        };
        try {
          await this.onCommand(body, doAck, respond);
        } catch (err) {
          this.log.error('slack slash command failed', { err });
          if (!acked)
            await ack({
              response_type: 'ephemeral',
              text: 'Sorry, something went wrong. Please try again or write to me in a DM.',
            });
        }
      });
      this.registered.commands.push(command);
    }
  }

  // ---------------------------------------------------------------- interactivity

  private async onAction(body: unknown): Promise<void> {
    const p = parseSlack(blockActionsSchema, body, 'block_actions payload');
    const action = p.actions[0];
    if (!action) return;
    const actionId = decodeActionId(action.action_id);
    if (!actionId) {
      this.log.warn('slack unknown action id', { actionId: action.action_id });
      return;
    }
    const value = parseSlack(
      buttonValueSchema,
      parseJson(action.value ?? '{}', 'button value'),
      'button value',
    );
    const workspaceId = p.team?.id ?? p.user.team_id ?? null;
    const channelId = p.channel?.id ?? p.container?.channel_id;
    const meta: ConvMeta = channelId
      ? {
          channelId,
          threadId: p.message?.thread_ts ?? p.container?.thread_ts ?? null,
          isDirect: channelId.startsWith('D'),
          workspaceId,
          isPublic: isPublicChannel(channelId),
        }
      : this.dmOf(p.user.id, workspaceId);
    if (actionId === 'form.open') {
      // Opening a modal needs the trigger id within 3 s: do it right now, after the ack.
      const templateId = typeof value.templateId === 'string' ? value.templateId : null;
      const prefill = isRecord(value.values) ? value.values : {};
      void this.background('open form', () => this.openForm(p.trigger_id, templateId, prefill, meta));
      return;
    }
    const conversation = this.conv(meta);
    const messageTs = p.container?.message_ts ?? p.message?.ts ?? null;
    const incoming: IncomingAction = {
      kind: 'action',
      // Stable across Slack's redelivery of the same click, distinct for every new click.
      id: `action:${messageTs ?? p.view?.id ?? '-'}:${action.action_ts ?? '-'}:${p.user.id}:${action.action_id}`,
      platform: 'slack',
      conversation,
      user: this.user(p.user.id),
      actionId,
      value,
      sourceMessage: messageTs && !p.container?.is_ephemeral ? { conversation, messageId: messageTs } : null,
      receivedAt: this.now().toISOString(),
    };
    await this.receive(incoming);
  }

  private async openForm(
    triggerId: string | undefined,
    templateId: string | null,
    prefill: Record<string, unknown>,
    conv: ConvMeta,
  ): Promise<void> {
    if (!triggerId) throw new Error('cannot open a modal without trigger_id');
    const form = templateId ? this.engine.formFor(templateId, prefill) : null;
    const view = form
      ? formModal(form, { kind: 'form', templateId: form.templateId, conv })
      : templateId
        ? noticeModal('Unknown request', `There is no request form called "${templateId}". Try /it new.`)
        : pickerModal(this.engine.listTemplates(), { kind: 'picker', conv });
    await this.client.views.open({ trigger_id: triggerId, view });
  }

  private async onLocalAction(
    body: unknown,
    respond:
      | ((msg: {
          response_type?: 'ephemeral';
          replace_original?: boolean;
          text: string;
          blocks?: unknown[];
        }) => Promise<unknown>)
      | undefined,
  ): Promise<void> {
    const p = parseSlack(blockActionsSchema, body, 'block_actions payload');
    const name = p.actions[0]?.action_id.slice(LOCAL_PREFIX.length);
    const action = LOCAL_ACTIONS.find((a) => a === name);
    const workspaceId = p.team?.id ?? p.user.team_id ?? null;
    switch (action) {
      case 'new':
        return this.openForm(p.trigger_id, null, {}, this.dmOf(p.user.id, workspaceId));
      case 'tickets': {
        const cards = await this.engine.ticketsFor(this.user(p.user.id), { limit: 20 });
        if (respond)
          await respond({
            response_type: 'ephemeral',
            replace_original: true,
            text: 'Your tickets',
            blocks: ticketListBlocks(cards),
          });
        else await publishHome(this.ctx, p.user.id);
        return;
      }
      case 'help':
        if (respond) await respond({ response_type: 'ephemeral', replace_original: true, text: HELP_TEXT });
        else if (p.trigger_id)
          await this.client.views.open({ trigger_id: p.trigger_id, view: noticeModal('Help', HELP_TEXT) });
        return;
      default:
        this.log.warn('slack unknown local action', { action });
    }
  }

  /** Returns the ack body: nothing (close), field errors, or the next view. */
  private async onViewSubmission(
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
    const user = this.user(p.user.id);
    switch (meta.kind) {
      case 'picker': {
        const templateId = values[TEMPLATE_BLOCK];
        const form = typeof templateId === 'string' ? this.engine.formFor(templateId) : null;
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
        const check = this.engine.checkForm(meta.templateId, values);
        if (!check.ok) return { response_action: 'errors', errors: errorsOnBlocks(check.errors, blockIds) };
        const incoming: IncomingAction = {
          kind: 'action',
          // view.hash changes whenever the view changes, so a redelivery dedupes and a new modal does not.
          id: `view:${p.view.id}:${p.view.hash ?? '-'}`,
          platform: 'slack',
          conversation: this.conv(meta.conv),
          user,
          actionId: 'form.submit',
          value: { templateId: meta.templateId, values: check.values },
          sourceMessage: null,
          receivedAt: this.now().toISOString(),
        };
        await this.withinBudget('form submission', () => this.receive(incoming));
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
            : await this.fetchMessage(meta.conv.channelId, meta.messageTs).catch(() => null);
        const msg: IncomingMessage = {
          kind: 'message',
          id: ticketFromMessageId(meta.conv.channelId, meta.messageTs),
          platform: 'slack',
          conversation: this.conv(meta.conv),
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
          receivedAt: this.now().toISOString(),
          via: 'ticket_from_message',
        };
        if (meta.conv.threadId && !meta.conv.isDirect)
          this.port.threads.add(meta.conv.channelId, meta.conv.threadId);
        const result = await this.withinBudget('create ticket', () => this.engine.receive(msg));
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

  private async onShortcut(body: unknown): Promise<void> {
    const p = parseSlack(messageShortcutSchema, body, 'message shortcut payload');
    const author = p.message.user;
    if (p.message.bot_id || !author) {
      await this.client.views.open({
        trigger_id: p.trigger_id,
        view: noticeModal('Create ticket', 'Only messages written by people can become tickets.'),
      });
      return;
    }
    const conv: ConvMeta = {
      channelId: p.channel.id,
      threadId: p.message.thread_ts ?? p.message.ts,
      isDirect: p.channel.id.startsWith('D'),
      workspaceId: p.team?.id ?? p.user.team_id ?? null,
      isPublic: isPublicChannel(p.channel.id),
    };
    await this.client.views.open({
      trigger_id: p.trigger_id,
      view: ticketFromMessageModal(plainText(p.message.text), {
        kind: 'ticket_from_message',
        conv,
        messageTs: p.message.ts,
        author,
      }),
    });
  }

  private async onCommand(
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
    const dm = this.dmOf(c.user_id, workspaceId);
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
      void this.background('open form', () => this.openForm(c.trigger_id, templateId, {}, dm));
      return;
    }
    if (sub === 'status') {
      await ack();
      void this.background('status', async () => {
        const cards = await this.engine.ticketsFor(this.user(c.user_id), { limit: 20 });
        await respond({ response_type: 'ephemeral', text: 'Your tickets', blocks: ticketListBlocks(cards) });
      });
      return;
    }
    // Anything else is a request in the user's words; the bot follows up in their DM, where it can always post.
    const msg: IncomingMessage = {
      kind: 'message',
      id: `command:${c.trigger_id}`,
      platform: 'slack',
      conversation: this.conv(dm),
      user: this.user(c.user_id),
      text: plainText(text),
      attachments: [],
      messageId: null,
      receivedAt: this.now().toISOString(),
      via: 'command',
    };
    await this.withinBudget('command', () => this.receive(msg));
    await ack({ response_type: 'ephemeral', text: 'Got it. I will follow up in our direct messages.' });
  }
}

function expressRouter(): express.Router {
  return express.Router();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
