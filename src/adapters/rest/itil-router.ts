/**
 * REST endpoints of the ITIL engine (issue 7): approvals, problems and known errors, changes with risk
 * and CAB votes, the CMDB, the away flag and an on-demand SLA sweep. Same auth as the v1 router: bearer
 * API_TOKEN, acting as the API account or, with `X-On-Behalf-Of: <email>`, as that person.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { API_PERSON_EMAIL } from '../../http/shared/api-account.js';
import { tokenMatches } from '../../http/shared/bearer.js';
import { parseInput } from '../../http/shared/parse.js';
import type { ImprovementService } from '../../itsm/improvement.js';
import type { DirectoryStore } from '../../itsm/ports.js';
import type { Itil } from '../../itsm/practices.js';
import type { TicketService } from '../../itsm/tickets.js';
import {
  ASSET_STATUSES,
  CHANGE_TYPES,
  IMPROVEMENT_STATES,
  LEVELS,
  type Person,
  TICKET_STATES,
} from '../../itsm/types.js';

const numberOf = (prefix: string) =>
  z
    .string()
    .regex(
      new RegExp(`^${prefix}\\d{7}$`, 'i'),
      `must look like ${prefix === '(INC|REQ|PRB|CHG)' ? 'INC' : prefix}0000042`,
    )
    .transform((s) => s.toUpperCase());
const anyNumber = numberOf('(INC|REQ|PRB|CHG)');
const instant = z.iso.datetime({
  offset: true,
  message: 'expected an ISO date-time like 2026-05-02T20:00:00Z',
});

const bodies = {
  approvalRequest: z.object({
    type: z.enum(['manager', 'users', 'group']),
    users: z.array(z.string().min(1)).optional(),
    group: z.string().min(1).optional(),
  }),
  decision: z.object({
    decision: z.enum(['approved', 'rejected']),
    comment: z.string().max(2000).optional(),
  }),
  problem: z.object({
    title: z.string().trim().min(1).max(200),
    description: z.string().max(20_000).optional(),
    incidents: z.array(numberOf('INC')).default([]),
    impact: z.enum(LEVELS).optional(),
    urgency: z.enum(LEVELS).optional(),
  }),
  incident: z.object({ incident: numberOf('INC') }),
  improvementMove: z.object({
    to: z.enum(IMPROVEMENT_STATES),
    note: z.string().trim().max(2000).optional(),
  }),
  improvementOwner: z.object({ owner: z.email(), note: z.string().trim().max(2000).optional() }),
  fromReports: z.object({
    incidents: z.array(numberOf('INC')).min(1).max(500),
    title: z.string().trim().min(1).max(200).optional(),
    major: z.boolean().default(false),
  }),
  rootCause: z.object({ rootCause: z.string().trim().min(1).max(10_000) }),
  knownError: z.object({
    workaround: z.string().trim().min(1).max(10_000),
    keywords: z.array(z.string().min(1)).max(20).optional(),
  }),
  transition: z.object({ to: z.enum(TICKET_STATES), reason: z.string().max(2000).optional() }),
  change: z.object({
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
  }),
  schedule: z.object({ plannedStart: instant, plannedEnd: instant }),
  vote: z.object({ vote: z.enum(['approve', 'reject']), comment: z.string().max(2000).optional() }),
  notes: z.object({ notes: z.string().max(10_000).optional() }),
  review: z.object({ successful: z.boolean(), notes: z.string().max(10_000).optional() }),
  reason: z.object({ reason: z.string().max(2000).optional() }),
  asset: z.object({ tag: z.string().min(1) }),
  away: z.object({ away: z.boolean() }),
  assetQuery: z.object({
    type: z.string().min(1).optional(),
    owner: z.email().optional(),
    status: z.enum(ASSET_STATUSES).optional(),
  }),
};

/** A missing body reads as an empty object, so the error names the missing fields. */
const parse = <S extends z.ZodType>(schema: S, value: unknown): z.output<S> =>
  parseInput(schema, value ?? {});

/** What the ITIL REST routes call: the services behind them, nothing else. */
export interface ItilRestDeps {
  config: Pick<Config, 'API_TOKEN'>;
  directory: DirectoryStore;
  tickets: TicketService;
  itil: Itil;
  improvements: ImprovementService;
  now: () => Date;
}

type Handler = (req: Request, res: Response, actor: Person, now: string) => Promise<unknown>;

export function createItilRouter(app: ItilRestDeps): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));
  router.use(express.text({ type: ['text/csv', 'text/plain'], limit: '10mb' }));
  const { itil } = app;

  const actorOf = async (req: Request): Promise<Person> => {
    const expected = app.config.API_TOKEN;
    if (!expected)
      throw new AppError('unauthorized', 'The REST API is disabled: set API_TOKEN to enable it.');
    const m = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    if (!m?.[1] || !tokenMatches(m[1].trim(), expected))
      throw new AppError(
        'unauthorized',
        'Missing or wrong bearer token (Authorization: Bearer <API_TOKEN>).',
      );
    const onBehalf = req.get('x-on-behalf-of');
    const p = await app.directory.personByEmail(onBehalf ?? API_PERSON_EMAIL);
    if (!p)
      throw onBehalf
        ? new AppError('unknown_user', `X-On-Behalf-Of: no person with email ${onBehalf}.`, {
            field: 'X-On-Behalf-Of',
          })
        : new AppError('internal', 'The API service account is missing; restart chatdesk to recreate it.');
    return p;
  };

  const on = (method: 'get' | 'post', path: string, h: Handler, status = 200) => {
    router[method](path, (req: Request, res: Response, next: NextFunction) => {
      actorOf(req)
        .then(async (actor) => {
          const body = await h(req, res, actor, app.now().toISOString());
          res.status(status).json(body);
        })
        .catch(next);
    });
  };
  const param = (req: Request, name: string): string => String(req.params[name] ?? '');

  // Approvals
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
      const b = parse(bodies.approvalRequest, req.body);
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
    const b = parse(bodies.decision, req.body);
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
      const b = parse(bodies.asset, req.body);
      const r = await itil.assets.linkAsset(parse(anyNumber, param(req, 'number')), b.tag, actor, now);
      return { ticket: r.ticket.number, asset: r.asset, added: r.added };
    },
    201,
  );

  // Problems
  on(
    'post',
    '/problems',
    async (req, _res, actor, now) => {
      const b = parse(bodies.problem, req.body);
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
  // The improvement (CSI) register: the same calls as chat and the CLI; the domain decides who may.
  const itemId = (req: Request): number => parse(z.coerce.number().int().positive(), param(req, 'id'));
  on('get', '/improvements', async (_req, _res, actor) => ({
    items: await app.improvements.list(actor),
    text: await app.improvements.view(actor),
  }));
  on('post', '/improvements/:id/transitions', async (req, _res, actor, now) => {
    const b = parse(bodies.improvementMove, req.body);
    return { item: await app.improvements.move(itemId(req), b.to, actor, b.note ?? null, now) };
  });
  on('post', '/improvements/:id/owner', async (req, _res, actor, now) => {
    const b = parse(bodies.improvementOwner, req.body);
    return { item: await app.improvements.assign(itemId(req), b.owner, actor, b.note ?? null, now) };
  });

  // What the possible-problem card's button does: the problem, its links, every reporter told once.
  on(
    'post',
    '/problems/from-reports',
    async (req, _res, actor, now) => {
      const b = parse(bodies.fromReports, req.body);
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
    itil.clusters.resolveIncidents(parse(numberOf('PRB'), param(req, 'number')), actor, now),
  );
  on('get', '/problems/:number', async (req, _res, actor) =>
    itil.problems.view(parse(numberOf('PRB'), param(req, 'number')), actor),
  );
  on('post', '/problems/:number/incidents', async (req, _res, actor, now) => {
    const number = parse(numberOf('PRB'), param(req, 'number'));
    await itil.problems.link(number, parse(bodies.incident, req.body).incident, actor, now);
    return itil.problems.view(number, actor);
  });
  on('post', '/problems/:number/root-cause', async (req, _res, actor, now) => ({
    problem: await itil.problems.setRootCause(
      parse(numberOf('PRB'), param(req, 'number')),
      actor,
      parse(bodies.rootCause, req.body).rootCause,
      now,
    ),
  }));
  on('post', '/problems/:number/known-error', async (req, _res, actor, now) => {
    const b = parse(bodies.knownError, req.body);
    return {
      problem: await itil.problems.publishKnownError(
        parse(numberOf('PRB'), param(req, 'number')),
        actor,
        { workaround: b.workaround, ...(b.keywords ? { keywords: b.keywords } : {}) },
        now,
      ),
    };
  });
  on('post', '/problems/:number/transitions', async (req, _res, actor, now) => {
    const b = parse(bodies.transition, req.body);
    return itil.problems.transition(
      parse(numberOf('PRB'), param(req, 'number')),
      b.to,
      actor,
      b.reason ?? null,
      now,
    );
  });

  // Changes
  on(
    'post',
    '/changes',
    async (req, _res, actor, now) => {
      const b = parse(bodies.change, req.body);
      return itil.changes.create(
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
  on('get', '/changes/:number', async (req, _res, actor) => itil.changes.view(chg(req), actor));
  on('post', '/changes/:number/schedule', async (req, _res, actor, now) => {
    const b = parse(bodies.schedule, req.body);
    return itil.changes.schedule(chg(req), actor, b.plannedStart, b.plannedEnd, now);
  });
  on('post', '/changes/:number/submit', async (req, _res, actor, now) =>
    itil.changes.submit(chg(req), actor, now),
  );
  on('post', '/changes/:number/votes', async (req, _res, actor, now) => {
    const b = parse(bodies.vote, req.body);
    return itil.changes.vote(chg(req), actor, b.vote, b.comment ?? null, now);
  });
  on('post', '/changes/:number/implement', async (req, _res, actor, now) =>
    itil.changes.implement(chg(req), actor, now),
  );
  on('post', '/changes/:number/complete', async (req, _res, actor, now) =>
    itil.changes.complete(chg(req), actor, parse(bodies.notes, req.body).notes ?? null, now),
  );
  on('post', '/changes/:number/review', async (req, _res, actor, now) => {
    const b = parse(bodies.review, req.body);
    return itil.changes.review(chg(req), actor, { successful: b.successful, notes: b.notes ?? null }, now);
  });
  on('post', '/changes/:number/cancel', async (req, _res, actor, now) =>
    itil.changes.cancel(chg(req), actor, parse(bodies.reason, req.body).reason ?? null, now),
  );
  on('post', '/changes/:number/incidents', async (req, _res, actor, now) => ({
    linked: await itil.changes.linkIncident(chg(req), parse(bodies.incident, req.body).incident, actor, now),
  }));

  // CMDB
  on('get', '/assets', async (req, _res, actor) => {
    const q = parse(bodies.assetQuery, req.query);
    return {
      assets: await itil.assets.list(actor, {
        ...(q.type ? { type: q.type } : {}),
        ...(q.owner ? { owner: q.owner } : {}),
        ...(q.status ? { status: q.status } : {}),
      }),
    };
  });
  on('get', '/assets/:tag', async (req, _res, actor, now) => itil.assets.view(param(req, 'tag'), actor, now));
  on('post', '/assets/import', async (req, _res, actor) => {
    if (actor.role !== 'admin') throw new AppError('forbidden', 'Only admins can import assets.');
    if (typeof req.body !== 'string')
      throw new AppError('validation_failed', 'Send the CSV as the body with Content-Type: text/csv.', {
        field: 'body',
      });
    try {
      return await itil.assets.importCsv(req.body, 'request body');
    } catch (e) {
      // A bad upload is the caller's mistake (400), not a broken server data file (500).
      if (e instanceof AppError && e.code === 'data_invalid')
        throw new AppError('validation_failed', e.message, e.field ? { field: e.field } : {});
      throw e;
    }
  });

  // Agents and operations
  on('post', '/agents/away', async (req, _res, actor) => {
    if (actor.role === 'employee') throw new AppError('forbidden', 'Only agents can mark themselves away.');
    const b = parse(bodies.away, req.body);
    return { away: b.away, message: await itil.setAway(actor, b.away) };
  });
  on('post', '/sla/sweep', async (_req, _res, actor, now) => {
    if (actor.role !== 'admin') throw new AppError('forbidden', 'Only admins can run the SLA sweep by hand.');
    return itil.sweep(now);
  });

  return router;
}
