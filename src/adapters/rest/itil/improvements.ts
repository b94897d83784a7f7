/** The improvement (CSI) register: the same calls as chat and the CLI; the domain decides who may. */
import type { Request } from 'express';
import { z } from 'zod';
import type { ImprovementService } from '../../../itsm/improvement.js';
import { IMPROVEMENT_STATES } from '../../../itsm/types.js';
import { type On, param, parse } from './route-kit.js';

const moveBody = z.object({
  to: z.enum(IMPROVEMENT_STATES),
  note: z.string().trim().max(2000).optional(),
});
const ownerBody = z.object({ owner: z.email(), note: z.string().trim().max(2000).optional() });

export function addImprovementRoutes(on: On, app: { improvements: ImprovementService }): void {
  const { improvements } = app;
  const itemId = (req: Request): number => parse(z.coerce.number().int().positive(), param(req, 'id'));
  on('get', '/improvements', async (_req, _res, actor) => ({
    items: await improvements.list(actor),
    text: await improvements.view(actor),
  }));
  on('post', '/improvements/:id/transitions', async (req, _res, actor, now) => {
    const b = parse(moveBody, req.body);
    return { item: await improvements.move(itemId(req), b.to, actor, b.note ?? null, now) };
  });
  on('post', '/improvements/:id/owner', async (req, _res, actor, now) => {
    const b = parse(ownerBody, req.body);
    return { item: await improvements.assign(itemId(req), b.owner, actor, b.note ?? null, now) };
  });
}
