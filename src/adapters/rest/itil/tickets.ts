/** ITIL routes on a ticket: its approvals, its links (assets, problem, causing change), linking an asset. */
import { z } from 'zod';
import { AppError } from '../../../errors.js';
import type { Itil } from '../../../itsm/practices.js';
import type { TicketService } from '../../../itsm/tickets.js';
import { anyNumber, type On, param, parse } from './route-kit.js';

const approvalRequest = z.object({
  type: z.enum(['manager', 'users', 'group']),
  users: z.array(z.string().min(1)).optional(),
  group: z.string().min(1).optional(),
});
const decisionBody = z.object({
  decision: z.enum(['approved', 'rejected']),
  comment: z.string().max(2000).optional(),
});
const assetBody = z.object({ tag: z.string().min(1) });

export function addTicketItilRoutes(on: On, app: { tickets: TicketService; itil: Itil }): void {
  const { itil } = app;
  on('get', '/tickets/:number/approvals', async (req, _res, actor) => {
    const number = parse(anyNumber, param(req, 'number'));
    await app.tickets.get(number, actor);
    return { approvals: await itil.approvals.of(number) };
  });
  on(
    'post',
    '/tickets/:number/approvals',
    async (req, _res, actor, now) => {
      if (actor.role === 'employee')
        throw new AppError('forbidden', 'Only the service desk can request approvals.');
      const b = parse(approvalRequest, req.body);
      const r = await itil.approvals.request(
        parse(anyNumber, param(req, 'number')),
        { type: b.type, users: b.users, group: b.group },
        now,
      );
      return { ticket: r.ticket, approvers: r.approvers };
    },
    201,
  );
  on('post', '/tickets/:number/approvals/decision', async (req, _res, actor, now) => {
    const b = parse(decisionBody, req.body);
    return itil.approvals.decide(
      parse(anyNumber, param(req, 'number')),
      actor,
      b.decision,
      b.comment ?? null,
      now,
    );
  });

  // Links of any ticket (assets, problem, causing change), for agents.
  on('get', '/tickets/:number/links', async (req, _res, actor, now) => {
    const t = await app.tickets.get(parse(anyNumber, param(req, 'number')), actor);
    return { ticket: t.number, ...(await itil.links(t, now)) };
  });
  on(
    'post',
    '/tickets/:number/assets',
    async (req, _res, actor, now) => {
      const b = parse(assetBody, req.body);
      const r = await itil.assets.linkAsset(parse(anyNumber, param(req, 'number')), b.tag, actor, now);
      return { ticket: r.ticket.number, asset: r.asset, added: r.added };
    },
    201,
  );
}
