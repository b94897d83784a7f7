/**
 * Real databases for tests: always a fresh SQLite file; PostgreSQL too when TEST_DATABASE_URL is
 * set (each test gets its own schema, dropped afterwards). Suites loop over `testDatabases()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty database URL for one test (or one suite). */
  create(): Promise<{ url: string; cleanup: () => Promise<void> }>;
}

const pgUrl = process.env.TEST_DATABASE_URL;

export const sqliteDb: TestDatabase = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'chatdesk-test-'));
    return {
      url: `sqlite:${join(dir, 'test.sqlite')}`,
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};

export const postgresDb: TestDatabase | null = pgUrl
  ? {
      name: 'postgres',
      async create() {
        const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
        const admin = new pg.Client({ connectionString: pgUrl });
        await admin.connect();
        await admin.query(`create schema ${schema}`);
        await admin.end();
        const sep = pgUrl.includes('?') ? '&' : '?';
        return {
          url: `${pgUrl}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
          cleanup: async () => {
            const c = new pg.Client({ connectionString: pgUrl });
            await c.connect();
            await c.query(`drop schema if exists ${schema} cascade`);
            await c.end();
          },
        };
      },
    }
  : null;

let told = false;
/** SQLite always; PostgreSQL when reachable through TEST_DATABASE_URL (else one line says it is skipped). */
export function testDatabases(): TestDatabase[] {
  if (!postgresDb && !told) {
    told = true;
    process.stderr.write(
      'PostgreSQL tests skipped: TEST_DATABASE_URL is not set (.ci/run sets it when 127.0.0.1:5432 answers)\n',
    );
  }
  return postgresDb ? [sqliteDb, postgresDb] : [sqliteDb];
}
