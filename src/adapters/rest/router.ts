/**
 * REST API v1 (DESIGN §8). Bearer token auth; the caller acts as the API service account (full
 * rights) or, with `X-On-Behalf-Of: <email>`, as that person with exactly their rights, so
 * integrations that serve employees cannot show them other people's tickets.
 */
import { basename, join } from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Engine } from '../../chat/conversation-engine.js';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { API_PERSON_EMAIL } from '../../http/shared/api-account.js';
import { tokenMatches } from '../../http/shared/bearer.js';
import { parseInput as parse } from '../../http/shared/parse.js';
import { capLevels } from '../../itsm/impact-claim.js';
import type { DirectoryStore } from '../../itsm/ports.js';
import type { Template } from '../../itsm/templates.js';
import type { TicketService } from '../../itsm/tickets.js';
import type { Ticket } from '../../itsm/types.js';
import {
  type Asset,
  type Group,
  LEVELS,
  PENDING_REASONS,
  type Person,
  TICKET_STATES,
} from '../../itsm/types.js';
import { appendIntentCorrection, appendTriageCorrection } from '../../nlu/data/corrections.js';
import { listFiles } from '../../nlu/data/read-files.js';
import { type AgentRestDeps, addAgentRoutes } from './agent-router.js';
import {
  checkFieldsShape,
  checkGroup,
  checkTemplateFields,
  idempotencyMismatch,
  requestFingerprint,
  scopedIdempotencyKey,
} from './ticket-create.js';

const listQuery = z.object({
  requester: z.email().optional(),
  state: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',').map((x) => x.trim()) : undefined))
    .pipe(z.array(z.enum(TICKET_STATES)).optional()),
  group: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

const createBody = z.object({
  kind: z.enum(['incident', 'service_request']).default('incident'),
  title: z.string().trim().min(1).max(200),
  description: z.string().max(20_000).default(''),
  impact: z.enum(LEVELS).default('medium'),
  urgency: z.enum(LEVELS).default('medium'),
  category: z.string().max(100).nullable().default(null),
  requester: z.email(),
  group: z.string().min(1).optional(),
  templateId: z.string().optional(),
  fields: z.record(z.string(), z.unknown()).optional(),
});

const transitionBody = z.object({
  to: z.enum(TICKET_STATES),
  reason: z.string().max(2000).optional(),
  pendingReason: z.enum(PENDING_REASONS).optional(),
});

const commentBody = z.object({
  body: z.string().min(1).max(10_000),
  internal: z.boolean().default(false),
});

const categorizeBody = z
  .object({
    category: z.string().trim().min(1).max(100).optional(),
    group: z.string().trim().min(1).optional(),
    reason: z.string().max(2000).optional(),
  })
  .refine((b) => b.category !== undefined || b.group !== undefined, {
    message: 'give a category, a group, or both',
  });

const intentCorrectionBody = z.object({
  text: z.string().trim().min(1).max(4000),
  intent: z.string().trim().min(1).max(100),
});

const numberParam = z.string().regex(/^(INC|REQ|PRB|CHG)\d{7}$/i, 'must look like INC0000042');

/** What the REST API calls: the services behind it, nothing else. */
export interface RestDeps extends AgentRestDeps {
  config: Pick<Config, 'API_TOKEN' | 'DATA_DIR' | 'REQUESTER_PRIORITY_CEILING'>;
  directory: DirectoryStore;
  tickets: TicketService;
  engine: Pick<Engine, 'notifyRequester'>;
  /** The configuration items linked to a ticket. */
  ticketAssets: (ticketId: number) => Promise<Asset[]>;
  /** Who has a ticket's conversation: `bot`, `queue` or `agent:<id>`. */
  ticketOwner: (ticketId: number) => Promise<string>;
  /** The request templates, as loaded at start-up (template fields are checked against them). */
  templates: readonly Template[];
  now: () => Date;
}

type Handler = (req: Request, res: Response, actor: Person) => Promise<void>;

/**
 * List rows carry the names a reader needs next to the ids (the same shapes as GET /tickets/:number):
 * `requester {id, displayName, email}`, `group {slug, name}`, `assignee {id, displayName}`.
 */
async function withNames(app: RestDeps, list: Ticket[]) {
  const people = new Map<number, Promise<Person | null>>();
  const groups = new Map<number, Promise<Group | null>>();
  const person = (id: number) => {
    if (!people.has(id)) people.set(id, app.directory.personById(id));
    return people.get(id) as Promise<Person | null>;
  };
  const group = (id: number) => {
    if (!groups.has(id)) groups.set(id, app.directory.groupById(id));
    return groups.get(id) as Promise<Group | null>;
  };
  return Promise.all(
    list.map(async (t) => {
      const [r, g, a] = await Promise.all([
        person(t.requesterId),
        t.groupId === null ? null : group(t.groupId),
        t.assigneeId === null ? null : person(t.assigneeId),
      ]);
      return {
        ...t,
        requester: r && { id: r.id, displayName: r.displayName, email: r.email },
        group: g && { slug: g.slug, name: g.name },
        assignee: a && { id: a.id, displayName: a.displayName },
      };
    }),
  );
}

export function createRestRouter(app: RestDeps): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));

  router.use((req: Request, _res: Response, next: NextFunction) => {
    const expected = app.config.API_TOKEN;
    if (!expected)
      return next(new AppError('unauthorized', 'The REST API is disabled: set API_TOKEN to enable it.'));
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m?.[1] || !tokenMatches(m[1].trim(), expected))
      return next(
        new AppError('unauthorized', 'Missing or wrong bearer token (Authorization: Bearer <API_TOKEN>).'),
      );
    next();
  });

  const actorOf = async (req: Request): Promise<Person> => {
    const onBehalf = req.get('x-on-behalf-of');
    if (onBehalf) {
      const p = await app.directory.personByEmail(onBehalf);
      if (!p)
        throw new AppError('unknown_user', `X-On-Behalf-Of: no person with email ${onBehalf}.`, {
          field: 'X-On-Behalf-Of',
        });
      return p;
    }
    const api = await app.directory.personByEmail(API_PERSON_EMAIL);
    if (!api)
      throw new AppError('internal', 'The API service account is missing; restart chatdesk to recreate it.');
    return api;
  };

  const route =
    (h: Handler) =>
    (req: Request, res: Response, next: NextFunction): void => {
      actorOf(req)
        .then((actor) => h(req, res, actor))
        .catch(next);
    };

  router.get(
    '/tickets',
    route(async (req, res, actor) => {
      const q = parse(listQuery, req.query);
      let requesterId: number | undefined;
      if (q.requester) {
        const p = await app.directory.personByEmail(q.requester);
        if (!p) {
          res.json({ tickets: [] });
          return;
        }
        requesterId = p.id;
      }
      const list = await app.tickets.listFor(actor, {
        ...(requesterId === undefined ? {} : { requesterId }),
        ...(q.state ? { states: q.state } : {}),
        ...(q.group ? { groupSlug: q.group } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
      });
      res.json({ tickets: await withNames(app, list) });
    }),
  );

  router.post(
    '/tickets',
    route(async (req, res, actor) => {
      const b = parse(createBody, req.body);
      const requester = await app.directory.personByEmail(b.requester);
      if (!requester)
        throw new AppError('validation_failed', `requester: no person with email ${b.requester}`, {
          field: 'requester',
        });
      if (actor.role === 'employee' && actor.id !== requester.id)
        throw new AppError('forbidden', 'You can only open tickets for yourself.');
      await checkGroup(app.directory, b.group);
      if (b.fields) checkFieldsShape(b.fields);
      const fields = b.templateId
        ? checkTemplateFields(app.templates, b.templateId, b.fields ?? {})
        : b.fields;
      const idem = req.get('idempotency-key');
      const fingerprint = requestFingerprint(req.body);
      // An employee's own word on impact goes up to the ceiling; higher takes an agent (impact-claim.ts).
      const levels =
        actor.role === 'employee'
          ? capLevels(b.impact, b.urgency, app.config.REQUESTER_PRIORITY_CEILING)
          : { impact: b.impact, urgency: b.urgency, capped: null };
      const t = await app.tickets.open(
        {
          kind: b.kind,
          title: b.title,
          description: b.description || b.title,
          impact: levels.impact,
          urgency: levels.urgency,
          ...(levels.capped
            ? { decisions: { claim: { impact: b.impact, urgency: b.urgency, capped: levels.capped } } }
            : {}),
          category: b.category,
          requester,
          channel: 'api',
          groupSlug: b.group ?? null,
          ...(b.templateId ? { templateId: b.templateId } : {}),
          ...(fields ? { fields } : {}),
          ...(idem ? { decisions: { request: fingerprint } } : {}),
          sourceKey: idem ? scopedIdempotencyKey(actor, requester, idem) : null,
        },
        app.now().toISOString(),
      );
      if (idem) {
        const created = (await app.tickets.eventsForSystem(t.id)).find((e) => e.type === 'created');
        if (created?.data?.request !== fingerprint) throw idempotencyMismatch(t.number);
      }
      res.status(201).json({ ticket: t });
    }),
  );

  router.get(
    '/tickets/:number',
    route(async (req, res, actor) => {
      const number = parse(numberParam, req.params.number).toUpperCase();
      const view = await app.tickets.view(number, actor, app.now().toISOString());
      const [owner, linked] = await Promise.all([
        app.ticketOwner(view.ticket.id),
        app.ticketAssets(view.ticket.id),
      ]);
      const assets = linked.map((a) => ({ tag: a.tag, name: a.name, type: a.type }));
      res.json({
        ticket: view.ticket,
        owner,
        group: view.group,
        assignee: view.assignee,
        requester: view.requester,
        sla: view.sla,
        events: view.events,
        comments: view.comments,
        assets,
      });
    }),
  );

  router.post(
    '/tickets/:number/transitions',
    route(async (req, res, actor) => {
      const number = parse(numberParam, req.params.number).toUpperCase();
      const b = parse(transitionBody, req.body);
      const now = app.now().toISOString();
      const t = await app.tickets.transition(
        number,
        b.to,
        actor,
        { reason: b.reason ?? null, pendingReason: b.pendingReason ?? null },
        now,
      );
      if (actor.id !== t.requesterId) {
        const text =
          b.to === 'resolved'
            ? `${t.number} is resolved${b.reason ? `: ${b.reason}` : ''}. If it is not fixed, press "Still broken: reopen".`
            : b.to === 'pending' && b.pendingReason === 'requester'
              ? `${t.number} is waiting for you${b.reason ? `: ${b.reason}` : ''}. Reply here to continue.`
              : `${t.number} is now ${b.to.replace('_', ' ')}${b.reason ? `: ${b.reason}` : ''}.`;
        await app.engine.notifyRequester(t, text, `${now}:${b.to}`, { askRating: b.to === 'resolved' });
      }
      res.json({ ticket: t });
    }),
  );

  addAgentRoutes(router, app, route);

  router.post(
    '/tickets/:number/categorize',
    route(async (req, res, actor) => {
      const number = parse(numberParam, req.params.number).toUpperCase();
      const b = parse(categorizeBody, req.body);
      let t = await app.tickets.recategorize(
        number,
        actor,
        { ...(b.category ? { category: b.category } : {}), ...(b.group ? { groupSlug: b.group } : {}) },
        b.reason ?? null,
        app.now().toISOString(),
      );
      // A manual group move leaves the ticket unassigned: dispatch inside the new group.
      if (b.group && t.assigneeId === null)
        t = await app.agentDesk.dispatchWaiting(
          t,
          'dispatch after a group correction',
          app.now().toISOString(),
        );
      // The agent's answer becomes training data for the triage model.
      const group = t.groupId === null ? null : await app.directory.groupById(t.groupId);
      if (t.category && group)
        await appendTriageCorrection(app.config.DATA_DIR, {
          text: `${t.title}\n${t.description}`.slice(0, 4000),
          category: t.category,
          group: group.slug,
        });
      res.json({ ticket: t });
    }),
  );

  router.post(
    '/corrections/intents',
    route(async (req, res, actor) => {
      if (actor.role === 'employee')
        throw new AppError('forbidden', 'Only the service desk can correct the bot.');
      const b = parse(intentCorrectionBody, req.body);
      const known = (await listFiles(join(app.config.DATA_DIR, 'intents'), '.json')).map((f) =>
        basename(f, '.json'),
      );
      if (!known.includes(b.intent))
        throw new AppError('validation_failed', `intent: "${b.intent}" is not one of ${known.join(', ')}`, {
          field: 'intent',
        });
      await appendIntentCorrection(app.config.DATA_DIR, b);
      res.status(201).json({ correction: b, note: 'used at the next `chatdesk train` (or restart)' });
    }),
  );

  router.post(
    '/tickets/:number/comments',
    route(async (req, res, actor) => {
      const number = parse(numberParam, req.params.number).toUpperCase();
      const b = parse(commentBody, req.body);
      const now = app.now().toISOString();
      const c = await app.tickets.comment(
        number,
        actor,
        b.body,
        { internal: b.internal, platform: 'api' },
        now,
      );
      const t = await app.tickets.get(number, actor);
      if (!b.internal && actor.id !== t.requesterId)
        await app.engine.notifyRequester(
          t,
          `${actor.displayName} on ${t.number}: ${b.body}`,
          `comment:${c.id}`,
        );
      res.status(201).json({ comment: c });
    }),
  );

  return router;
}
