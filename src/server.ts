/**
 * The HTTP surface: adapters mount their own routes first (Slack needs the raw body for its
 * signature), then health, REST and the local web chat. One structured log line per request.
 */
import { createServer, type Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createDashboardRouter } from './adapters/dashboard/router.js';
import { createLocalPort, type LocalPort } from './adapters/local/local-port.js';
import { createWebChatRouter } from './adapters/local/web-chat.js';
import { createWebChatAgentsRouter } from './adapters/local/web-chat-agents.js';
import { createDeadLettersRouter } from './adapters/rest/dead-letters-router.js';
import { createItilRouter } from './adapters/rest/itil-router.js';
import { createKpiRouter, createMetricsRouter } from './adapters/rest/kpi-router.js';
import { API_PERSON_EMAIL, createRestRouter } from './adapters/rest/router.js';
import type { ChannelAdapter } from './adapters/types.js';
import type { App } from './app.js';
import { createAttachmentStore } from './db/attachment-store.js';
import { pingDatabase } from './db/connect.js';
import { AppError, httpStatusOf, isAppError } from './errors.js';
import { createAlertRouter } from './http/alerts/router.js';
import { createAttachmentRouter } from './http/attachments/router.js';
import { createScimRouter } from './http/scim/router.js';
import { createWebhookRouter } from './http/webhooks/router.js';
import type { Logger } from './log.js';

/** Requests logged at debug when they succeed: the web chat's poll, health checks, metric scrapes. */
const ROUTINE_PATHS = new Set(['/chat/api/messages', '/healthz', '/metrics', '/favicon.ico']);

export function createHttpServer(deps: { app: App; adapters: ChannelAdapter[]; log: Logger }): {
  server: Server;
  webPort: LocalPort;
} {
  const { app, log } = deps;
  const web = express();
  web.disable('x-powered-by');
  web.set('trust proxy', false);

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
    const db = await pingDatabase(app.db);
    res.status(db ? 200 : 503).json({ ok: db, db: db ? 'ok' : 'unreachable', dialect: app.database.dialect });
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
      store: createAttachmentStore(app.db),
      dir: app.config.ATTACHMENTS_DIR,
    }),
  );
  web.use('/api/v1/dead-letters', createDeadLettersRouter(app));
  web.use('/api/v1', createRestRouter(app));
  web.use('/api/v1', createItilRouter(app));

  const webPort = createLocalPort('web');
  web.use(
    createWebChatRouter({
      engine: app.engine,
      port: webPort,
      directory: app.directory,
      now: app.now,
      flush: () => app.outbox.flush(),
    }),
  );

  // The agent side of the web chat: groups' triage channels in development mode (issue 18).
  web.use(
    createWebChatAgentsRouter({
      engine: app.engine,
      port: webPort,
      directory: app.directory,
      now: app.now,
      flush: () => app.outbox.flush(),
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
