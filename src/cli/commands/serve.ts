/** `chatdesk serve`: what `npm start` runs. The server itself lives in src/main.ts. */

import { z } from 'zod';
import { loadConfig } from '../../config.js';
import { probePort } from '../../listen-errors.js';
import { parseCommandArgs } from '../args.js';

export const USAGE = `usage: chatdesk serve

Migrates the database, seeds an empty one (SEED_DEMO), loads the NLU models and serves HTTP on
HOST:PORT: Slack (POST /slack/events), Teams (POST /api/messages), the REST API (/api/v1), the web
chat (/chat), the dashboard (/), /healthz and /metrics. Stops cleanly on SIGTERM or SIGINT.
Configuration: environment variables ("chatdesk config" prints them).
npm start adds node's --max-semi-space-size=64 (less GC time under load); add it when you run
"node bin/chatdesk.js serve" yourself, e.g. from a systemd unit (docs/deploy/chatdesk.service).`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs({ name: 'serve', usage: USAGE, argv, options: {}, schema: z.object({}) });
  if (!parsed.ok) return parsed.exitCode;
  const config = loadConfig();
  // Loading the app and its models takes seconds; a port that is taken is said at once.
  await probePort(config);
  const { serve } = await import('../../main.js');
  return serve(config);
}
