/**
 * The KPI dashboard at `GET /`, behind a login token (DASHBOARD_TOKEN, else API_TOKEN). Logging in
 * sets an HttpOnly cookie holding an HMAC of the token, so the token itself never sits in the browser
 * and changing it logs everyone out. `Authorization: Bearer <token>` works too (scripts, tests).
 *
 *   GET  /                      dashboard, or the login form
 *   POST /dashboard/login       form field `token`
 *   POST /dashboard/logout
 *   GET  /dashboard/data.json   ?since=30d&group=<slug>: report + missed targets
 *   GET  /dashboard/app.js      the page's script;  GET /dashboard/chart.js  Chart.js (node_modules)
 */
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Config } from '../../config.js';
import type { KpiStore } from '../../db/kpi-store.js';
import { AppError } from '../../errors.js';
import { tokenMatches } from '../../http/shared/bearer.js';
import { kpiQuerySchema } from '../../http/shared/kpi-query.js';
import { parseInput as parseQuery } from '../../http/shared/parse.js';
import type { KpiService } from '../../itsm/kpis/service.js';
import type { DirectoryStore } from '../../itsm/ports.js';
import type { Logger } from '../../log.js';
import { DASHBOARD_SCRIPT, dashboardPage, loginPage } from './page.js';

const DASHBOARD_COOKIE = 'chatdesk_dashboard';
const SESSION_SECONDS = 12 * 3600;
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'";

const loginBody = z.object({ token: z.string().min(1).max(500) });

/** Wrong tokens one client address may try per window before it must wait (guessing a 16+ character token). */
export const LOGIN_FAILURES_ALLOWED = 5;
const LOGIN_WINDOW_MS = 15 * 60_000;

/** Failed logins per client address, in memory: a restart forgets them, which costs a guesser nothing useful. */
function loginThrottle(now: () => number) {
  const failures = new Map<string, { count: number; until: number }>();
  return {
    blocked(ip: string): number | null {
      const f = failures.get(ip);
      if (!f || f.until <= now()) return null;
      return f.count >= LOGIN_FAILURES_ALLOWED ? Math.ceil((f.until - now()) / 1000) : null;
    },
    failed(ip: string): void {
      const f = failures.get(ip);
      if (!f || f.until <= now()) failures.set(ip, { count: 1, until: now() + LOGIN_WINDOW_MS });
      else f.count += 1;
      // Bounded: a flood of addresses cannot grow the map without limit.
      if (failures.size > 10_000) failures.delete(failures.keys().next().value as string);
    },
    succeeded(ip: string): void {
      failures.delete(ip);
    },
  };
}

let chartJs: Promise<string> | null = null;
/** Chart.js's UMD build, read once from node_modules (no CDN: the dashboard works offline). */
function chartJsSource(): Promise<string> {
  if (!chartJs) {
    const entry = createRequire(import.meta.url).resolve('chart.js');
    chartJs = readFile(join(dirname(entry), 'chart.umd.min.js'), 'utf8').catch((e: unknown) => {
      chartJs = null;
      throw e;
    });
  }
  return chartJs;
}

function cookieOf(req: Request, name: string): string | null {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

/** What the dashboard calls: the KPI report, nothing else. */
export interface DashboardDeps {
  config: Pick<Config, 'DASHBOARD_TOKEN' | 'API_TOKEN'>;
  kpis: Pick<KpiService, 'report' | 'breaches'>;
  /** The improvement register, for the manager's view. */
  kpiStore: Pick<KpiStore, 'improvementItems' | 'recordBreaches'>;
  directory: DirectoryStore;
  log: Logger;
  now: () => Date;
}

export function createDashboardRouter(app: DashboardDeps): Router {
  const router = express.Router();
  const token = (): string | null => app.config.DASHBOARD_TOKEN ?? app.config.API_TOKEN ?? null;
  const sessionOf = (t: string): string =>
    createHmac('sha256', t).update('chatdesk-dashboard-session-v1').digest('hex');

  const authed = (req: Request): boolean => {
    const t = token();
    if (!t) return false;
    const bearer = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1]?.trim();
    if (bearer) return tokenMatches(bearer, t);
    const c = cookieOf(req, DASHBOARD_COOKIE);
    return c !== null && tokenMatches(c, sessionOf(t));
  };

  const html = (res: Response, status: number, body: string) => {
    res
      .status(status)
      .set({
        'Content-Security-Policy': CSP,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      })
      .type('html')
      .send(body);
  };

  router.get('/', (req, res) => {
    if (authed(req)) html(res, 200, dashboardPage());
    else html(res, token() ? 200 : 503, loginPage(null, token() !== null));
  });

  const throttle = loginThrottle(() => app.now().getTime());
  router.post('/dashboard/login', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    const t = token();
    const ip = req.ip ?? 'unknown';
    const wait = throttle.blocked(ip);
    if (wait !== null) {
      app.log.warn('dashboard login throttled', { ip });
      res.set('Retry-After', String(wait));
      return html(
        res,
        429,
        loginPage(`Too many wrong tokens. Try again in ${Math.ceil(wait / 60)} minutes.`, true),
      );
    }
    const parsed = loginBody.safeParse(req.body);
    if (!t) return html(res, 503, loginPage(null, false));
    if (!parsed.success || !tokenMatches(parsed.data.token, t)) {
      throttle.failed(ip);
      app.log.warn('dashboard login refused', { ip });
      return html(res, 401, loginPage('Wrong token. Use the value of DASHBOARD_TOKEN (or API_TOKEN).', true));
    }
    throttle.succeeded(ip);
    res.cookie(DASHBOARD_COOKIE, sessionOf(t), {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/',
      maxAge: SESSION_SECONDS * 1000,
    });
    res.redirect(303, '/');
  });

  router.post('/dashboard/logout', (_req, res) => {
    res.clearCookie(DASHBOARD_COOKIE, { path: '/' });
    res.redirect(303, '/');
  });

  const requireAuth = (req: Request, _res: Response, next: NextFunction) =>
    authed(req)
      ? next()
      : next(
          new AppError(
            'unauthorized',
            'Log in to the dashboard first (POST /dashboard/login) or send Authorization: Bearer <DASHBOARD_TOKEN>.',
          ),
        );

  router.get('/dashboard/data.json', requireAuth, (req, res, next) => {
    (async () => {
      const q = parseQuery(kpiQuerySchema, req.query);
      const report = await app.kpis.report({
        since: q.since,
        group: q.group ?? null,
        ...(q.window === undefined ? {} : { deflectionWindowDays: q.window }),
      });
      // The manager's view of the improvement register: what is still being worked, and by whom.
      const items = await app.kpiStore.improvementItems({});
      const owners = new Map<number, string>();
      for (const id of new Set(items.flatMap((i) => (i.ownerId === null ? [] : [i.ownerId]))))
        owners.set(id, (await app.directory.personById(id))?.displayName ?? `#${id}`);
      const improvements = items
        .filter((i) => i.status === 'open' || i.status === 'in_progress')
        .map((i) => ({
          id: i.id,
          title: i.title,
          status: i.status,
          owner: i.ownerId === null ? null : (owners.get(i.ownerId) ?? null),
          openedAt: i.openedAt,
        }));
      const counts = Object.fromEntries(
        ['open', 'in_progress', 'done', 'dismissed'].map((s) => [
          s,
          items.filter((i) => i.status === s).length,
        ]),
      );
      res
        .set('Cache-Control', 'no-store')
        .json({ report, breaches: app.kpis.breaches(report), improvements: { counts, items: improvements } });
    })().catch(next);
  });

  router.get('/dashboard/app.js', (_req, res) => {
    res.type('application/javascript').set('Cache-Control', 'no-cache').send(DASHBOARD_SCRIPT);
  });

  router.get('/dashboard/chart.js', (_req, res, next) => {
    chartJsSource()
      .then((src) =>
        res.type('application/javascript').set('Cache-Control', 'public, max-age=86400').send(src),
      )
      .catch(next);
  });

  return router;
}
