/**
 * Server processes for the benches: `chatdesk serve` exactly as `npm start` runs it (same node flags),
 * or another entry point such as the bare SDK server, started with the same flags through tsx.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
export const CHATDESK_BIN = join(root, 'bin', 'chatdesk.js');

export interface BenchChild {
  url: string;
  child: ChildProcess;
  /** Milliseconds from spawn to the start-up banner. */
  bannerMs: number;
  output(): string;
  stop(): Promise<number | null>;
}

/** The node flags of `npm start` (package.json), so a server under load runs as it is deployed. */
export function startNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/).filter((w) => w.startsWith('--'));
}

/** Spawns `node <args>` and resolves once it prints "running on http://…". */
export async function spawnServer(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 180_000,
): Promise<BenchChild> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', TEAMS_ENABLED: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += String(d);
  });
  child.stderr?.on('data', (d) => {
    out += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`no start-up banner within ${timeoutMs} ms:\n${out.slice(-3000)}`)),
      timeoutMs,
    );
    const check = () => {
      const m = /running on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(t);
        resolve(m[1].replace(/\/$/, ''));
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(t);
      reject(new Error(`${args.join(' ')} exited with ${code} before it was ready:\n${out.slice(-3000)}`));
    });
  });
  const bannerMs = performance.now() - t0;
  return {
    url,
    child,
    bannerMs,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
  };
}

export const chatdeskArgs = (extra: string[] = []): string[] => [
  ...startNodeFlags(),
  ...extra,
  CHATDESK_BIN,
  'serve',
];

export const tsxArgs = (file: string, extra: string[] = []): string[] => [
  ...startNodeFlags(),
  ...extra,
  '--import',
  'tsx',
  file,
];
