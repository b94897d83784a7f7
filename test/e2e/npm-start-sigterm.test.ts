/**
 * `npm start` under a supervisor: systemd, Docker and process managers send SIGTERM to the process
 * they started, which is npm. npm runs the script through `sh -c`; the script `exec`s node so that
 * there is no shell in between to die and orphan the server. SIGTERM to npm's pid must stop the
 * server (port closed) within 5 s and leave no process behind.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

/** npm next to this node, so the test does not depend on PATH. */
function npmBin(): string {
  const beside = join(dirname(process.execPath), 'npm');
  return existsSync(beside) ? beside : 'npm';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function children(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('npm start under a supervisor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatdesk-npm-start-'));
  const leftovers: number[] = [];
  let npm: ChildProcess | null = null;
  afterAll(() => {
    for (const pid of leftovers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (npm?.pid && alive(npm.pid)) npm.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGTERM to the npm process stops the server within 5 s and leaves no orphan', async () => {
    npm = spawn(npmBin(), ['start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: `sqlite:${join(dir, 'start.sqlite')}`,
        PORT: '0',
        HOST: '127.0.0.1',
        NLU_THREAD: 'inline',
        TEAMS_ENABLED: 'false',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const npmPid = npm.pid as number;
    let out = '';
    npm.stdout?.on('data', (d) => {
      out += d;
    });
    npm.stderr?.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<void>((resolve) => npm?.once('close', () => resolve()));
    const port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no banner from npm start:\n${out}`)), 100_000);
      npm?.stdout?.on('data', () => {
        const m = /running on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m?.[1]) {
          clearTimeout(t);
          resolve(Number(m[1]));
        }
      });
    });
    // Whatever npm started (node directly, thanks to exec; a shell and node without it).
    const tree = children(npmPid);
    for (const pid of tree) leftovers.push(pid, ...children(pid));
    expect(tree.length).toBeGreaterThan(0);
    expect(await portOpen(port)).toBe(true);

    const t0 = Date.now();
    process.kill(npmPid, 'SIGTERM');
    const closed = await until(async () => !(await portOpen(port)), 5_000);
    const gone = await until(() => leftovers.every((pid) => !alive(pid)), 5_000 - (Date.now() - t0));
    expect(closed, `port ${port} still open 5 s after SIGTERM\n${out}`).toBe(true);
    expect(gone, `still running after SIGTERM: ${leftovers.filter(alive).join(', ')}`).toBe(true);
    await exited;
    // A clean stop (the server's own shutdown ran), not a kill.
    expect(out).toContain('"msg":"stopped"');
  }, 150_000);
});
