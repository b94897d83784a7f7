/** SCIM Groups (RFC 7643 §4.2): list, create, get, replace, patch (members and names), delete. */
import type { Router } from 'express';
import { parseFilter } from './filter.js';
import { groupChangeOf } from './patch.js';
import { idOf, listResponse, patchSchema, scimGroupSchema, toScimGroup } from './protocol.js';
import { baseOf, page, parse, route, type ScimRouteContext, send } from './request.js';

export function mountGroupRoutes(router: Router, { svc, nowIso }: ScimRouteContext): void {
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
}
