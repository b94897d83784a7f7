/**
 * REST v1: a ticket's transitions, recategorization (whose answer becomes triage training data) and
 * comments; the requester is told what concerns them.
 */
import type { Router } from 'express';
import { z } from 'zod';
import type { Engine } from '../../chat/conversation-engine.js';
import type { Config } from '../../config.js';
import { parseInput as parse } from '../../http/shared/parse.js';
import type { AgentDesk } from '../../itsm/agent-desk.js';
import type { DirectoryStore } from '../../itsm/ports.js';
import type { TicketService } from '../../itsm/tickets.js';
import { PENDING_REASONS, TICKET_STATES } from '../../itsm/types.js';
import { appendTriageCorrection } from '../../nlu/data/corrections.js';
import { numberParam, type Route } from './v1-route.js';

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

/** What the ticket update routes call. */
export interface TicketUpdateRestDeps {
  config: Pick<Config, 'DATA_DIR'>;
  directory: DirectoryStore;
  tickets: TicketService;
  agentDesk: AgentDesk;
  engine: Pick<Engine, 'notifyRequester'>;
  now: () => Date;
}

export function addTicketUpdateRoutes(router: Router, app: TicketUpdateRestDeps, route: Route): void {
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
}
