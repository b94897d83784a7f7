/**
 * `chatdesk backup <file> [--force]`: an online backup of the embedded SQLite database with SQLite's
 * backup API (better-sqlite3 `.backup()`), consistent and safe while the server keeps writing (WAL
 * readers do not block writers). The copy is written next to <file> and renamed into place only once
 * it passed `PRAGMA quick_check`, so an interrupted backup never leaves a half file under that name.
 */
import { existsSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { loadConfig, sqlitePath } from '../../config.js';
import { AppError } from '../../errors.js';
import { parseCommandArgs } from '../args.js';

export const USAGE = `usage: chatdesk backup <file> [--force]

Copies the SQLite database of DATABASE_URL into <file> while the server runs (SQLite online backup),
checks the copy and prints its size and ticket count. --force replaces an existing <file>.
Restore: stop chatdesk, copy the backup over the database file, delete its -wal and -shm files,
start chatdesk. PostgreSQL: use pg_dump, e.g. pg_dump --format=custom --file chatdesk.dump "$DATABASE_URL".`;

const argsSchema = z.object({ force: z.boolean().default(false) });

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    name: 'backup',
    usage: USAGE,
    argv,
    options: { force: { type: 'boolean' } },
    schema: argsSchema,
    allowPositionals: true,
  });
  if (!parsed.ok) return parsed.exitCode;
  const [target, ...extra] = parsed.positionals;
  if (target === undefined || extra.length > 0) {
    process.stderr.write(
      `chatdesk backup: ${target === undefined ? 'name the file to write, e.g. chatdesk backup backups/chatdesk-$(date +%F).sqlite' : `one file only (got ${parsed.positionals.length})`}. Run "chatdesk backup --help" for the usage.\n`,
    );
    return 2;
  }
  const config = loadConfig();
  const source = sqlitePath(config);
  if (source === null)
    throw new AppError(
      'config_invalid',
      'DATABASE_URL is PostgreSQL; back it up with pg_dump, e.g. pg_dump --format=custom --file chatdesk.dump "$DATABASE_URL".',
      { field: 'DATABASE_URL' },
    );
  const file = resolve(target);
  if (file === resolve(source))
    throw new AppError('validation_failed', `${target} is the database itself; name another file.`);
  if (existsSync(file) && !parsed.args.force)
    throw new AppError('conflict', `${target} exists; choose a new name or add --force to replace it.`);
  if (!existsSync(dirname(file)))
    throw new AppError(
      'validation_failed',
      `the directory ${dirname(target)} does not exist; create it first.`,
    );
  if (!existsSync(source))
    throw new AppError(
      'not_found',
      `no database at ${source} (DATABASE_URL=${config.DATABASE_URL}); start chatdesk once or check DATABASE_URL.`,
    );

  const t0 = performance.now();
  const partial = `${file}.partial-${process.pid}`;
  // Read-write only because a read-only connection cannot open a WAL database whose -shm file is
  // missing (the server stopped); the backup only reads.
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // All remaining pages in one step: one read snapshot, so writes meanwhile cannot restart the copy.
    await db.backup(partial, { progress: () => 0x7fffffff });
  } catch (e) {
    await rm(partial, { force: true });
    throw e;
  } finally {
    db.close();
  }
  let tickets: number | null = null;
  const copy = new Database(partial, { fileMustExist: true });
  try {
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok')
      throw new AppError('internal', `the copy failed its integrity check: ${String(check)}`);
    try {
      tickets = (copy.prepare('select count(*) as n from tickets').get() as { n: number }).n;
    } catch {
      tickets = null; // a database that was never migrated has no tickets table
    }
  } catch (e) {
    copy.close();
    await rm(partial, { force: true });
    throw e;
  }
  copy.close();
  await rename(partial, file);
  const { size } = await stat(file);
  process.stdout.write(
    `backed up ${source} to ${target}: ${(size / 1e6).toFixed(1)} MB, ${tickets ?? 'no'} tickets, ${Math.round(performance.now() - t0)} ms\n`,
  );
  return 0;
}
