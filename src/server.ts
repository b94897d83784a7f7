/**
 * The HTTP surface: adapters mount their own routes first (Slack needs the raw body for its
 * signature), then health, REST and the local web chat. One structured log line per request.
 */
import { createServer, type Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createDashboardRouter } from './adapters/dashboard/router.js';
import { createLocalPort, type LocalPort } from './adapters/local/local-port.js';
import { createWebChatRouter } from './adapters/local/web-chat.js';
import { createDeadLettersRouter } from './adapters/rest/dead-letters-router.js';
import { createItilRouter } from './adapters/rest/itil-router.js';
import { createKpiRouter, createMetricsRouter } from './adapters/rest/kpi-router.js';
import { createRestRouter } from './adapters/rest/router.js';
import type { ChannelAdapter } from './adapters/types.js';
import type { App } from './app.js';
import { pingDatabase } from './db/connect.js';
import { AppError, httpStatusOf, isAppError } from './errors.js';
import type { Logger } from './log.js';

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
      log.info('request', {
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

  web.use(createMetricsRouter(app));
  web.use('/api/v1/kpis', createKpiRouter(app));
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

  web.use(createDashboardRouter(app));

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
