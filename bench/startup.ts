/**
 * bench:startup: how long `npm start` (same node flags, `chatdesk serve`, SQLite) takes until
 * `GET /healthz` answers 200, and the resident memory once it does.
 *
 *   cold: a fresh database (migrations and seed data run) and tsx's transpile cache off, as on the
 *         first start after `npm install`;
 *   warm: a restart on that database with the transpile cache on, as every later start.
 *
 * Start-up must not retrain or rebuild what ships built: the bench fails when a start logs NLU
 * training or re-embedding, or changes a file under models/. For scale, the same run times a bare
 * `node -e` start (`startup.ratio_vs_node`: warm start / bare node start).
 *
 *   bench startup.cold_ms, startup.warm_ms, startup.rss_mb, startup.ratio_vs_node, startup.rebuilt
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHATDESK_BIN, startNodeFlags } from './child.js';

const root = join(import.meta.dirname, '..');
const WARM_RUNS = Number(process.env.BENCH_STARTUP_WARM_RUNS ?? 3);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function healthz(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
  });
}

/** Every file under models/ with its size and modification time. */
function modelsSnapshot(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p);
        out.set(p, `${s.size}:${s.mtimeMs}`);
      }
    }
  };
  walk(join(root, 'models'));
  return out;
}

interface Start {
  ms: number;
  rssMb: number;
  output: string;
}

async function startOnce(dbPath: string, cold: boolean): Promise<Start> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [...startNodeFlags(), CHATDESK_BIN, 'serve'], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: `sqlite:${dbPath}`,
      LOG_LEVEL: 'info',
      ...(cold ? { TSX_DISABLE_CACHE: '1' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += String(d);
  });
  child.stderr.on('data', (d) => {
    output += String(d);
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  try {
    const deadline = Date.now() + 180_000;
    while ((await healthz(port)) !== 200) {
      if (child.exitCode !== null)
        throw new Error(`chatdesk serve exited with ${child.exitCode}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`no /healthz within 180 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = performance.now() - t0;
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return { ms, rssMb: m?.[1] ? Number(m[1]) / 1024 : 0, output };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const REBUILD_LOGS = [/NLU trained from data/, /re-embedding/, /training from data/];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'chatdesk-bench-startup-'));
  const dbPath = join(dir, 'desk.sqlite');
  try {
    const before = modelsSnapshot();
    const node0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    const nodeMs = performance.now() - node0;
    const cold = await startOnce(dbPath, true);
    const warm: Start[] = [];
    for (let i = 0; i < WARM_RUNS; i++) warm.push(await startOnce(dbPath, false));
    warm.sort((a, b) => a.ms - b.ms);
    const mid = warm[Math.floor(warm.length / 2)] as Start;
    const after = modelsSnapshot();
    const changed = [...after].filter(([p, v]) => before.get(p) !== v).map(([p]) => p);
    const logged = [cold, ...warm].flatMap((s) =>
      REBUILD_LOGS.filter((re) => re.test(s.output)).map((re) => re.source),
    );
    const [load1] = loadavg();
    process.stdout.write(
      `cold start (fresh database, no transpile cache) ${cold.ms.toFixed(0)} ms; warm starts ${warm.map((w) => w.ms.toFixed(0)).join(', ')} ms; bare node start ${nodeMs.toFixed(0)} ms (load average ${load1?.toFixed(1)})\n`,
    );
    if (changed.length > 0) process.stdout.write(`models/ changed by start-up: ${changed.join(', ')}\n`);
    if (logged.length > 0) process.stdout.write(`start-up rebuilt: ${[...new Set(logged)].join(', ')}\n`);
    process.stdout.write(`bench startup.cold_ms=${cold.ms.toFixed(0)} ms\n`);
    process.stdout.write(`bench startup.warm_ms=${mid.ms.toFixed(0)} ms\n`);
    process.stdout.write(`bench startup.rss_mb=${mid.rssMb.toFixed(0)} MB\n`);
    process.stdout.write(`bench startup.ratio_vs_node=${(mid.ms / nodeMs).toFixed(1)} ratio\n`);
    process.stdout.write(`bench startup.rebuilt=${changed.length + logged.length} count\n`);
    if (changed.length + logged.length > 0) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench:startup failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
