/**
 * `bench conversations.turns_ok`: the share of scripted conversation turns (test/conversations) the
 * bot gets right, over the local channel, Slack and Teams. 1.0 for the suite as shipped; the point is
 * that the suite grows with every conversation someone finds wrong.
 */
import type { PlatformName } from '../test/conversations/desk.js';
import { report, runAll, type TurnResult } from '../test/conversations/runner.js';
import { SCENARIOS } from '../test/conversations/scenarios/index.js';

const platforms: PlatformName[] = ['local', 'slack', 'teams'];
const all: TurnResult[] = [];
for (const p of platforms) {
  const started = performance.now();
  const results = await runAll(p);
  const ok = results.filter((r) => r.ok).length;
  const ms = performance.now() - started;
  process.stdout.write(
    `${p.padEnd(6)} ${ok}/${results.length} turns right in ${SCENARIOS.length} scenarios (${(ms / 1000).toFixed(1)} s, ${(ms / results.length).toFixed(0)} ms a turn)\n`,
  );
  const failed = report(results);
  if (failed) process.stdout.write(`${failed}\n`);
  all.push(...results);
}
const ok = all.filter((r) => r.ok).length;
process.stdout.write(`bench conversations.turns=${all.length} turns\n`);
process.stdout.write(`bench conversations.turns_ok=${(ok / all.length).toFixed(4)} fraction\n`);
