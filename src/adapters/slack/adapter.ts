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
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ChannelAdapter } from '../types.js';
import { AckDiscipline } from './ack.js';
import type { SlackContext } from './context.js';
import { BotIdentity } from './identity.js';
import { registerListeners, type SlackRegistrations } from './listeners.js';
import { boltLogger, createWebClient, SlackPort, ThreadTracker, webClientOptions } from './port.js';
import { PromptExpressReceiver } from './receiver.js';
import { MESSAGE_CHANNEL_TYPE, SLACK_BOT_EVENTS, SLACK_EVENTS_PATH } from './registry.js';
import { malformedReason, SlackPayloadError } from './schemas.js';
import { DurableSocketModeReceiver } from './socket-mode.js';

/** Slack's own replay window, applied both ways. */
const SLACK_CLOCK_SKEW_SECONDS = 5 * 60;

interface SlackAdapterOptions {
  config: Config;
  engine: ConversationEngine;
  log: Logger;
  /** How long a listener may wait for the inbox before acknowledging anyway (default 2500 ms; Slack's limit is 3 s). */
  ackBudgetMs?: number;
  now?: () => Date;
}

export class SlackAdapter implements ChannelAdapter {
  readonly port: SlackPort;
  /** What was actually registered on Bolt (compared with the manifest by a test). */
  readonly registered: SlackRegistrations = { events: [], commands: [], shortcuts: [], actions: [] };
  readonly socketMode: boolean;
  private readonly app: App;
  private readonly receiver: ExpressReceiver | null;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly acks: AckDiscipline;
  private readonly identity: BotIdentity;
  private started = false;

  constructor(opts: SlackAdapterOptions) {
    const { config } = opts;
    if (!config.SLACK_BOT_TOKEN || !config.SLACK_SIGNING_SECRET) {
      throw new AppError('config_invalid', 'Slack needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN.', {
        field: 'SLACK_BOT_TOKEN',
      });
    }
    this.log = opts.log.child({ adapter: 'slack' });
    this.now = opts.now ?? (() => new Date());
    const client = createWebClient(config.SLACK_BOT_TOKEN, config.SLACK_API_URL, this.log);
    this.port = new SlackPort(client, this.log);
    this.acks = new AckDiscipline(this.log, opts.ackBudgetMs ?? 2500);
    this.identity = new BotIdentity(client, config.SLACK_BOT_TOKEN);
    // What every listener works with.
    const ctx: SlackContext = {
      config,
      engine: opts.engine,
      log: this.log,
      now: this.now,
      client,
      port: this.port,
      acks: this.acks,
      identity: this.identity,
      otherThreads: new ThreadTracker(),
      messageChannelTypes: new Set(
        SLACK_BOT_EVENTS.flatMap((e) => (MESSAGE_CHANNEL_TYPE[e] ? [MESSAGE_CHANNEL_TYPE[e]] : [])),
      ),
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
    registerListeners(this.app, ctx, this.registered);
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
}

function expressRouter(): express.Router {
  return express.Router();
}
