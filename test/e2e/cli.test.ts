import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/chatdesk.js');

function run(
  args: string[],
  env: Record<string, string>,
  input?: string,
  timeoutMs = 90_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chatdesk ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

describe('chatdesk CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatdesk-cli-'));
  const env = {
    DATABASE_URL: `sqlite:${join(dir, 'cli.sqlite')}`,
    LOG_LEVEL: 'warn',
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('piped local chat opens an incident, then status lists it, and exits at end of input', async () => {
    const r = await run(['chat', '--user', 'alice@example.com'], env, 'my laptop screen is broken\nstatus\n');
    expect(r.code).toBe(0);
    const number = /INC\d{7}/.exec(r.stdout)?.[0];
    expect(number, r.stdout + r.stderr).toBeDefined();
    expect(r.stdout).toMatch(new RegExp(`Your open tickets \\(1\\):[\\s\\S]*${number}`));
    // stdout is the conversation only: no dotenv tips, no log lines.
    for (const line of r.stdout.trim().split('\n')) expect(line).toMatch(/^(bot> | {5})/);
  }, 120_000);

  it('refuses an unknown user and bad arguments with a specific message', async () => {
    // Independent processes: only the first opens the database, the others stop at their arguments.
    const [unknown, bad, cmd] = await Promise.all([
      run(['chat', '--user', 'ghost@example.com'], env, 'hello\n'),
      run(['chat', '--user', 'not-an-email'], env),
      run(['frobnicate'], env),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no person with email ghost@example.com/);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--user must be an email/);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toMatch(/unknown command "frobnicate"/);
  }, 120_000);

  it('stops at start-up on a bad configuration value, naming the variable and the fix', async () => {
    const r = await run(['serve'], { ...env, PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PORT \(got "eighty"\)/);
    expect(r.stderr).toMatch(/DATABASE_URL .*must be sqlite:<path>/);
  }, 60_000);

  it('stops at start-up on a corrupt data file or an unreachable database, naming the file or the server', async () => {
    const data = join(dir, 'bad-data');
    cpSync(join(import.meta.dirname, '../../data'), data, { recursive: true });
    writeFileSync(join(data, 'sla.json'), '{ "policies": { "P1": { "respondMinutes": "soon" } } }');
    const [corrupt, db] = await Promise.all([
      run(['serve'], { ...env, DATA_DIR: data, PORT: '0' }),
      run(['serve'], { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', PORT: '0' }),
    ]);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/bad-data\/sla\.json: .*policies/);
    expect(db.code).toBe(1);
    expect(db.stderr).toMatch(/Cannot reach PostgreSQL at postgres:\/\/nobody@127\.0\.0\.1:1\/none/);
  }, 120_000);

  it('serve on a port already in use exits at once with one line naming PORT, no stack trace', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      // The port is probed before the models load (worker thread included), so this takes a second.
      const r = await run(
        ['serve'],
        { ...env, NLU_THREAD: 'worker', PORT: String(port), HOST: '127.0.0.1' },
        undefined,
        60_000,
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `chatdesk serve: port ${port} on 127.0.0.1 is already in use (EADDRINUSE), perhaps by another chatdesk. Stop that process or set PORT to a free port, e.g. PORT=${port + 1} npm start.\n`,
      );
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  }, 90_000);

  it('serve answers /healthz, prints how to chat, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...process.env, ...env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no start-up banner: ${stdout}`)), 90_000);
      child.stdout.on('data', () => {
        const m = /running on (http:\/\/\S+)/.exec(stdout);
        if (m?.[1]) {
          clearTimeout(t);
          resolve(m[1]);
        }
      });
    });
    expect(stdout).toContain('/chat');
    expect(stdout).toContain('chatdesk chat --user');
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toMatchObject({ ok: true, db: 'ok' });
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 120_000);
});
