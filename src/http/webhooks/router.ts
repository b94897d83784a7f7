/**
 * Webhook subscribers over REST (admins only): `/api/v1/webhooks` — list, create (the signing secret is
 * shown once), read, change, delete, the delivery log per subscriber, a ping, and redelivery of a
 * delivery that was given up. Bearer API_TOKEN; with `X-On-Behalf-Of` the person must be an admin.
 */
import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { DeliveryStore, SubscriptionWithSecret } from '../../db/delivery-store.js';
import { AppError, formatIssues } from '../../errors.js';
import type { Person } from '../../itsm/types.js';
import { canManageIntegrations, WEBHOOK_EVENT_TYPES } from '../../itsm/webhook-events.js';
import { bearerOf, tokenMatches } from '../shared/bearer.js';

interface WebhookRouterDeps {
  apiToken: string | undefined;
  /** The account a bare API call acts as, and people named by X-On-Behalf-Of. */
  apiAccount: () => Promise<Person | null>;
  personByEmail: (email: string) => Promise<Person | null>;
  store: DeliveryStore;
  now: () => Date;
  kick: () => void;
}

const eventList = z
  .array(
    z.enum(['*', ...WEBHOOK_EVENT_TYPES], {
      message: `must be "*" or one of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
    }),
  )
  .min(1, 'name at least one event type (or "*")')
  .transform((l) => [...new Set(l)]);
const httpUrl = z
  .url({ message: 'must be an http(s) URL' })
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL')
  .refine(
    (u) => !/^https?:\/\/[^/]*@/i.test(u),
    'must not carry credentials; the signature authenticates chatdesk',
  );
const secret = z.string().min(16, 'must be at least 16 characters').max(200);

const webhookSchema = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][\w .-]{0,79}$/, 'letters, digits, spaces, dots, dashes; at most 80'),
  url: httpUrl,
  events: eventList,
  secret: secret.optional(),
  active: z.boolean().default(true),
});
const patchSchema = z
  .object({
    url: httpUrl.optional(),
    events: eventList.optional(),
    secret: secret.optional(),
    active: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'change at least one of url, events, secret, active');
const logQuery = z.object({
  status: z.enum(['pending', 'sent', 'dead']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const idParam = z.coerce.number({ message: 'must be a webhook id' }).int().positive('must be a webhook id');

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value ?? {});
  if (!r.success)
    throw new AppError('validation_failed', formatIssues(r.error.issues), {
      field: r.error.issues[0]?.path.map(String).join('.') ?? '',
    });
  return r.data;
}

/** What the API shows of a subscriber: never the secret after creation. */
function view(s: SubscriptionWithSecret) {
  const { secret: _hidden, fromEventId: _from, ...rest } = s;
  return rest;
}

export function createWebhookRouter(deps: WebhookRouterDeps): Router {
  const router = express.Router();
  router.use(express.json({ limit: '64kb' }));
  const nowIso = () => deps.now().toISOString();

  const actorOf = async (req: Request): Promise<Person> => {
    if (!deps.apiToken)
      throw new AppError('unauthorized', 'The REST API is disabled: set API_TOKEN to enable it.');
    const token = bearerOf(req.get('authorization'));
    if (!token || !tokenMatches(token, deps.apiToken))
      throw new AppError(
        'unauthorized',
        'Missing or wrong bearer token (Authorization: Bearer <API_TOKEN>).',
      );
    const onBehalf = req.get('x-on-behalf-of');
    const actor = onBehalf ? await deps.personByEmail(onBehalf) : await deps.apiAccount();
    if (!actor)
      throw new AppError('unknown_user', `X-On-Behalf-Of: no person with email ${onBehalf}.`, {
        field: 'X-On-Behalf-Of',
      });
    if (!canManageIntegrations(actor)) throw new AppError('forbidden', 'Only admins can manage webhooks.');
    return actor;
  };
  const route =
    (h: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction): void => {
      actorOf(req)
        .then(() => h(req, res))
        .catch(next);
    };
  const mustGet = async (raw: unknown): Promise<SubscriptionWithSecret> => {
    const id = parse(idParam, raw);
    const s = await deps.store.subscription(id);
    if (!s) throw new AppError('not_found', `No webhook ${id}.`);
    return s;
  };

  router.get(
    '/webhooks',
    route(async (_req, res) => {
      res.json({ webhooks: (await deps.store.subscriptions()).map(view), eventTypes: WEBHOOK_EVENT_TYPES });
    }),
  );

  router.post(
    '/webhooks',
    route(async (req, res) => {
      const b = parse(webhookSchema, req.body);
      const secretValue = b.secret ?? `whsec_${randomBytes(24).toString('base64url')}`;
      const s = await deps.store.createSubscription({ ...b, secret: secretValue, source: 'api' }, nowIso());
      res.status(201).json({ webhook: view(s), secret: secretValue, note: 'the secret is shown only now' });
    }),
  );

  router.get(
    '/webhooks/:id',
    route(async (req, res) => {
      res.json({ webhook: view(await mustGet(req.params.id)) });
    }),
  );

  router.patch(
    '/webhooks/:id',
    route(async (req, res) => {
      const s = await mustGet(req.params.id);
      const b = parse(patchSchema, req.body);
      const updated = await deps.store.updateSubscription(s.id, b, nowIso());
      res.json({ webhook: updated ? view(updated) : null });
    }),
  );

  router.delete(
    '/webhooks/:id',
    route(async (req, res) => {
      const s = await mustGet(req.params.id);
      await deps.store.deleteSubscription(s.id);
      res.status(204).end();
    }),
  );

  router.get(
    '/webhooks/:id/deliveries',
    route(async (req, res) => {
      const s = await mustGet(req.params.id);
      const q = parse(logQuery, req.query);
      res.json({ webhook: view(s), deliveries: await deps.store.log(s.id, q.limit, q.status) });
    }),
  );

  router.post(
    '/webhooks/:id/ping',
    route(async (req, res) => {
      const s = await mustGet(req.params.id);
      const at = nowIso();
      const key = `ping:${s.id}:${at}`;
      const payload = { id: key, type: 'ping', occurredAt: at, ticket: null, change: null };
      await deps.store.enqueue(
        [
          {
            kind: 'webhook',
            dedupeKey: key,
            eventType: 'ping',
            target: s.url,
            payload: JSON.stringify(payload),
            subscriptionId: s.id,
          },
        ],
        at,
      );
      deps.kick();
      res.status(202).json({ queued: payload });
    }),
  );

  router.post(
    '/webhooks/:id/deliveries/:delivery/redeliver',
    route(async (req, res) => {
      const s = await mustGet(req.params.id);
      const delivery = parse(idParam, req.params.delivery);
      if (!(await deps.store.redeliver(s.id, delivery, nowIso())))
        throw new AppError('not_found', `Webhook ${s.id} has no given-up delivery ${delivery}.`);
      deps.kick();
      res.status(202).json({ redelivering: delivery });
    }),
  );

  return router;
}
