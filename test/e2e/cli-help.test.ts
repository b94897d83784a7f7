/**
 * Every command in the registry answers `--help` (and `-h`, and `chatdesk help <command>`) with its
 * usage on stdout, exit 0 and no side effect: the process ends on its own (no server left running),
 * no database file or `var/` folder appears, nothing is written to stderr. Every argument mistake is
 * one line on stderr that points to `--help`, exit 2, never a stack trace.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { captureOutput } from '../support/capture-output.js';

const BIN = join(import.meta.dirname, '../../bin/chatdesk.js');

function run(args: string[], cwd: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    // A command that started a server or a chat instead of printing its usage never ends.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`chatdesk ${args.join(' ')} did not exit by itself\nstdout: ${stdout}\nstderr: ${stderr}`),
      );
    }, 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('chatdesk <command> --help', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'chatdesk-help-'));
  // Relative on purpose: the default database path would appear in cwd if anything opened it.
  const env = {
    DATABASE_URL: 'sqlite:var/help.sqlite',
    PORT: '0',
    LOG_LEVEL: 'info',
  };
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('every registered command prints its usage on stdout, exits 0 and starts or opens nothing', async () => {
    // In this process, so that a listen() anywhere is seen; a server or chat that started instead of
    // the usage would also never return.
    const listen = vi.spyOn(Server.prototype, 'listen');
    const home = process.cwd();
    process.chdir(cwd);
    vi.stubEnv('DATABASE_URL', env.DATABASE_URL);
    try {
      const calls = COMMANDS.flatMap((c) => [
        [c.name, '--help'],
        [c.name, '-h'],
        ['help', c.name],
      ]);
      // Subcommands and flags before --help do not turn it into a real run.
      calls.push(['models', 'pull', 'Xenova/x', '--help'], ['assets', 'import', 'x.csv', '--help']);
      calls.push(['chat', '--user', 'alice@example.com', '--help'], ['backup', 'out.sqlite', '--help']);
      for (const argv of calls) {
        const what = `chatdesk ${argv.join(' ')}`;
        const io = captureOutput();
        const code = await Promise.race([
          main(argv),
          new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} did not return`)), 20_000)),
        ]);
        const [out, err] = [io.out(), io.err()];
        listen.mockClear();
        vi.mocked(process.stdout.write).mockRestore();
        vi.mocked(process.stderr.write).mockRestore();
        expect(code, `${what}\n${err}`).toBe(0);
        expect(err, what).toBe('');
        const name = argv[0] === 'help' ? argv[1] : argv[0];
        expect(out, what).toMatch(new RegExp(`^usage: chatdesk ${name}\\b`));
      }
      expect(listen).not.toHaveBeenCalled();
      expect(readdirSync(cwd), 'no database, no var/ folder, no backup file').toEqual([]);
    } finally {
      process.chdir(home);
    }
  }, 120_000);

  it('serve --help and migrate --help through the real bin: usage, exit 0, no server, no database', async () => {
    const [serve, migrate] = await Promise.all([
      run(['serve', '--help'], cwd, env),
      run(['migrate', '--help'], cwd, env),
    ]);
    for (const [name, r] of [
      ['serve', serve],
      ['migrate', migrate],
    ] as const) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^usage: chatdesk ${name}\\n`));
    }
    expect(readdirSync(cwd)).toEqual([]);
  }, 60_000);

  it('chatdesk help lists every command; help <command> prints its usage', async () => {
    const r = await run(['help'], cwd, env);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c.name}\\b`, 'm'));
    const one = await run(['help', 'backup'], cwd, env);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^usage: chatdesk backup <file>/);
    expect(readdirSync(cwd)).toEqual([]);
  }, 60_000);
});

describe('argument mistakes are one line that says what to do', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'chatdesk-args-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('an unknown option, for every command: exit 2, one line on stderr naming --help, nothing opened', async () => {
    vi.stubEnv('DATABASE_URL', `sqlite:${join(cwd, 'never.sqlite')}`);
    for (const c of COMMANDS) {
      const io = captureOutput();
      const code = await main([c.name, '--no-such-option']);
      vi.restoreAllMocks();
      const lines = io.err().trimEnd().split('\n');
      expect(code, `${c.name}: ${io.err()}`).toBe(2);
      expect(lines, `${c.name}: ${io.err()}`).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^chatdesk ${c.name}: .*chatdesk ${c.name} --help`));
      expect(io.err()).not.toMatch(/\n\s+at /);
      expect(io.out()).toBe('');
    }
    expect(existsSync(join(cwd, 'never.sqlite'))).toBe(false);
  });

  it('missing arguments and unknown commands name the fix in one line', async () => {
    vi.stubEnv('DATABASE_URL', `sqlite:${join(cwd, 'never.sqlite')}`);
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /^chatdesk: unknown command "frobnicate"\. Commands: serve, .*Run "chatdesk help"/],
      [['chat'], /^chatdesk chat: user: --user must be an email address.*chatdesk chat --help/],
      [['chat', '--user'], /^chatdesk chat: Option '-u, --user <value>' argument missing\. Run/],
      [['backup'], /^chatdesk backup: name the file to write, e\.g\. chatdesk backup /],
      [['assets'], /^chatdesk assets: name a subcommand: import, list or show\./],
      [
        ['assets', 'show'],
        /^chatdesk assets show: missing the asset tag, e\.g\. chatdesk assets show LT-1001/,
      ],
      [['report', '--format', 'pdf'], /^chatdesk report: format: --format must be table, json or csv\./],
      [['help', 'frobnicate'], /^chatdesk help: unknown command "frobnicate"/],
    ];
    for (const [argv, message] of cases) {
      const io = captureOutput();
      const code = await main(argv);
      vi.restoreAllMocks();
      expect(code, argv.join(' ')).toBe(2);
      expect(io.err().trimEnd().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(io.err(), argv.join(' ')).toMatch(message);
    }
    expect(existsSync(join(cwd, 'never.sqlite'))).toBe(false);
  });

  it('a bad configuration value stops a command before it opens anything, naming the variable', async () => {
    vi.stubEnv('DATABASE_URL', `sqlite:${join(cwd, 'never.sqlite')}`);
    vi.stubEnv('API_TOKEN', 'short');
    const io = captureOutput();
    expect(await main(['migrate'])).toBe(1);
    vi.restoreAllMocks();
    expect(io.err()).toMatch(
      /^chatdesk migrate: Invalid configuration:\n {2}API_TOKEN \(got "\*\*\*"\): must be at least 16 characters/,
    );
    expect(io.err()).not.toMatch(/\n\s+at /);
    expect(existsSync(join(cwd, 'never.sqlite'))).toBe(false);
  });
});
