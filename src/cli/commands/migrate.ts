/** `chatdesk migrate`: brings the schema up to date (and seeds an empty database) without serving. */
import { z } from 'zod';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../log.js';
import { parseCommandArgs } from '../args.js';

export const USAGE = `usage: chatdesk migrate

Applies the pending schema migrations to DATABASE_URL (SQLite or PostgreSQL), seeds an empty
database like "chatdesk serve" does, and exits. "chatdesk serve" migrates on its own; run this first
when several instances share one PostgreSQL database, or to check a database before a deployment.`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs({ name: 'migrate', usage: USAGE, argv, options: {}, schema: z.object({}) });
  if (!parsed.ok) return parsed.exitCode;
  const config = loadConfig();
  // Loaded here, not at the top: `--help` must not pay for the whole app.
  const { createApp } = await import('../../app.js');
  const app = await createApp(config, { serve: false, log: createLogger({ level: config.LOG_LEVEL }) });
  await app.close();
  process.stdout.write('database is up to date\n');
  return 0;
}
