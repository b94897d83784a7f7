/**
 * REST API v1 (DESIGN §8). Bearer token auth; the caller acts as the API service account (full
 * rights) or, with `X-On-Behalf-Of: <email>`, as that person with exactly their rights, so
 * integrations that serve employees cannot show them other people's tickets. This router authenticates
 * and mounts the route modules: tickets, ticket updates, the agents' desk, corrections.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { API_PERSON_EMAIL } from '../../http/shared/api-account.js';
import { tokenMatches } from '../../http/shared/bearer.js';
import type { Person } from '../../itsm/types.js';
import { type AgentRestDeps, addAgentRoutes } from './agent-router.js';
import { addCorrectionRoutes } from './correction-routes.js';
import { addTicketRoutes, type TicketRestDeps } from './ticket-routes.js';
import { addTicketUpdateRoutes, type TicketUpdateRestDeps } from './ticket-update-routes.js';
import type { Route } from './v1-route.js';

/** What the REST API calls: the services behind it, nothing else. */
export interface RestDeps extends AgentRestDeps, TicketRestDeps, TicketUpdateRestDeps {
  config: Pick<Config, 'API_TOKEN' | 'DATA_DIR' | 'REQUESTER_PRIORITY_CEILING'>;
}

export function createRestRouter(app: RestDeps): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));

  router.use((req: Request, _res: Response, next: NextFunction) => {
    const expected = app.config.API_TOKEN;
    if (!expected)
      return next(new AppError('unauthorized', 'The REST API is disabled: set API_TOKEN to enable it.'));
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m?.[1] || !tokenMatches(m[1].trim(), expected))
      return next(
        new AppError('unauthorized', 'Missing or wrong bearer token (Authorization: Bearer <API_TOKEN>).'),
      );
    next();
  });

  const actorOf = async (req: Request): Promise<Person> => {
    const onBehalf = req.get('x-on-behalf-of');
    if (onBehalf) {
      const p = await app.directory.personByEmail(onBehalf);
      if (!p)
        throw new AppError('unknown_user', `X-On-Behalf-Of: no person with email ${onBehalf}.`, {
          field: 'X-On-Behalf-Of',
        });
      return p;
    }
    const api = await app.directory.personByEmail(API_PERSON_EMAIL);
    if (!api)
      throw new AppError('internal', 'The API service account is missing; restart chatdesk to recreate it.');
    return api;
  };

  const route: Route = (h) => (req, res, next) => {
    actorOf(req)
      .then((actor) => h(req, res, actor))
      .catch(next);
  };

  addTicketRoutes(router, app, route);
  addTicketUpdateRoutes(router, app, route);
  addAgentRoutes(router, app, route);
  addCorrectionRoutes(router, app, route);
  return router;
}
