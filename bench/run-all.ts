/**
 * `npm run bench`: runs every benchmark script in bench/ one after another (they compete for the
 * same two cores, so never in parallel) and repeats their `bench <key>=<value> <unit>` lines at the end.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ORDER = ['nlu', 'encoder', 'sla-replay', 'kpi', 'db', 'startup', 'load', 'conversations'];
const here = import.meta.dirname;
const only = process.argv.slice(2);
const figures: string[] = [];
let failed = 0;

for (const name of ORDER) {
  if (only.length > 0 && !only.includes(name)) continue;
  const file = join(here, `${name}.ts`);
  if (!existsSync(file)) continue;
  process.stdout.write(`\n=== bench/${name}.ts ===\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    env: { ...process.env, DOTENV_CONFIG_QUIET: 'true' },
  });
  process.stdout.write(r.stdout ?? '');
  figures.push(...(r.stdout ?? '').split('\n').filter((l) => l.startsWith('bench ')));
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`bench/${name}.ts exited with ${r.status}\n`);
  }
}

process.stdout.write(`\n=== summary (${figures.length} figures) ===\n${figures.join('\n')}\n`);
process.exitCode = failed > 0 ? 1 : 0;
