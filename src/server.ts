/**
 * The HTTP surface: adapters mount their own routes first (Slack needs the raw body for its
 * signature), then health, REST and the local web chat. One structured log line per request.
 */
import { createServer, type Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createDashboardRouter, type DashboardDeps } from './adapters/dashboard/router.js';
import { createLocalPort, type LocalPort } from './adapters/local/local-port.js';
import { createWebChatRouter } from './adapters/local/web-chat.js';
import { createWebChatAgentsRouter } from './adapters/local/web-chat-agents.js';
import { createDeadLettersRouter, type DeadLetterDeps } from './adapters/rest/dead-letters-router.js';
import { createItilRouter, type ItilRestDeps } from './adapters/rest/itil-router.js';
import { createKpiRouter, createMetricsRouter, type KpiRestDeps } from './adapters/rest/kpi-router.js';
import { createRestRouter, type RestDeps } from './adapters/rest/router.js';
import type { ChannelAdapter } from './adapters/types.js';
import type { Engine } from './chat/conversation-engine.js';
import { type Config, webChatMode } from './config.js';
import type { AttachmentStore } from './db/attachment-store.js';
import type { DeliveryStore } from './db/delivery-store.js';
import type { WebLoginStore } from './db/web-login-store.js';
import { AppError, httpStatusOf, isAppError } from './errors.js';
import { createAlertRouter } from './http/alerts/router.js';
import { createAttachmentRouter } from './http/attachments/router.js';
import { createScimRouter } from './http/scim/router.js';
import { API_PERSON_EMAIL } from './http/shared/api-account.js';
import { createWebhookRouter } from './http/webhooks/router.js';
import type { AlertIntake } from './itsm/alerts.js';
import type { ProvisioningService } from './itsm/provisioning.js';
import type { DeliveryWorker } from './jobs/deliveries.js';
import type { Logger } from './log.js';
import type { ChatdeskMetrics } from './observability/metrics.js';

/** Requests logged at debug when they succeed: the web chat's poll, health checks, metric scrapes. */
const ROUTINE_PATHS = new Set(['/chat/api/messages', '/healthz', '/metrics', '/favicon.ico']);

/**
 * What the HTTP surfaces call: the services behind them, nothing else (no database handle). The
 * composition root (app.ts) builds it; every router takes its own slice.
 */
export interface HttpDeps extends RestDeps, ItilRestDeps, KpiRestDeps, DeadLetterDeps, DashboardDeps {
  config: Pick<
    Config,
    | 'API_TOKEN'
    | 'DATA_DIR'
    | 'REQUESTER_PRIORITY_CEILING'
    | 'SCIM_TOKEN'
    | 'ALERTMANAGER_TOKEN'
    | 'ATTACHMENTS_DIR'
    | 'DASHBOARD_TOKEN'
    | 'TRUST_PROXY'
    | 'WEB_CHAT'
    | 'WEB_CHAT_DEMO_REMOTE'
    | 'NODE_ENV'
    | 'HOST'
    | 'PUBLIC_URL'
  >;
  /** Per-person web chat login links (production web chat). */
  webLogins: WebLoginStore;
  engine: Engine;
  kpis: KpiRestDeps['kpis'];
  /** Whether the database answers, for /healthz. */
  health: () => Promise<{ ok: boolean; dialect: string }>;
  provisioning: ProvisioningService;
  alerts: Pick<AlertIntake, 'receive'>;
  deliveryStore: DeliveryStore;
  deliveries: Pick<DeliveryWorker, 'kick'>;
  attachmentStore: AttachmentStore;
  metrics: ChatdeskMetrics;
  /** Delivers due replies now (the web chat's poll). */
  flushOutbox: () => Promise<void>;
}

export function createHttpServer(deps: { app: HttpDeps; adapters: ChannelAdapter[]; log: Logger }): {
  server: Server;
  webPort: LocalPort;
} {
  const { app, log } = deps;
  const web = express();
  web.disable('x-powered-by');
  // Only a proxy the operator declares may speak for the client (address, https): SECURITY.md.
  web.set('trust proxy', app.config.TRUST_PROXY);

  web.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // Polls and probes (the web chat every 3 s, health checks, metric scrapes) would drown the log.
      const routine = req.method === 'GET' && res.statusCode < 400 && ROUTINE_PATHS.has(req.path);
      log[routine ? 'debug' : 'info']('request', {
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms: Math.round(ms * 10) / 10,
      });
    });
    next();
  });

  for (const a of deps.adapters) a.mount(web);

  web.get('/healthz', async (_req, res) => {
    const { ok, dialect } = await app.health();
    res.status(ok ? 200 : 503).json({ ok, db: ok ? 'ok' : 'unreachable', dialect });
  });

  web.use(
    '/scim/v2',
    createScimRouter({
      token: app.config.SCIM_TOKEN,
      provisioning: app.provisioning,
      now: app.now,
      log: log.child({ component: 'scim' }),
    }),
  );
  web.use(
    createAlertRouter({
      token: app.config.ALERTMANAGER_TOKEN,
      receive: (payload, at) => app.alerts.receive(payload, at),
      now: app.now,
      log: log.child({ component: 'alerts' }),
    }),
  );
  web.use(createMetricsRouter(app));
  web.use('/api/v1/kpis', createKpiRouter(app));
  web.use(
    '/api/v1',
    createWebhookRouter({
      apiToken: app.config.API_TOKEN,
      apiAccount: () => app.directory.personByEmail(API_PERSON_EMAIL),
      personByEmail: (email) => app.directory.personByEmail(email),
      store: app.deliveryStore,
      now: app.now,
      kick: () => app.deliveries.kick(),
    }),
  );
  web.use(
    '/api/v1',
    createAttachmentRouter({
      apiToken: app.config.API_TOKEN,
      apiAccount: () => app.directory.personByEmail(API_PERSON_EMAIL),
      personByEmail: (email) => app.directory.personByEmail(email),
      ticket: (number, viewer) => app.tickets.get(number, viewer),
      store: app.attachmentStore,
      dir: app.config.ATTACHMENTS_DIR,
    }),
  );
  web.use('/api/v1/dead-letters', createDeadLettersRouter(app));
  web.use('/api/v1', createRestRouter(app));
  web.use('/api/v1', createItilRouter(app));

  const webPort = createLocalPort('web');
  const webChat = webChatMode(app.config);
  if (webChat !== 'off')
    web.use(
      createWebChatRouter({
        engine: app.engine,
        port: webPort,
        directory: app.directory,
        now: app.now,
        flush: () => app.flushOutbox(),
        mode: webChat,
        logins: app.webLogins,
        allowRemote: app.config.WEB_CHAT_DEMO_REMOTE,
        hostNames: [
          app.config.HOST,
          ...(app.config.PUBLIC_URL ? [new URL(app.config.PUBLIC_URL).hostname] : []),
        ],
      }),
    );

  // The agent side of the web chat: groups' triage channels in development mode (issue 18).
  web.use(
    createWebChatAgentsRouter({
      engine: app.engine,
      port: webPort,
      directory: app.directory,
      now: app.now,
      flush: () => app.flushOutbox(),
    }),
  );

  web.use(createDashboardRouter(app));

  // Browsers ask for it on every page; no icon, and no 404 in the log.
  web.get('/favicon.ico', (_req, res) => {
    res.status(204).set('Cache-Control', 'public, max-age=86400').end();
  });

  web.use((_req, _res, next) =>
    next(new AppError('not_found', 'No such endpoint. See the README for the HTTP interface.')),
  );

  web.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    let e: AppError;
    if (isAppError(err)) e = err;
    else if (isBodyParserError(err))
      e = new AppError(
        err.status === 413 ? 'too_large' : 'validation_failed',
        err.status === 413
          ? 'The request body is too large.'
          : `The request body is not valid JSON: ${err.message}`,
      );
    else {
      log.error('unhandled request error', { error: err });
      e = new AppError('internal', 'Internal error; the details are in the server log.');
    }
    if (res.headersSent) return;
    res
      .status(httpStatusOf(e))
      .json({ error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } });
  });

  return { server: createServer(web), webPort };
}

function isBodyParserError(e: unknown): e is { status: number; message: string; type: string } {
  return (
    typeof e === 'object' &&
    e !== null &&
    'type' in e &&
    'status' in e &&
    typeof (e as { status: unknown }).status === 'number'
  );
}
