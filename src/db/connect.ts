/**
 * Opens the database named by DATABASE_URL behind one Kysely<DB> type. The only module that knows
 * which driver is underneath; everything else uses Kysely.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type LogEvent, PostgresDialect, type SqliteDatabase, SqliteDialect, sql } from 'kysely';
import { AppError } from '../errors.js';
import type { DB } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * Called with the text of every statement the database runs, transaction control included (benches
   * and tests count them: bench/statement-count.ts). Unset in production: no cost.
   */
  onStatement?: (sql: string) => void;
}

export async function openDatabase(url: string, opts: OpenOptions = {}): Promise<Database> {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), opts);
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url, opts);
  throw new AppError('config_invalid', `DATABASE_URL "${url}" is neither sqlite:<path> nor postgres://…`, {
    field: 'DATABASE_URL',
  });
}

/** Kysely's query log, which sees every statement a connection runs (begin and commit too). */
function statementLog(opts: OpenOptions): { log?: (event: LogEvent) => void } {
  const on = opts.onStatement;
  return on ? { log: (event) => on(event.query.sql) } : {};
}

function openSqlite(path: string, opts: OpenOptions): Database {
  if (path.length === 0) {
    throw new AppError(
      'config_invalid',
      'DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:var/chatdesk.sqlite',
      {
        field: 'DATABASE_URL',
      },
    );
  }
  let conn: SQLite.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    conn = new SQLite(path);
    // WAL lets the web chat read while the engine writes; the busy timeout rides out short locks
    // from a second process (the local chat next to the server) instead of failing at once.
    conn.pragma('journal_mode = WAL');
    conn.pragma('foreign_keys = ON');
    conn.pragma('busy_timeout = 5000');
    conn.pragma('synchronous = NORMAL');
    // Sorts and unions of a turn's reads build small temporary b-trees; in memory they cost less
    // than SQLite's default temporary files.
    conn.pragma('temp_store = MEMORY');
  } catch (cause) {
    throw new AppError(
      'db_unavailable',
      `Cannot open the SQLite database at ${path}: ${(cause as Error).message}. Check the path in DATABASE_URL and that the directory is writable.`,
      { cause, field: 'DATABASE_URL' },
    );
  }
  const db = new Kysely<DB>({
    dialect: new SqliteDialect({ database: withStatementCache(conn) }),
    ...statementLog(opts),
  });
  return {
    db,
    dialect: 'sqlite',
    close: async () => {
      await db.destroy();
    },
  };
}

/**
 * Kysely prepares every query afresh; on SQLite, preparing costs about as much as running a small
 * query, and the app runs the same few hundred query shapes all day. Statements are reusable in
 * better-sqlite3 (it re-prepares by itself after a schema change), so the most recent ones are kept.
 */
function withStatementCache(conn: SQLite.Database, size = 500): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => conn.close(),
    prepare(query: string) {
      let stmt = cache.get(query);
      if (stmt === undefined) {
        stmt = conn.prepare(query);
        if (cache.size >= size) cache.delete(cache.keys().next().value as string);
      } else {
        cache.delete(query); // re-inserted below: the map's order is least-recently-used first
      }
      cache.set(query, stmt);
      return stmt;
    },
  };
}

async function openPostgres(url: string, opts: OpenOptions): Promise<Database> {
  // Loaded here, not at the top: an embedded (SQLite) desk never needs the driver's start-up cost.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), ...statementLog(opts) });
  try {
    await sql`select 1`.execute(db);
  } catch (cause) {
    await db.destroy().catch(() => undefined);
    throw new AppError(
      'db_unavailable',
      `Cannot reach PostgreSQL at ${redactUrl(url)}: ${(cause as Error).message}. Is the server running and DATABASE_URL right?`,
      { cause, field: 'DATABASE_URL' },
    );
  }
  return {
    db,
    dialect: 'postgres',
    close: async () => {
      await db.destroy();
    },
  };
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}

/** Health check used by /healthz. */
export async function pingDatabase(db: Kysely<DB>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
