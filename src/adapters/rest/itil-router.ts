/**
 * REST endpoints of the ITIL engine (issue 7): approvals, problems and known errors, changes with risk
 * and CAB votes, the CMDB, the away flag and an on-demand SLA sweep. Same auth as the v1 router: bearer
 * API_TOKEN, acting as the API account or, with `X-On-Behalf-Of: <email>`, as that person. Each practice's
 * routes live in `itil/`; this router authenticates and mounts them.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { API_PERSON_EMAIL } from '../../http/shared/api-account.js';
import { tokenMatches } from '../../http/shared/bearer.js';
import type { ImprovementService } from '../../itsm/improvement.js';
import type { DirectoryStore } from '../../itsm/ports.js';
import type { Itil } from '../../itsm/practices.js';
import type { TicketService } from '../../itsm/tickets.js';
import type { Person } from '../../itsm/types.js';
import { addAssetRoutes } from './itil/assets.js';
import { addChangeRoutes } from './itil/changes.js';
import { addImprovementRoutes } from './itil/improvements.js';
import { addOperationRoutes } from './itil/operations.js';
import { addProblemRoutes } from './itil/problems.js';
import type { On } from './itil/route-kit.js';
import { addTicketItilRoutes } from './itil/tickets.js';

/** What the ITIL REST routes call: the services behind them, nothing else. */
export interface ItilRestDeps {
  config: Pick<Config, 'API_TOKEN'>;
  directory: DirectoryStore;
  tickets: TicketService;
  itil: Itil;
  improvements: ImprovementService;
  now: () => Date;
}

export function createItilRouter(app: ItilRestDeps): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));
  router.use(express.text({ type: ['text/csv', 'text/plain'], limit: '10mb' }));

  const actorOf = async (req: Request): Promise<Person> => {
    const expected = app.config.API_TOKEN;
    if (!expected)
      throw new AppError('unauthorized', 'The REST API is disabled: set API_TOKEN to enable it.');
    const m = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    if (!m?.[1] || !tokenMatches(m[1].trim(), expected))
      throw new AppError(
        'unauthorized',
        'Missing or wrong bearer token (Authorization: Bearer <API_TOKEN>).',
      );
    const onBehalf = req.get('x-on-behalf-of');
    const p = await app.directory.personByEmail(onBehalf ?? API_PERSON_EMAIL);
    if (!p)
      throw onBehalf
        ? new AppError('unknown_user', `X-On-Behalf-Of: no person with email ${onBehalf}.`, {
            field: 'X-On-Behalf-Of',
          })
        : new AppError('internal', 'The API service account is missing; restart chatdesk to recreate it.');
    return p;
  };

  const on: On = (method, path, h, status = 200) => {
    router[method](path, (req: Request, res: Response, next: NextFunction) => {
      actorOf(req)
        .then(async (actor) => {
          const body = await h(req, res, actor, app.now().toISOString());
          res.status(status).json(body);
        })
        .catch(next);
    });
  };

  addTicketItilRoutes(on, app);
  addProblemRoutes(on, app);
  addImprovementRoutes(on, app);
  addChangeRoutes(on, app);
  addAssetRoutes(on, app);
  addOperationRoutes(on, app);
  return router;
}
