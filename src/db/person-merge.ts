/**
 * Folds a provisional person into the real one once an identity's profile could be read: every column
 * that references people(id) is moved over, then the provisional row is deleted. The columns are read
 * from the database's own foreign keys, so tables added later are covered without a list to keep.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from './connect.js';
import type { DB } from './schema.js';

/** Which dialect a Kysely instance talks to; asked once per store, outside any transaction. */
export async function detectDialect(db: Kysely<DB>): Promise<Dialect> {
  try {
    await sql`select sqlite_version()`.execute(db);
    return 'sqlite';
  } catch {
    return 'postgres';
  }
}

async function columnsReferencingPeople(
  db: Kysely<DB>,
  dialect: Dialect,
): Promise<Array<{ tbl: string; col: string }>> {
  const q =
    dialect === 'sqlite'
      ? sql<{ tbl: string; col: string }>`select m.name as tbl, f."from" as col
          from sqlite_master m join pragma_foreign_key_list(m.name) f
          where m.type = 'table' and f."table" = 'people'`
      : sql<{ tbl: string; col: string }>`select cl.relname as tbl, att.attname as col
          from pg_constraint con
          join pg_class cl on cl.oid = con.conrelid
          join pg_attribute att on att.attrelid = con.conrelid and att.attnum = any(con.conkey)
          where con.contype = 'f' and con.confrelid = 'people'::regclass`;
  return (await q.execute(db)).rows;
}

/** Inside the caller's transaction: everything that named `fromId` names `toId`; `fromId` is deleted. */
export async function mergePerson(
  trx: Kysely<DB>,
  dialect: Dialect,
  fromId: number,
  toId: number,
): Promise<void> {
  for (const { tbl, col } of await columnsReferencingPeople(trx, dialect)) {
    await sql`update ${sql.table(tbl)} set ${sql.ref(col)} = ${toId} where ${sql.ref(col)} = ${fromId}`.execute(
      trx,
    );
  }
  await trx.deleteFrom('people').where('id', '=', fromId).execute();
}
