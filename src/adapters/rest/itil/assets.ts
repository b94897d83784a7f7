/** CMDB routes: listing and viewing configuration items, and the admins' CSV import. */
import { z } from 'zod';
import { AppError } from '../../../errors.js';
import type { Itil } from '../../../itsm/practices.js';
import { ASSET_STATUSES } from '../../../itsm/types.js';
import { type On, param, parse } from './route-kit.js';

const assetQuery = z.object({
  type: z.string().min(1).optional(),
  owner: z.email().optional(),
  status: z.enum(ASSET_STATUSES).optional(),
});

export function addAssetRoutes(on: On, app: { itil: Itil }): void {
  const { assets } = app.itil;
  on('get', '/assets', async (req, _res, actor) => {
    const q = parse(assetQuery, req.query);
    return {
      assets: await assets.list(actor, {
        ...(q.type ? { type: q.type } : {}),
        ...(q.owner ? { owner: q.owner } : {}),
        ...(q.status ? { status: q.status } : {}),
      }),
    };
  });
  on('get', '/assets/:tag', async (req, _res, actor, now) => assets.view(param(req, 'tag'), actor, now));
  on('post', '/assets/import', async (req, _res, actor) => {
    if (actor.role !== 'admin') throw new AppError('forbidden', 'Only admins can import assets.');
    if (typeof req.body !== 'string')
      throw new AppError('validation_failed', 'Send the CSV as the body with Content-Type: text/csv.', {
        field: 'body',
      });
    try {
      return await assets.importCsv(req.body, 'request body');
    } catch (e) {
      // A bad upload is the caller's mistake (400), not a broken server data file (500).
      if (e instanceof AppError && e.code === 'data_invalid')
        throw new AppError('validation_failed', e.message, e.field ? { field: e.field } : {});
      throw e;
    }
  });
}
