/**
 * REST for agents' ticket edits and their queue (issue 18), mounted inside the v1 router so the same
 * bearer token and `X-On-Behalf-Of` rules apply. Each call goes through the agent desk, whose group
 * rule is the one chat uses; the requester is told what concerns them.
 */
import type { Request, Router } from 'express';
import { z } from 'zod';
import type { Engine } from '../../chat/conversation-engine.js';
import { parseInput as parse } from '../../http/shared/parse.js';
import type { AgentDesk } from '../../itsm/agent-desk.js';
import type { Ticket } from '../../itsm/types.js';
import { PENDING_REASONS, type Person, PRIORITIES } from '../../itsm/types.js';
import { numberParam, type Route } from './v1-route.js';

const reason = z.string().trim().min(1).max(2000).optional();
const priorityBody = z.object({ priority: z.enum(PRIORITIES), reason });
const reassignBody = z
  .object({ assignee: z.email().optional(), group: z.string().trim().min(1).max(100).optional(), reason })
  .refine((b) => b.assignee !== undefined || b.group !== undefined, {
    message: 'give an assignee (email), a group, or both',
  });
const pendingBody = z.object({ reason: z.enum(PENDING_REASONS), note: reason });
const duplicateBody = z.object({ of: numberParam, merge: z.boolean().default(false) });
const parentBody = z.object({ parent: numberParam });

/** What the agent routes call: the agent desk, and the engine to tell requesters. */
export interface AgentRestDeps {
  agentDesk: AgentDesk;
  engine: Pick<Engine, 'notifyRequester'>;
  now: () => Date;
}

export function addAgentRoutes(router: Router, app: AgentRestDeps, route: Route): void {
  const num = (req: Request) => parse(numberParam, req.params.number).toUpperCase();
  const tell = async (actor: Person, t: Ticket, text: string, key: string) => {
    if (actor.id !== t.requesterId) await app.engine.notifyRequester(t, text, key);
  };

  router.get(
    '/queue',
    route(async (_req, res, actor) => {
      res.json(await app.agentDesk.queueFor(actor, app.now().toISOString()));
    }),
  );

  router.post(
    '/tickets/:number/priority',
    route(async (req, res, actor) => {
      const b = parse(priorityBody, req.body);
      const now = app.now().toISOString();
      const t = await app.agentDesk.setPriority(num(req), actor, b.priority, b.reason ?? null, now);
      await tell(actor, t, `The service desk set ${t.number} to ${t.priority}.`, `priority:${now}`);
      res.json({ ticket: t });
    }),
  );

  router.post(
    '/tickets/:number/reassign',
    route(async (req, res, actor) => {
      const b = parse(reassignBody, req.body);
      const now = app.now().toISOString();
      const t = await app.agentDesk.reassign(
        num(req),
        actor,
        { ...(b.assignee ? { email: b.assignee } : {}), ...(b.group ? { group: b.group } : {}) },
        b.reason ?? null,
        now,
      );
      res.json({ ticket: t });
    }),
  );

  router.post(
    '/tickets/:number/pending',
    route(async (req, res, actor) => {
      const b = parse(pendingBody, req.body);
      const now = app.now().toISOString();
      const t = await app.agentDesk.pend(num(req), actor, b.reason, b.note ?? null, now);
      await tell(
        actor,
        t,
        b.reason === 'requester'
          ? `${t.number} is waiting for you${b.note ? `: ${b.note}` : ''}. Reply here to continue.`
          : `${t.number} is on hold, waiting for ${b.reason === 'vendor' ? 'a supplier' : `a ${b.reason}`}${b.note ? `: ${b.note}` : ''}.`,
        `pending:${now}`,
      );
      res.json({ ticket: t });
    }),
  );

  router.post(
    '/tickets/:number/duplicate',
    route(async (req, res, actor) => {
      const b = parse(duplicateBody, req.body);
      const r = await app.agentDesk.markDuplicate(num(req), b.of, actor, b.merge, app.now().toISOString());
      if (b.merge)
        await tell(
          actor,
          r.duplicate,
          `${r.duplicate.number} is the same issue as ${r.of.number}, which the service desk is working on; we'll follow up there.`,
          `merged:${r.of.number}`,
        );
      res.json({ duplicate: r.duplicate, of: r.of, linked: r.linked });
    }),
  );

  router.post(
    '/tickets/:number/parent',
    route(async (req, res, actor) => {
      const b = parse(parentBody, req.body);
      const r = await app.agentDesk.setParent(
        num(req),
        b.parent.toUpperCase(),
        actor,
        app.now().toISOString(),
      );
      res.json({ child: r.child, parent: r.parent, linked: r.linked });
    }),
  );
}
