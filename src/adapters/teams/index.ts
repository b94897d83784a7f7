/**
 * Microsoft Teams over the Bot Framework protocol. Every `botbuilder` import lives in this folder so
 * that moving to its successor (`@microsoft/agents-hosting`) touches nothing else.
 */
import type { Activity } from 'botbuilder';
import express, { type Express, type Request, type Response } from 'express';
import type { ConversationEngine } from '../../chat/adapter-api.js';
import { type Config, isLoopbackHost } from '../../config.js';
import type { Logger } from '../../log.js';
import type { ChannelAdapter } from '../types.js';
import { parseActivity, tenantOf } from './activity.js';
import { createBotAuth } from './auth.js';
import { createTeamsPort } from './port.js';
import { isAllowedServiceUrl, type ServiceUrlPolicy } from './service-urls.js';
import { cachedVerification } from './token-cache.js';
import { createTurnHandler } from './turn.js';

const TEAMS_MESSAGES_PATH = '/api/messages';

export function createTeamsAdapter(opts: {
  config: Config;
  engine: ConversationEngine;
  log: Logger;
  now?: () => Date;
}): ChannelAdapter {
  const { config, engine } = opts;
  const log = opts.log.child({ adapter: 'teams' });
  const now = opts.now ?? (() => new Date());
  const bot = createBotAuth(config);
  const policy: ServiceUrlPolicy = {
    extraPrefixes: config.TEAMS_ALLOWED_SERVICE_URLS ?? [],
    allowLoopback: bot.anonymous,
    loopbackOnly: bot.anonymous,
  };
  if (bot.anonymous)
    log.warn(
      'Teams runs in emulator mode (TEAMS_EMULATOR): Bot Framework tokens are not checked; only this machine may post activities, with a loopback serviceUrl',
    );

  // The bot's own account (`28:<app id>`) as Teams addresses it; proactive messages must come from it.
  const botAccounts = new Map<string, { id: string; name: string }>();
  const port = createTeamsPort({
    adapter: bot.adapter,
    appId: bot.appId,
    oauthScope: bot.oauthScope,
    policy,
    log,
    botAccount: (tenant) => botAccounts.get(tenant ?? '') ?? botAccounts.get('') ?? null,
  });
  const turns = createTurnHandler({ engine, log, now });
  const authenticate = cachedVerification((activity: Activity, header: string) =>
    bot.auth.authenticateRequest(activity, header),
  );

  let stopping = false;
  let inFlight = 0;
  let idle: (() => void) | null = null;

  const fail = (res: Response, status: number, code: string, message: string): void => {
    res.status(status).json({ error: { code, message } });
  };

  const handle = async (req: Request, res: Response): Promise<void> => {
    if (stopping) return fail(res, 503, 'unavailable', 'Shutting down; Teams will retry.');
    if (bot.anonymous && !isLoopbackHost(req.socket.remoteAddress ?? '')) {
      // Without tokens anyone could claim any from.id; the emulator mode serves this machine only.
      log.warn('teams request refused: emulator mode serves loopback clients only', {
        remote: req.socket.remoteAddress,
      });
      return fail(
        res,
        403,
        'forbidden',
        'Teams emulator mode (TEAMS_EMULATOR) accepts requests from this machine only.',
      );
    }
    const parsed = parseActivity(req.body);
    if (!parsed.ok) return fail(res, 400, 'validation_failed', parsed.error);
    const activity = parsed.value;
    if ((activity.type === 'message' || activity.type === 'invoke') && !activity.id) {
      return fail(
        res,
        400,
        'validation_failed',
        'Invalid activity: id: required on message and invoke activities (it is the dedupe key)',
      );
    }
    // Our zod schema checked the fields we use; the SDK wants its own Activity type for the rest.
    const sdkActivity = req.body as Activity;
    if (!bot.anonymous && !hasExpiry(req.get('authorization') ?? '')) {
      // The SDK accepts a validly signed token that never expires; one leaked token must not be forever.
      log.warn('teams request refused: Bot Framework token without exp');
      return fail(res, 401, 'unauthorized', 'Missing or invalid Bot Framework token (no expiry).');
    }
    let authResult: Awaited<ReturnType<typeof bot.auth.authenticateRequest>>;
    try {
      authResult = await authenticate(sdkActivity, req.get('authorization') ?? '');
    } catch (err) {
      if (isKeyFetchFailure(err)) {
        // Our side cannot reach the signing keys: not the caller's fault, and Teams retries a 503.
        log.error('teams could not load Bot Framework signing keys', { error: err });
        return fail(res, 503, 'unavailable', 'Cannot validate the token right now; try again.');
      }
      log.warn('teams request refused: bad or missing Bot Framework token', { error: err });
      return fail(res, 401, 'unauthorized', 'Missing or invalid Bot Framework token.');
    }
    if (!isAllowedServiceUrl(activity.serviceUrl, policy)) {
      log.warn('teams request refused: service URL not allowed', { serviceUrl: activity.serviceUrl });
      return fail(
        res,
        403,
        'forbidden',
        'serviceUrl is not an allowed Bot Connector URL (TEAMS_ALLOWED_SERVICE_URLS).',
      );
    }
    if (!bot.anonymous && activity.channelId !== 'msteams') {
      // The Azure Bot may have other channels (Web Chat, Direct Line) switched on; this adapter speaks Teams only.
      log.warn('teams request refused: not a Teams activity', { channelId: activity.channelId });
      return fail(
        res,
        403,
        'forbidden',
        `Channel "${activity.channelId}" is not served; only Microsoft Teams (msteams).`,
      );
    }
    const tenant = tenantOf(activity);
    if (
      config.MICROSOFT_APP_TYPE === 'SingleTenant' &&
      config.MICROSOFT_APP_TENANT_ID &&
      tenant &&
      tenant !== config.MICROSOFT_APP_TENANT_ID
    ) {
      // A single-tenant desk serves its own organisation only, even if another tenant side-loads the app.
      log.warn('teams request refused: foreign tenant', { tenant });
      return fail(res, 403, 'forbidden', 'This bot serves another Microsoft 365 tenant.');
    }
    botAccounts.set(tenant ?? '', {
      id: activity.recipient.id,
      name: activity.recipient.name ?? '',
    });
    botAccounts.set('', { id: activity.recipient.id, name: activity.recipient.name ?? '' });
    if (await turns.plainMessage(activity)) {
      res.status(200).end();
      return;
    }
    const invoke = await bot.adapter.runTurn(authResult, sdkActivity, (ctx) => turns.turn(ctx, activity));
    if (invoke?.body !== undefined) res.status(invoke.status).json(invoke.body);
    else res.status(invoke?.status ?? 200).end();
  };

  return {
    port,
    mount(app: Express): void {
      app.post(TEAMS_MESSAGES_PATH, express.json({ limit: '1mb' }), (req, res) => {
        inFlight += 1;
        handle(req, res)
          .catch((err: unknown) => {
            log.error('teams turn failed', { error: err });
            // 500 makes Teams redeliver; the inbox dedupes on the activity id.
            if (!res.headersSent) fail(res, 500, 'internal', 'The bot could not process this activity.');
          })
          .finally(() => {
            inFlight -= 1;
            if (inFlight === 0 && idle) idle();
          });
      });
      // Body-parser failures (bad JSON, too large) as JSON errors like every other refusal here.
      app.use(
        TEAMS_MESSAGES_PATH,
        (err: unknown, _req: Request, res: Response, next: (e?: unknown) => void) => {
          const e = err as { status?: unknown; type?: unknown };
          if (res.headersSent || typeof e.status !== 'number') return next(err);
          const tooLarge = e.type === 'entity.too.large';
          fail(
            res,
            e.status,
            tooLarge ? 'too_large' : 'validation_failed',
            tooLarge ? 'Activity larger than 1 MB.' : 'Body is not valid JSON.',
          );
        },
      );
    },
    async start(): Promise<void> {
      stopping = false;
    },
    async stop(): Promise<void> {
      stopping = true;
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          idle = resolve;
        });
      }
      idle = null;
    },
  };
}

/** The SDK reports unreachable OpenID metadata as a 500 AuthenticationError, or lets node-fetch's error through. */
function isKeyFetchFailure(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { statusCode?: unknown; name?: unknown };
  return e.statusCode === 500 || e.name === 'FetchError';
}

/** True when the bearer JWT's payload carries a numeric `exp` (the signature is checked by the SDK next). */
function hasExpiry(header: string): boolean {
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  const payload = token?.split('.')[1];
  if (!payload || payload.length > 16_384) return false;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp);
  } catch {
    return false;
  }
}
