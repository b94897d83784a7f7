/** Change enablement routes: a change's life from request through CAB votes to its review. */
import type { Request } from 'express';
import { z } from 'zod';
import type { Itil } from '../../../itsm/practices.js';
import { CHANGE_TYPES, LEVELS } from '../../../itsm/types.js';
import { instant, numberOf, type On, param, parse } from './route-kit.js';

const changeBody = z.object({
  title: z.string().trim().min(1).max(200),
  description: z.string().max(20_000).optional(),
  type: z.enum(CHANGE_TYPES),
  impact: z.enum(LEVELS).optional(),
  urgency: z.enum(LEVELS).optional(),
  /** A standard change's catalogue entry (data/itil.json changes.standardCatalogue). */
  template: z.string().min(1).max(100).optional(),
  assets: z.array(z.string().min(1)).default([]),
  plannedStart: instant.optional(),
  plannedEnd: instant.optional(),
  group: z.string().min(1).optional(),
});
const scheduleBody = z.object({ plannedStart: instant, plannedEnd: instant });
const voteBody = z.object({ vote: z.enum(['approve', 'reject']), comment: z.string().max(2000).optional() });
const notesBody = z.object({ notes: z.string().max(10_000).optional() });
const reviewBody = z.object({ successful: z.boolean(), notes: z.string().max(10_000).optional() });
const reasonBody = z.object({ reason: z.string().max(2000).optional() });
const incidentBody = z.object({ incident: numberOf('INC') });

export function addChangeRoutes(on: On, app: { itil: Itil }): void {
  const { changes } = app.itil;
  on(
    'post',
    '/changes',
    async (req, _res, actor, now) => {
      const b = parse(changeBody, req.body);
      return changes.create(
        actor,
        {
          title: b.title,
          type: b.type,
          ...(b.impact ? { impact: b.impact } : {}),
          ...(b.urgency ? { urgency: b.urgency } : {}),
          ...(b.template ? { template: b.template } : {}),
          assets: b.assets,
          plannedStart: b.plannedStart ?? null,
          plannedEnd: b.plannedEnd ?? null,
          group: b.group ?? null,
          ...(b.description ? { description: b.description } : {}),
        },
        now,
      );
    },
    201,
  );
  const chg = (req: Request) => parse(numberOf('CHG'), param(req, 'number'));
  on('get', '/changes/:number', async (req, _res, actor) => changes.view(chg(req), actor));
  on('post', '/changes/:number/schedule', async (req, _res, actor, now) => {
    const b = parse(scheduleBody, req.body);
    return changes.schedule(chg(req), actor, b.plannedStart, b.plannedEnd, now);
  });
  on('post', '/changes/:number/submit', async (req, _res, actor, now) =>
    changes.submit(chg(req), actor, now),
  );
  on('post', '/changes/:number/votes', async (req, _res, actor, now) => {
    const b = parse(voteBody, req.body);
    return changes.vote(chg(req), actor, b.vote, b.comment ?? null, now);
  });
  on('post', '/changes/:number/implement', async (req, _res, actor, now) =>
    changes.implement(chg(req), actor, now),
  );
  on('post', '/changes/:number/complete', async (req, _res, actor, now) =>
    changes.complete(chg(req), actor, parse(notesBody, req.body).notes ?? null, now),
  );
  on('post', '/changes/:number/review', async (req, _res, actor, now) => {
    const b = parse(reviewBody, req.body);
    return changes.review(chg(req), actor, { successful: b.successful, notes: b.notes ?? null }, now);
  });
  on('post', '/changes/:number/cancel', async (req, _res, actor, now) =>
    changes.cancel(chg(req), actor, parse(reasonBody, req.body).reason ?? null, now),
  );
  on('post', '/changes/:number/incidents', async (req, _res, actor, now) => ({
    linked: await changes.linkIncident(chg(req), parse(incidentBody, req.body).incident, actor, now),
  }));
}
