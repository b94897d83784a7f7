/**
 * SCIM 2.0 service provider at /scim/v2 (RFC 7644): Users and Groups with create, get, replace,
 * patch, delete, `eq` filters and pagination, plus the discovery endpoints. Its own bearer token
 * (SCIM_TOKEN), compared in constant time; every error is a SCIM Error resource.
 */
import express, { type Router } from 'express';
import type { ProvisioningService } from '../../itsm/provisioning.js';
import type { Logger } from '../../log.js';
import { tokenMatches } from '../shared/bearer.js';
import { resourceTypes, schemas, serviceProviderConfig } from './discovery.js';
import { scimErrorHandler } from './error-handler.js';
import { mountGroupRoutes } from './group-routes.js';
import { listResponse, ScimError } from './protocol.js';
import { baseOf, send } from './request.js';
import { mountUserRoutes } from './user-routes.js';

interface ScimDeps {
  /** SCIM_TOKEN; unset: every request is refused. */
  token: string | undefined;
  provisioning: ProvisioningService;
  now: () => Date;
  log: Logger;
}

export function createScimRouter(deps: ScimDeps): Router {
  const router = express.Router();
  const ctx = { svc: deps.provisioning, nowIso: () => deps.now().toISOString(), log: deps.log };

  router.use((req, _res, next) => {
    if (!deps.token)
      return next(new ScimError(401, 'SCIM provisioning is disabled: set SCIM_TOKEN to enable it.'));
    const m = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    if (!m?.[1] || !tokenMatches(m[1].trim(), deps.token))
      return next(new ScimError(401, 'Missing or wrong bearer token (Authorization: Bearer <SCIM_TOKEN>).'));
    next();
  });
  router.use(express.json({ limit: '2mb', type: ['application/json', 'application/scim+json'] }));

  router.get('/ServiceProviderConfig', (req, res) => send(res, 200, serviceProviderConfig(baseOf(req))));
  router.get('/ResourceTypes', (req, res) => {
    const list = resourceTypes(baseOf(req));
    send(res, 200, listResponse(list, list.length, 1));
  });
  router.get('/ResourceTypes/:id', (req, res, next) => {
    const t = resourceTypes(baseOf(req)).find((r) => r.id === req.params.id);
    if (!t) return next(new ScimError(404, `No resource type ${req.params.id}.`));
    send(res, 200, t);
  });
  router.get('/Schemas', (req, res) => {
    const list = schemas(baseOf(req));
    send(res, 200, listResponse(list, list.length, 1));
  });
  router.get('/Schemas/:id', (req, res, next) => {
    const sch = schemas(baseOf(req)).find((x) => x.id === req.params.id);
    if (!sch) return next(new ScimError(404, `No schema ${req.params.id}.`));
    send(res, 200, sch);
  });

  mountUserRoutes(router, ctx);
  mountGroupRoutes(router, ctx);

  router.use((req, _res, next) => next(new ScimError(404, `No SCIM endpoint ${req.method} ${req.path}.`)));

  router.use(scimErrorHandler(deps.log));

  return router;
}
