/**
 * POST /hooks/alertmanager: Prometheus Alertmanager's webhook receiver (`webhook_configs` with
 * `http_config.authorization.credentials: <ALERTMANAGER_TOKEN>`). Its own bearer token; the body is
 * validated with zod and a bad one is refused with the field named (Alertmanager logs the answer).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { AppError, formatIssues } from '../../errors.js';
import { type AlertmanagerPayload, type AlertOutcome, alertmanagerPayloadSchema } from '../../itsm/alerts.js';
import type { Logger } from '../../log.js';
import { bearerOf, tokenMatches } from '../shared/bearer.js';

interface AlertRouterDeps {
  token: string | undefined;
  receive: (payload: AlertmanagerPayload, now: string) => Promise<AlertOutcome>;
  now: () => Date;
  log: Logger;
}

export function createAlertRouter(deps: AlertRouterDeps): Router {
  const router = express.Router();
  router.post(
    '/hooks/alertmanager',
    (req: Request, _res: Response, next: NextFunction) => {
      if (!deps.token)
        return next(
          new AppError('unauthorized', 'Alert intake is disabled: set ALERTMANAGER_TOKEN to enable it.'),
        );
      const token = bearerOf(req.get('authorization'));
      if (!token || !tokenMatches(token, deps.token))
        return next(
          new AppError(
            'unauthorized',
            'Missing or wrong bearer token (Authorization: Bearer <ALERTMANAGER_TOKEN>).',
          ),
        );
      next();
    },
    express.json({ limit: '5mb' }),
    (req: Request, res: Response, next: NextFunction) => {
      const parsed = alertmanagerPayloadSchema.safeParse(req.body);
      if (!parsed.success) {
        next(
          new AppError('validation_failed', formatIssues(parsed.error.issues), {
            field: parsed.error.issues[0]?.path.map(String).join('.') ?? '',
          }),
        );
        return;
      }
      deps
        .receive(parsed.data, deps.now().toISOString())
        .then((outcome) => {
          deps.log.info('alertmanager notification', { status: parsed.data.status, ...outcome });
          res.json({ ok: true, ...outcome });
        })
        .catch(next);
    },
  );
  return router;
}
