/** REST v1: listing tickets (with the names a reader needs), opening one, and one ticket's full view. */
import type { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { parseInput as parse } from '../../http/shared/parse.js';
import { capLevels } from '../../itsm/impact-claim.js';
import type { DirectoryStore } from '../../itsm/ports.js';
import type { Template } from '../../itsm/templates.js';
import type { TicketService } from '../../itsm/tickets.js';
import type { Ticket } from '../../itsm/types.js';
import { type Asset, type Group, LEVELS, type Person, TICKET_STATES } from '../../itsm/types.js';
import {
  checkFieldsShape,
  checkGroup,
  checkTemplateFields,
  idempotencyMismatch,
  requestFingerprint,
  scopedIdempotencyKey,
} from './ticket-create.js';
import { numberParam, type Route } from './v1-route.js';

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

/** What the ticket routes call. */
export interface TicketRestDeps {
  config: Pick<Config, 'REQUESTER_PRIORITY_CEILING'>;
  directory: DirectoryStore;
  tickets: TicketService;
  /** The configuration items linked to a ticket. */
  ticketAssets: (ticketId: number) => Promise<Asset[]>;
  /** Who has a ticket's conversation: `bot`, `queue` or `agent:<id>`. */
  ticketOwner: (ticketId: number) => Promise<string>;
  /** The request templates, as loaded at start-up (template fields are checked against them). */
  templates: readonly Template[];
  now: () => Date;
}

/**
 * List rows carry the names a reader needs next to the ids (the same shapes as GET /tickets/:number):
 * `requester {id, displayName, email}`, `group {slug, name}`, `assignee {id, displayName}`.
 */
async function withNames(directory: DirectoryStore, list: Ticket[]) {
  const people = new Map<number, Promise<Person | null>>();
  const groups = new Map<number, Promise<Group | null>>();
  const person = (id: number) => {
    if (!people.has(id)) people.set(id, directory.personById(id));
    return people.get(id) as Promise<Person | null>;
  };
  const group = (id: number) => {
    if (!groups.has(id)) groups.set(id, directory.groupById(id));
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

export function addTicketRoutes(router: Router, app: TicketRestDeps, route: Route): void {
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
      res.json({ tickets: await withNames(app.directory, list) });
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
}
