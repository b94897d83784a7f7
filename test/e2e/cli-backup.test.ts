/**
 * `chatdesk backup <file>`: an online backup of a live SQLite database (WAL, a writer connection open
 * and writing meanwhile) holds every committed row, passes SQLite's integrity check, and opens as a
 * chatdesk database again. Existing files are kept unless --force; PostgreSQL points to pg_dump.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { openDatabase } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { captureOutput } from '../support/capture-output.js';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureOutput();
  try {
    const code = await main(argv);
    return { code, out: io.out(), err: io.err() };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('chatdesk backup', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatdesk-backup-'));
  const live = join(dir, 'live.sqlite');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.unstubAllEnvs());

  it('copies a database that is being written, consistently, and the copy opens as chatdesk again', async () => {
    const database = await openDatabase(`sqlite:${live}`);
    await migrate(database);
    await database.close();
    // A second connection, like the running server's, keeps committing rows that live in the WAL.
    const writer = new Database(live);
    writer.pragma('journal_mode = WAL');
    writer.exec('create table backup_probe (id integer primary key, body text not null)');
    const insert = writer.prepare('insert into backup_probe (body) values (?)');
    for (let i = 0; i < 500; i++) insert.run(`row ${i}`);
    let more = 0;
    const busy = setInterval(() => {
      insert.run(`during ${more++}`);
    }, 1);
    vi.stubEnv('DATABASE_URL', `sqlite:${live}`);
    const target = join(dir, 'copy.sqlite');
    const r = await cli(['backup', target]);
    clearInterval(busy);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^backed up .*live\.sqlite to .*copy\.sqlite: \d+\.\d MB, 0 tickets, \d+ ms\n$/);

    const copy = new Database(target, { readonly: true });
    expect(copy.pragma('quick_check', { simple: true })).toBe('ok');
    const rows = (copy.prepare('select count(*) as n from backup_probe').get() as { n: number }).n;
    // Every row committed before the backup began, none half-written; rows written meanwhile may or may not be in.
    expect(rows).toBeGreaterThanOrEqual(500);
    expect(rows).toBeLessThanOrEqual(500 + more);
    copy.close();
    writer.close();
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);

    // Restoring is copying the file back: the copy is a complete, migrated chatdesk database.
    const restored = join(dir, 'restored.sqlite');
    copyFileSync(target, restored);
    const reopened = await openDatabase(`sqlite:${restored}`);
    expect(await migrate(reopened)).toEqual([]);
    await reopened.close();
  });

  it('keeps an existing file unless --force, and names the fix for PostgreSQL and a missing database', async () => {
    const target = join(dir, 'kept.sqlite');
    vi.stubEnv('DATABASE_URL', `sqlite:${live}`);
    expect((await cli(['backup', target])).code).toBe(0);
    const before = statSync(target).mtimeMs;
    const again = await cli(['backup', target]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(
      /^chatdesk backup: .*kept\.sqlite exists; choose a new name or add --force to replace it\.\n$/,
    );
    expect(statSync(target).mtimeMs).toBe(before);
    expect((await cli(['backup', target, '--force'])).code).toBe(0);

    vi.stubEnv('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/test');
    const pg = await cli(['backup', join(dir, 'pg.dump')]);
    expect(pg.code).toBe(1);
    expect(pg.err).toMatch(
      /^chatdesk backup: DATABASE_URL is PostgreSQL; back it up with pg_dump, e\.g\. pg_dump /,
    );

    vi.stubEnv('DATABASE_URL', `sqlite:${join(dir, 'missing.sqlite')}`);
    const missing = await cli(['backup', join(dir, 'x.sqlite')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(
      /no database at .*missing\.sqlite .*start chatdesk once or check DATABASE_URL/,
    );
    expect(readdirSync(dir)).not.toContain('missing.sqlite');
  });
});
