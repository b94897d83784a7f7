/**
 * Group commit (src/db/write-batcher.ts), on a real database file: writes queued together land in
 * one transaction, each caller gets its own result in order, and a write that fails fails alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Generated, type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../../src/db/connect.js';
import { createWriteBatcher } from '../../../src/db/write-batcher.js';

interface TestDb {
  notes: { id: Generated<number>; body: string };
}

describe('write batcher', () => {
  let database: Database | null = null;
  let dir = '';

  afterEach(async () => {
    await database?.close();
    database = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open() {
    dir = mkdtempSync(join(tmpdir(), 'chatdesk-batcher-'));
    database = await openDatabase(`sqlite:${join(dir, 'b.sqlite')}`);
    const db = database.db as unknown as Kysely<TestDb>;
    await sql`create table notes (id integer primary key, body text not null check (length(body) < 20))`.execute(
      db,
    );
    let transactions = 0;
    // Counts the transactions the batcher opens, to see that writes of one tick share one.
    const begin = db.transaction.bind(db);
    db.transaction = () => {
      transactions++;
      return begin();
    };
    return { db, batcher: createWriteBatcher(db), transactions: () => transactions };
  }

  const insert = (body: string) => (d: Kysely<TestDb>) =>
    d.insertInto('notes').values({ body }).returning('id').executeTakeFirstOrThrow();

  it('runs writes queued together in one transaction and answers each with its own result, in order', async () => {
    const { db, batcher, transactions } = await open();
    const ids = await Promise.all(['a', 'b', 'c', 'd'].map((b) => batcher.run(insert(b))));
    expect(ids.map((r) => r.id)).toEqual([1, 2, 3, 4]);
    expect(transactions()).toBe(1);
    expect((await db.selectFrom('notes').select('body').orderBy('id').execute()).map((r) => r.body)).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    // A write on its own needs no transaction of its own.
    expect((await batcher.run(insert('e'))).id).toBe(5);
    expect(transactions()).toBe(1);
  });

  it('a failing write fails alone: the others of its batch are stored once', async () => {
    const { db, batcher } = await open();
    const results = await Promise.allSettled([
      batcher.run(insert('first')),
      batcher.run(insert('this body is far too long for the check')),
      batcher.run(insert('third')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/CHECK constraint failed/);
    expect((await db.selectFrom('notes').select('body').orderBy('id').execute()).map((r) => r.body)).toEqual([
      'first',
      'third',
    ]);
  });
});
