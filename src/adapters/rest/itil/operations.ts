/** Agents' and operators' routes: the away flag, and an SLA sweep run by hand. */
import { z } from 'zod';
import { AppError } from '../../../errors.js';
import type { Itil } from '../../../itsm/practices.js';
import { type On, parse } from './route-kit.js';

const awayBody = z.object({ away: z.boolean() });

export function addOperationRoutes(on: On, app: { itil: Itil }): void {
  const { itil } = app;
  on('post', '/agents/away', async (req, _res, actor) => {
    if (actor.role === 'employee') throw new AppError('forbidden', 'Only agents can mark themselves away.');
    const b = parse(awayBody, req.body);
    return { away: b.away, message: await itil.setAway(actor, b.away) };
  });
  on('post', '/sla/sweep', async (_req, _res, actor, now) => {
    if (actor.role !== 'admin') throw new AppError('forbidden', 'Only admins can run the SLA sweep by hand.');
    return itil.sweep(now);
  });
}
