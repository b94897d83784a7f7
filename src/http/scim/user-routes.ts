/** SCIM Users (RFC 7643 §4.1): list with `eq` filters, create, get, replace, patch, delete. */
import type { Request, Router } from 'express';
import type { UserInput } from '../../itsm/ports.js';
import { parseFilter } from './filter.js';
import { applyUserPatch } from './patch.js';
import {
  attributesOf,
  displayNameOf,
  emailOf,
  idOf,
  listResponse,
  managerValueOf,
  patchSchema,
  scimUserSchema,
  toScimUser,
} from './protocol.js';
import { baseOf, page, parse, route, type ScimRouteContext, send } from './request.js';

export function mountUserRoutes(router: Router, { svc, nowIso, log }: ScimRouteContext): void {
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
      log.info('scim user created', { id: u.id, active: u.active });
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
}
