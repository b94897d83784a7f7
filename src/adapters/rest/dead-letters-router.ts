/**
 * GET /api/v1/dead-letters?kind=turn|reply&limit=100 — accepted messages whose processing was given up
 * and replies that could not be delivered, newest first (admins only: bearer API_TOKEN, acting as the
 * API service account or, with X-On-Behalf-Of, as an admin).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { deadLettersFor } from '../../chat/dead-letters.js';
import type { ChatStore } from '../../chat/store.js';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { API_PERSON_EMAIL } from '../../http/shared/api-account.js';
import { tokenMatches } from '../../http/shared/bearer.js';
import { parseInput as parseQuery } from '../../http/shared/parse.js';
import type { DirectoryStore } from '../../itsm/ports.js';

const query = z.object({
  kind: z.enum(['turn', 'reply']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** What the dead-letter route calls, nothing else. */
export interface DeadLetterDeps {
  config: Pick<Config, 'API_TOKEN'>;
  directory: DirectoryStore;
  chatStore: ChatStore;
}

export function createDeadLettersRouter(app: DeadLetterDeps): Router {
  const router = express.Router();
  router.get('/', (req: Request, res: Response, next: NextFunction) => {
    (async () => {
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
      const actor = await app.directory.personByEmail(onBehalf ?? API_PERSON_EMAIL);
      if (!actor)
        throw onBehalf
          ? new AppError('unknown_user', `X-On-Behalf-Of: no person with email ${onBehalf}.`, {
              field: 'X-On-Behalf-Of',
            })
          : new AppError('internal', 'The API service account is missing; restart chatdesk to recreate it.');
      const q = parseQuery(query, req.query);
      const letters = await deadLettersFor(actor, app.chatStore, {
        limit: q.limit,
        ...(q.kind ? { kind: q.kind } : {}),
      });
      res.json({ deadLetters: letters });
    })().catch(next);
  });
  return router;
}
