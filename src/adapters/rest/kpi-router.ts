/**
 * KPI endpoints of REST v1 (bearer API_TOKEN, like the rest of /api/v1) and the Prometheus scrape
 * endpoint `GET /metrics` (unauthenticated, as scrapers expect; it exposes counts only).
 *
 *   GET  /api/v1/kpis?since=30d&group=<slug>&window=3&format=json|csv   the KPI report (+ missed targets)
 *   GET  /api/v1/kpis/summary?since=30d&group=<slug>                     the manager summary text
 *   GET  /api/v1/kpis/improvements?status=open                          the CSI register
 *   POST /api/v1/kpis/improvements/evaluate?since=30d                   record missed targets as items
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Config } from '../../config.js';
import type { KpiStore } from '../../db/kpi-store.js';
import { AppError } from '../../errors.js';
import { tokenMatches } from '../../http/shared/bearer.js';
import { kpiQuerySchema } from '../../http/shared/kpi-query.js';
import { parseInput as parseQuery } from '../../http/shared/parse.js';
import { canSeeDeskReports } from '../../itsm/authorization.js';
import { formatReportCsv } from '../../itsm/kpis/format.js';
import type { KpiService } from '../../itsm/kpis/service.js';
import type { DirectoryStore } from '../../itsm/ports.js';
import type { ChatdeskMetrics } from '../../observability/metrics.js';
import { PROMETHEUS_CONTENT_TYPE } from '../../observability/metrics.js';

const itemsQuery = z.object({ status: z.enum(['open', 'in_progress', 'done', 'dismissed']).optional() });

/** What the KPI routes call: the KPI service and the improvement register, nothing else. */
export interface KpiRestDeps {
  config: Pick<Config, 'API_TOKEN'>;
  kpis: Pick<KpiService, 'report' | 'breaches' | 'summary'>;
  kpiStore: Pick<KpiStore, 'improvementItems' | 'recordBreaches'>;
  directory: DirectoryStore;
}

/** `passOn`: a check that calls next() when it passes, instead of answering. */
const wrap =
  (h: (req: Request, res: Response) => Promise<void>, passOn = false) =>
  (req: Request, res: Response, next: NextFunction): void => {
    h(req, res).then(() => passOn && next(), next);
  };

/** Mounted at /api/v1/kpis, before the general REST router. */
export function createKpiRouter(app: KpiRestDeps): Router {
  const router = express.Router();
  router.use((req, _res, next) => {
    const expected = app.config.API_TOKEN;
    if (!expected)
      return next(new AppError('unauthorized', 'The REST API is disabled: set API_TOKEN to enable it.'));
    const m = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    if (!m?.[1] || !tokenMatches(m[1].trim(), expected))
      return next(
        new AppError('unauthorized', 'Missing or wrong bearer token (Authorization: Bearer <API_TOKEN>).'),
      );
    next();
  });
  // X-On-Behalf-Of acts as that person, as on every /api/v1 route: desk reports are for the desk only.
  router.use(
    wrap(async (req) => {
      const onBehalf = req.get('x-on-behalf-of');
      if (!onBehalf) return;
      const person = await app.directory.personByEmail(onBehalf);
      if (!person)
        throw new AppError('unknown_user', `X-On-Behalf-Of: no person with email ${onBehalf}.`, {
          field: 'X-On-Behalf-Of',
        });
      if (!canSeeDeskReports(person))
        throw new AppError('forbidden', 'Desk reports are for service desk managers and agents.');
    }, true),
  );

  router.get(
    '/',
    wrap(async (req, res) => {
      const q = parseQuery(kpiQuerySchema, req.query);
      const report = await app.kpis.report({
        since: q.since,
        group: q.group ?? null,
        ...(q.window === undefined ? {} : { deflectionWindowDays: q.window }),
      });
      if (q.format === 'csv') {
        res.type('text/csv').send(`${formatReportCsv(report)}\n`);
        return;
      }
      res.json({ report, breaches: app.kpis.breaches(report) });
    }),
  );

  router.get(
    '/summary',
    wrap(async (req, res) => {
      const q = parseQuery(kpiQuerySchema, req.query);
      res.json({ text: await app.kpis.summary({ since: q.since, group: q.group ?? null }) });
    }),
  );

  router.get(
    '/improvements',
    wrap(async (req, res) => {
      const q = parseQuery(itemsQuery, req.query);
      res.json({ items: await app.kpiStore.improvementItems(q.status ? { status: q.status } : {}) });
    }),
  );

  router.post(
    '/improvements/evaluate',
    wrap(async (req, res) => {
      const q = parseQuery(kpiQuerySchema, req.query);
      const report = await app.kpis.report({ since: q.since, group: q.group ?? null });
      const breaches = app.kpis.breaches(report);
      const result = await app.kpiStore.recordBreaches(breaches, report.generatedAt, {
        knowledgeGaps: report.knowledgeGaps.slice(0, 5),
      });
      res.json({ ...result, breaches, items: await app.kpiStore.improvementItems({ status: 'open' }) });
    }),
  );

  return router;
}

export function createMetricsRouter(app: { metrics: ChatdeskMetrics }): Router {
  const router = express.Router();
  router.get(
    '/metrics',
    wrap(async (_req, res) => {
      const text = await app.metrics.registry.render();
      // res.send would rewrite the parameters' order; some scrapers match the exposition type exactly.
      res.status(200).setHeader('Content-Type', PROMETHEUS_CONTENT_TYPE);
      res.end(text);
    }),
  );
  return router;
}
