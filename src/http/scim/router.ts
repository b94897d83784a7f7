/**
 * SCIM 2.0 service provider at /scim/v2 (RFC 7644): Users and Groups with create, get, replace,
 * patch, delete, `eq` filters and pagination, plus the discovery endpoints. Its own bearer token
 * (SCIM_TOKEN), compared in constant time; every error is a SCIM Error resource.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { z } from 'zod';
import { isAppError } from '../../errors.js';
import type { ProvisioningService, UserInput } from '../../itsm/provisioning.js';
import type { Logger } from '../../log.js';
import { tokenMatches } from '../shared/bearer.js';
import { MAX_PAGE, resourceTypes, schemas, serviceProviderConfig } from './discovery.js';
import { parseFilter } from './filter.js';
import { applyUserPatch, groupChangeOf } from './patch.js';
import {
  attributesOf,
  displayNameOf,
  emailOf,
  errorBody,
  idOf,
  listResponse,
  managerValueOf,
  patchSchema,
  SCIM_CONTENT_TYPE,
  ScimError,
  scimGroupSchema,
  scimUserSchema,
  toScimError,
  toScimGroup,
  toScimUser,
} from './protocol.js';

export interface ScimDeps {
  /** SCIM_TOKEN; unset: every request is refused. */
  token: string | undefined;
  provisioning: ProvisioningService;
  now: () => Date;
  log: Logger;
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    const i = r.error.issues[0];
    const field = i && i.path.length > 0 ? i.path.map(String).join('.') : '(body)';
    throw new ScimError(400, `${field}: ${i?.message ?? 'invalid'}`, 'invalidValue');
  }
  return r.data;
}

function send(res: Response, status: number, body: unknown): void {
  res.status(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

export function createScimRouter(deps: ScimDeps): Router {
  const router = express.Router();
  const { provisioning: svc } = deps;
  const nowIso = () => deps.now().toISOString();
  const baseOf = (req: Request) => `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;

  router.use((req, _res, next) => {
    if (!deps.token)
      return next(new ScimError(401, 'SCIM provisioning is disabled: set SCIM_TOKEN to enable it.'));
    const m = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    if (!m?.[1] || !tokenMatches(m[1].trim(), deps.token))
      return next(new ScimError(401, 'Missing or wrong bearer token (Authorization: Bearer <SCIM_TOKEN>).'));
    next();
  });
  router.use(express.json({ limit: '2mb', type: ['application/json', 'application/scim+json'] }));

  type Handler = (req: Request, res: Response) => Promise<void>;
  const route =
    (h: Handler) =>
    (req: Request, res: Response, next: NextFunction): void => {
      h(req, res).catch(next);
    };

  /** Resolves the enterprise manager: our id, or (for hand-written mappings) the manager's email. */
  async function managerIdOf(value: string | null): Promise<number | null> {
    if (value === null) return null;
    const filter = /^\d+$/.test(value)
      ? ({ attribute: 'id', value } as const)
      : ({ attribute: value.includes('@') ? 'email' : 'externalId', value } as const);
    const found = await svc.listUsers(filter, 0, 1);
    // An identity provider may send the manager before provisioning them: the link is made later.
    return found.items[0]?.id ?? null;
  }

  async function userInputOf(body: unknown): Promise<UserInput> {
    const u = parse(scimUserSchema, body);
    const email = emailOf(u);
    return {
      userName: u.userName,
      email,
      displayName: displayNameOf(u, email),
      active: u.active ?? true,
      externalId: u.externalId ?? null,
      timeZone: u.timezone ?? null,
      managerId: await managerIdOf(managerValueOf(u)),
      attributes: attributesOf(u),
    };
  }

  async function renderUser(req: Request, id: number) {
    const u = await svc.user(id);
    const manager =
      u.managerId === null
        ? null
        : await svc.listUsers({ attribute: 'id', value: String(u.managerId) }, 0, 1);
    const m = manager?.items[0];
    return toScimUser(u, baseOf(req), m ? { id: m.id, displayName: m.displayName } : null);
  }

  function page(req: Request): { startIndex: number; count: number } {
    const startIndex = Math.max(1, Number.parseInt(String(req.query.startIndex ?? '1'), 10) || 1);
    const rawCount = Number.parseInt(String(req.query.count ?? '100'), 10);
    const count = Math.min(MAX_PAGE, Math.max(0, Number.isNaN(rawCount) ? 100 : rawCount));
    return { startIndex, count };
  }

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

  router.get(
    '/Users',
    route(async (req, res) => {
      const filter = parseFilter(req.query.filter, ['id', 'userName', 'externalId', 'email', 'displayName']);
      const { startIndex, count } = page(req);
      const result = await svc.listUsers(filter, startIndex - 1, count);
      const resources = [];
      for (const u of result.items) resources.push(await renderUser(req, u.id));
      send(res, 200, listResponse(resources, result.total, startIndex));
    }),
  );

  router.post(
    '/Users',
    route(async (req, res) => {
      const u = await svc.createUser(await userInputOf(req.body), nowIso());
      const body = await renderUser(req, u.id);
      res.location(body.meta.location);
      send(res, 201, body);
      deps.log.info('scim user created', { id: u.id, active: u.active });
    }),
  );

  router.get(
    '/Users/:id',
    route(async (req, res) => send(res, 200, await renderUser(req, idOf(String(req.params.id), 'user')))),
  );

  router.put(
    '/Users/:id',
    route(async (req, res) => {
      const id = idOf(String(req.params.id), 'user');
      await svc.replaceUser(id, await userInputOf(req.body), nowIso());
      send(res, 200, await renderUser(req, id));
    }),
  );

  router.patch(
    '/Users/:id',
    route(async (req, res) => {
      const id = idOf(String(req.params.id), 'user');
      const ops = parse(patchSchema, req.body).Operations;
      const current = await renderUser(req, id);
      const patched = applyUserPatch(current, ops);
      await svc.replaceUser(id, await userInputOf(patched), nowIso());
      send(res, 200, await renderUser(req, id));
    }),
  );

  router.delete(
    '/Users/:id',
    route(async (req, res) => {
      await svc.deleteUser(idOf(String(req.params.id), 'user'), nowIso());
      res.status(204).end();
    }),
  );

  const memberIds = (values: string[]) => values.map((v) => idOf(v, 'user'));

  router.get(
    '/Groups',
    route(async (req, res) => {
      const filter = parseFilter(req.query.filter, ['id', 'displayName', 'externalId']);
      const { startIndex, count } = page(req);
      const excluded = String(req.query.excludedAttributes ?? '')
        .toLowerCase()
        .split(',');
      const withMembers = !excluded.map((s) => s.trim()).includes('members');
      const result = await svc.listGroups(filter, startIndex - 1, count, withMembers);
      send(
        res,
        200,
        listResponse(
          result.items.map((g) => toScimGroup(g, baseOf(req), withMembers)),
          result.total,
          startIndex,
        ),
      );
    }),
  );

  router.post(
    '/Groups',
    route(async (req, res) => {
      const g = parse(scimGroupSchema, req.body);
      const created = await svc.createGroup(
        g.displayName,
        g.externalId ?? null,
        memberIds((g.members ?? []).map((m) => m.value)),
        nowIso(),
      );
      const body = toScimGroup(created, baseOf(req));
      res.location(body.meta.location);
      send(res, 201, body);
    }),
  );

  router.get(
    '/Groups/:id',
    route(async (req, res) => {
      const excluded = String(req.query.excludedAttributes ?? '').toLowerCase();
      send(
        res,
        200,
        toScimGroup(
          await svc.group(idOf(String(req.params.id), 'group')),
          baseOf(req),
          !excluded.includes('members'),
        ),
      );
    }),
  );

  router.put(
    '/Groups/:id',
    route(async (req, res) => {
      const id = idOf(String(req.params.id), 'group');
      const g = parse(scimGroupSchema, req.body);
      const updated = await svc.replaceGroup(
        id,
        g.displayName,
        g.externalId ?? null,
        memberIds((g.members ?? []).map((m) => m.value)),
        nowIso(),
      );
      send(res, 200, toScimGroup(updated, baseOf(req)));
    }),
  );

  router.patch(
    '/Groups/:id',
    route(async (req, res) => {
      const id = idOf(String(req.params.id), 'group');
      const change = groupChangeOf(parse(patchSchema, req.body).Operations);
      const updated = await svc.patchGroup(
        id,
        {
          ...(change.displayName !== undefined ? { displayName: change.displayName } : {}),
          ...(change.externalId !== undefined ? { externalId: change.externalId } : {}),
          add: memberIds(change.add),
          // Removing someone who is not a user here is a no-op, not an error.
          remove: change.remove === 'all' ? 'all' : change.remove.filter((v) => /^\d+$/.test(v)).map(Number),
        },
        nowIso(),
      );
      send(res, 200, toScimGroup(updated, baseOf(req)));
    }),
  );

  router.delete(
    '/Groups/:id',
    route(async (req, res) => {
      await svc.deleteGroup(idOf(String(req.params.id), 'group'), nowIso());
      res.status(204).end();
    }),
  );

  router.use((req, _res, next) => next(new ScimError(404, `No SCIM endpoint ${req.method} ${req.path}.`)));

  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    let e: ScimError;
    if (err instanceof ScimError) e = err;
    else if (isAppError(err)) e = toScimError(err);
    else if (isBodyParserError(err))
      e =
        err.status === 413
          ? new ScimError(413, 'The request body is too large.')
          : new ScimError(400, `The request body is not valid JSON: ${err.message}`, 'invalidSyntax');
    else {
      deps.log.error('scim request failed', { error: err });
      e = new ScimError(500, 'Internal error; the details are in the server log.');
    }
    if (e.status === 401) res.set('WWW-Authenticate', 'Bearer realm="chatdesk-scim"');
    if (res.headersSent) return;
    send(res, e.status, errorBody(e.status, e.message, e.scimType));
  });

  return router;
}

function isBodyParserError(e: unknown): e is { status: number; message: string } {
  return (
    typeof e === 'object' &&
    e !== null &&
    'type' in e &&
    typeof (e as { status?: unknown }).status === 'number'
  );
}
