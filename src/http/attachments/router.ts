/**
 * Attachments over REST: `GET /api/v1/tickets/:number/attachments` lists the files kept on a ticket and
 * `…/attachments/:id/content` serves a stored one. Bearer API_TOKEN; with `X-On-Behalf-Of` a person
 * sees the attachments of the tickets they may see (the ticket service decides).
 */
import { createReadStream } from 'node:fs';
import { resolve, sep } from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { AttachmentRecord, AttachmentStore } from '../../db/attachment-store.js';
import { AppError, formatIssues } from '../../errors.js';
import type { Person, Ticket } from '../../itsm/types.js';
import { bearerOf, tokenMatches } from '../shared/bearer.js';

interface AttachmentRouterDeps {
  apiToken: string | undefined;
  apiAccount: () => Promise<Person | null>;
  personByEmail: (email: string) => Promise<Person | null>;
  /** The ticket if `viewer` may see it (throws not_found otherwise). */
  ticket: (number: string, viewer: Person) => Promise<Ticket>;
  store: AttachmentStore;
  dir: string;
}

const numberParam = z
  .string()
  .regex(/^(INC|REQ|PRB|CHG)\d{7}$/i, 'must look like INC0000042')
  .transform((s) => s.toUpperCase());
const idParam = z.coerce
  .number({ message: 'must be an attachment id' })
  .int()
  .positive('must be an attachment id');

function parse<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new AppError(
      'validation_failed',
      `${field}: ${formatIssues(r.error.issues).replace(/^\(root\): /, '')}`,
      { field },
    );
  return r.data;
}

export function createAttachmentRouter(deps: AttachmentRouterDeps): Router {
  const router = express.Router();
  const root = resolve(deps.dir);

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
    return actor;
  };
  const view = (t: Ticket, a: AttachmentRecord) => ({
    id: a.id,
    name: a.name,
    mimeType: a.mimeType,
    size: a.size,
    storage: a.storage,
    platform: a.platform,
    url: a.url,
    ...(a.storage === 'file'
      ? { download: `/api/v1/tickets/${t.number}/attachments/${a.id}/content`, sha256: a.sha256 }
      : {}),
    note: a.note,
    createdAt: a.createdAt,
  });

  router.get('/tickets/:number/attachments', (req: Request, res: Response, next: NextFunction) => {
    (async () => {
      const actor = await actorOf(req);
      const t = await deps.ticket(parse(numberParam, req.params.number, 'number'), actor);
      res.json({ ticket: t.number, attachments: (await deps.store.ofTicket(t.id)).map((a) => view(t, a)) });
    })().catch(next);
  });

  router.get(
    '/tickets/:number/attachments/:id/content',
    (req: Request, res: Response, next: NextFunction) => {
      (async () => {
        const actor = await actorOf(req);
        const t = await deps.ticket(parse(numberParam, req.params.number, 'number'), actor);
        const id = parse(idParam, req.params.id, 'id');
        const a = await deps.store.byId(id);
        if (!a || a.ticketId !== t.id)
          throw new AppError('not_found', `${t.number} has no attachment ${id}.`);
        if (a.storage !== 'file' || !a.path)
          throw new AppError(
            'not_found',
            `Attachment ${id} is kept as a link only (${a.note ?? 'not downloaded'}): ${a.url}`,
          );
        const file = resolve(root, a.path);
        if (!file.startsWith(root + sep))
          throw new AppError('not_found', `Attachment ${id} is not in the attachment store.`);
        res.setHeader('content-type', a.mimeType ?? 'application/octet-stream');
        res.setHeader('content-disposition', `attachment; filename="${a.name.replace(/["\\\r\n]/g, '_')}"`);
        res.setHeader('x-content-type-options', 'nosniff');
        createReadStream(file).on('error', next).pipe(res);
      })().catch(next);
    },
  );

  return router;
}
