/**
 * `chatdesk people import` and `chatdesk people set-role`, run as a user runs them (the real CLI in a
 * child process on a temporary SQLite file): a whole file is validated before anything is written,
 * errors name the line and the column, and a role changes without SQL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';

const BIN = join(import.meta.dirname, '../../bin/chatdesk.js');

function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
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
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chatdesk ${args.join(' ')} timed out\n${stderr}`));
    }, 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('chatdesk people', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatdesk-people-'));
  const dbUrl = `sqlite:${join(dir, 'people.sqlite')}`;
  const env = { DATABASE_URL: dbUrl, LOG_LEVEL: 'warn' };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const people = async () => {
    const database = await openDatabase(dbUrl);
    try {
      return await database.db
        .selectFrom('people as p')
        .leftJoin('people as m', 'm.id', 'p.manager_id')
        .select(['p.email', 'p.display_name', 'p.role', 'p.time_zone', 'p.active', 'm.email as manager'])
        .orderBy('p.email')
        .execute();
    } finally {
      await database.close();
    }
  };

  it('imports a CSV (manager later in the file, groups, time zones), then set-role makes someone an agent', async () => {
    const csv = join(dir, 'people.csv');
    writeFileSync(
      csv,
      [
        'Email,Name,Role,Manager,Time Zone,Groups,Skills',
        'ann@corp.example,Ann Lee,,boss@corp.example,Europe/Madrid,,',
        '"bo@corp.example","Bo, Jr.",agent,boss@corp.example,America/Denver,service-desk;workplace,printer;phone',
        'boss@corp.example,The Boss,manager,,UTC,,',
      ].join('\n'),
    );
    const r = await run(['people', 'import', csv], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/3 created, 0 updated/);
    const rows = await people();
    expect(rows.find((p) => p.email === 'ann@corp.example')).toMatchObject({
      display_name: 'Ann Lee',
      role: 'employee',
      time_zone: 'Europe/Madrid',
      manager: 'boss@corp.example',
    });
    expect(rows.find((p) => p.email === 'bo@corp.example')).toMatchObject({
      display_name: 'Bo, Jr.',
      role: 'agent',
    });

    const set = await run(['people', 'set-role', 'ann@corp.example', 'agent'], env);
    expect(set.code).toBe(0);
    expect(set.stdout).toBe('ann@corp.example is now agent\n');
    expect((await people()).find((p) => p.email === 'ann@corp.example')?.role).toBe('agent');

    const again = await run(['people', 'import', csv], env);
    expect(again.stdout).toMatch(/0 created, 3 updated/);
  }, 120_000);

  it('refuses a bad file naming line and column, writing nothing; refuses an unknown role', async () => {
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'email,name,time_zone,active\nnew1@corp.example,New One,,\nnot-an-email,Two,,\n');
    const r = await run(['people', 'import', csv], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 3: email: must be an email address/);
    expect((await people()).some((p) => p.email === 'new1@corp.example')).toBe(false);

    const tz = join(dir, 'tz.csv');
    writeFileSync(tz, 'email,time_zone\nann@corp.example,Moon/Base\n');
    const t = await run(['people', 'import', tz], env);
    expect(t.stderr).toMatch(/line 2: time_zone: must be an IANA time zone/);

    const role = await run(['people', 'set-role', 'ann@corp.example', 'wizard'], env);
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/role: "wizard" is not one of employee, agent, manager, admin/);
    const nobody = await run(['people', 'set-role', 'ghost@corp.example', 'agent'], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/no person with email ghost@corp.example/);

    const off = join(dir, 'off.csv');
    writeFileSync(off, 'email,active\nbo@corp.example,false\n');
    const d = await run(['people', 'import', off], env);
    expect(d.stdout).toMatch(/1 deactivated/);
    expect((await people()).find((p) => p.email === 'bo@corp.example')?.active).toBe(0);
  }, 120_000);
});
