/**
 * Where a server's CPU went, from the V8 CPU profiles `node --cpu-prof` writes (one per thread: the
 * main thread and the NLU worker). Each sample's time goes to the innermost frame that belongs to a
 * known part (NLU encoder, SQL, the SDKs, rendering, logging, …); frames of Node's own code and native
 * built-ins count for the part that called them, GC is V8's "(garbage collector)" pseudo-frame.
 *
 *   tsx bench/profile-shares.ts <dir> [from µs]   prints the shares of every *.cpuprofile in <dir>
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** URL fragment → part, first match wins (so the encoder is found before the rest of the NLU). */
const PARTS: Array<[RegExp, string]> = [
  [/onnxruntime|\/src\/nlu\/embeddings\/|@energetic-ai|@tensorflow|@xenova/, 'NLU encoder'],
  [/\/src\/nlu\/|\/natural\//, 'NLU other (tokenise, classify, search)'],
  [/better-sqlite3|\/kysely\/|\/src\/db\/|\/node_modules\/pg/, 'SQL and storage'],
  [/@slack\//, 'Slack SDK (Bolt, WebClient)'],
  [/botbuilder|botframework|jsonwebtoken|jwks|@azure|msal|jose/, 'Bot Framework SDK (incl. JWT)'],
  [
    /\/express\/|body-parser|raw-body|\/router\/|path-to-regexp|axios|undici|node-fetch/,
    'HTTP framework and clients',
  ],
  [
    /\/src\/chat\/render|\/src\/adapters\/slack\/render|\/src\/adapters\/teams\/cards|\/src\/chat\/dialogs\/texts/,
    'rendering',
  ],
  [/\/src\/log\.ts|\/pino/, 'logging'],
  [/\/zod\//, 'validation (zod)'],
  [/\/src\/adapters\//, 'chatdesk adapters'],
  [/\/src\/chat\//, 'chatdesk conversation engine'],
  [/\/src\//, 'chatdesk other'],
  [/\/tsx\/|esbuild/, 'tsx loader'],
];

function partOf(url: string): string | null {
  if (url === '' || url.startsWith('node:')) return null;
  for (const [re, part] of PARTS) if (re.test(url)) return part;
  return 'other libraries';
}

/**
 * Milliseconds of samples per part in one profile ("(idle)" excluded), counting only samples taken
 * from `fromUs` on: V8 stamps samples with the monotonic clock `process.hrtime` reads, in µs, so
 * another process can tell start-up and warm-up samples from those under measured load.
 */
export function profileShares(profile: CpuProfile, fromUs = 0): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, string>();
  const classify = (id: number): string => {
    const hit = memo.get(id);
    if (hit !== undefined) return hit;
    const n = byId.get(id);
    let part: string;
    if (!n) part = 'other';
    else if (n.callFrame.functionName === '(garbage collector)') part = 'GC';
    else if (n.callFrame.functionName === '(idle)') part = 'idle';
    else if (n.callFrame.functionName === '(program)') part = 'V8 and native (program)';
    else {
      const own = partOf(n.callFrame.url);
      const up = parent.get(id);
      part = own ?? (up === undefined ? 'Node core (HTTP, streams, timers)' : classify(up));
      if (part === 'V8 and native (program)' || part === 'idle' || part === 'other')
        part = 'Node core (HTTP, streams, timers)';
    }
    memo.set(id, part);
    return part;
  };
  const out = new Map<string, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < fromUs) return;
    const part = classify(id);
    if (part === 'idle') return;
    out.set(part, (out.get(part) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return out;
}

/** The monotonic clock as V8 stamps profile samples (µs). */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

export function printProfileShares(dir: string, fromUs = 0): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const total = new Map<string, number>();
  for (const f of files) {
    const shares = profileShares(JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile, fromUs);
    const sum = [...shares.values()].reduce((a, b) => a + b, 0);
    if (sum === 0) continue;
    process.stdout.write(`\nprofile ${f}: ${(sum / 1000).toFixed(1)} s of CPU samples\n`);
    for (const [part, ms] of [...shares].sort((a, b) => b[1] - a[1])) {
      process.stdout.write(`  ${part.padEnd(40)} ${((100 * ms) / sum).toFixed(1).padStart(5)} %\n`);
      total.set(part, (total.get(part) ?? 0) + ms);
    }
  }
  const sum = [...total.values()].reduce((a, b) => a + b, 0);
  if (sum === 0) return;
  process.stdout.write('\nwhere the CPU went, all threads:\n');
  for (const [part, ms] of [...total].sort((a, b) => b[1] - a[1])) {
    const key = part
      .toLowerCase()
      .replace(/\(.*\)/, '')
      .trim()
      .replace(/[^a-z0-9]+/g, '_');
    process.stdout.write(`bench load.profile_share.${key}=${((100 * ms) / sum).toFixed(1)} %\n`);
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: tsx bench/profile-shares.ts <dir with .cpuprofile files>');
  printProfileShares(dir, Number(process.argv[3] ?? 0));
}
