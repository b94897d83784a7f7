#!/usr/bin/env node
// `npm test` after Biome: the type-check and vitest side by side. The suite leaves a core idle for
// much of its run (tests waiting on child processes, sockets and back-offs), so the type-check's
// 15-25 s of CPU fits in those gaps instead of adding to the wall time. Either failing fails the gate;
// the type-check's output is printed once it ends so it does not interleave with vitest's.
import { spawn } from 'node:child_process';

function run(command, args, captureOutput) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: captureOutput ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    child.on('error', (e) => resolve({ code: 1, output: `${command}: ${e.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const [typecheck, vitest] = await Promise.all([
  run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'], true),
  run(bin('vitest'), ['run', ...process.argv.slice(2)], false),
]);
if (typecheck.code !== 0)
  process.stderr.write(`\nType-check failed (tsc -p tsconfig.json --noEmit):\n${typecheck.output}`);
else process.stdout.write('Type-check passed (tsc -p tsconfig.json --noEmit).\n');
process.exitCode = typecheck.code !== 0 ? typecheck.code : vitest.code;
