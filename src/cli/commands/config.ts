/** `chatdesk config [--markdown]`: the effective configuration, secrets hidden, or the README table. */
import { z } from 'zod';
import { loadConfig, secretsOf } from '../../config.js';
import { configTableMarkdown } from '../../config-table.js';
import { parseCommandArgs } from '../args.js';

export const USAGE = `usage: chatdesk config [--markdown]

Prints the configuration the server would use (environment variables with defaults applied; secrets
shown as ***), or exits with one line per bad variable. --markdown prints the table of every variable
that README.md shows ("npm run docs" rewrites it there).`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    name: 'config',
    usage: USAGE,
    argv,
    options: { markdown: { type: 'boolean' } },
    schema: z.object({ markdown: z.boolean().default(false) }),
  });
  if (!parsed.ok) return parsed.exitCode;
  if (parsed.args.markdown) {
    process.stdout.write(`${configTableMarkdown()}\n`);
    return 0;
  }
  const config = loadConfig();
  let text = JSON.stringify(config, null, 2);
  for (const s of secretsOf(config)) text = text.split(s).join('***');
  process.stdout.write(`${text}\n`);
  return 0;
}
