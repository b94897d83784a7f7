/** Problem management routes: problems, known errors, and the possible-problem card's clusters. */
import type { Request } from 'express';
import { z } from 'zod';
import type { Itil } from '../../../itsm/practices.js';
import { LEVELS, TICKET_STATES } from '../../../itsm/types.js';
import { numberOf, type On, param, parse } from './route-kit.js';

const problemBody = z.object({
  title: z.string().trim().min(1).max(200),
  description: z.string().max(20_000).optional(),
  incidents: z.array(numberOf('INC')).default([]),
  impact: z.enum(LEVELS).optional(),
  urgency: z.enum(LEVELS).optional(),
});
const incidentBody = z.object({ incident: numberOf('INC') });
const fromReportsBody = z.object({
  incidents: z.array(numberOf('INC')).min(1).max(500),
  title: z.string().trim().min(1).max(200).optional(),
  major: z.boolean().default(false),
});
const rootCauseBody = z.object({ rootCause: z.string().trim().min(1).max(10_000) });
const knownErrorBody = z.object({
  workaround: z.string().trim().min(1).max(10_000),
  keywords: z.array(z.string().min(1)).max(20).optional(),
});
const transitionBody = z.object({ to: z.enum(TICKET_STATES), reason: z.string().max(2000).optional() });

export function addProblemRoutes(on: On, app: { itil: Itil }): void {
  const { itil } = app;
  const prb = (req: Request) => parse(numberOf('PRB'), param(req, 'number'));
  on(
    'post',
    '/problems',
    async (req, _res, actor, now) => {
      const b = parse(problemBody, req.body);
      const problem = await itil.problems.create(
        actor,
        {
          title: b.title,
          incidents: b.incidents,
          ...(b.description ? { description: b.description } : {}),
          ...(b.impact ? { impact: b.impact } : {}),
          ...(b.urgency ? { urgency: b.urgency } : {}),
        },
        now,
      );
      return itil.problems.view(problem.number, actor);
    },
    201,
  );
  // What the possible-problem card's button does: the problem, its links, every reporter told once.
  on(
    'post',
    '/problems/from-reports',
    async (req, _res, actor, now) => {
      const b = parse(fromReportsBody, req.body);
      const r = await itil.clusters.createFromCluster(
        actor,
        b.incidents,
        { major: b.major, ...(b.title ? { title: b.title } : {}) },
        now,
      );
      return { ...r, view: await itil.problems.view(r.problem.number, actor) };
    },
    201,
  );
  on('post', '/problems/:number/resolve-incidents', async (req, _res, actor, now) =>
    itil.clusters.resolveIncidents(prb(req), actor, now),
  );
  on('get', '/problems/:number', async (req, _res, actor) => itil.problems.view(prb(req), actor));
  on('post', '/problems/:number/incidents', async (req, _res, actor, now) => {
    const number = prb(req);
    await itil.problems.link(number, parse(incidentBody, req.body).incident, actor, now);
    return itil.problems.view(number, actor);
  });
  on('post', '/problems/:number/root-cause', async (req, _res, actor, now) => ({
    problem: await itil.problems.setRootCause(prb(req), actor, parse(rootCauseBody, req.body).rootCause, now),
  }));
  on('post', '/problems/:number/known-error', async (req, _res, actor, now) => {
    const b = parse(knownErrorBody, req.body);
    return {
      problem: await itil.problems.publishKnownError(
        prb(req),
        actor,
        { workaround: b.workaround, ...(b.keywords ? { keywords: b.keywords } : {}) },
        now,
      ),
    };
  });
  on('post', '/problems/:number/transitions', async (req, _res, actor, now) => {
    const b = parse(transitionBody, req.body);
    return itil.problems.transition(prb(req), b.to, actor, b.reason ?? null, now);
  });
}
