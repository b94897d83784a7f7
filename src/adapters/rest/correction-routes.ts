/** REST v1: the service desk corrects the bot's intent for a text; used at the next training. */
import { basename, join } from 'node:path';
import type { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { parseInput as parse } from '../../http/shared/parse.js';
import { appendIntentCorrection } from '../../nlu/data/corrections.js';
import { listFiles } from '../../nlu/data/read-files.js';
import type { Route } from './v1-route.js';

const intentCorrectionBody = z.object({
  text: z.string().trim().min(1).max(4000),
  intent: z.string().trim().min(1).max(100),
});

export function addCorrectionRoutes(
  router: Router,
  app: { config: Pick<Config, 'DATA_DIR'> },
  route: Route,
): void {
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
}
