import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

// Frozen history: Kysely<unknown>, not today's schema. Who moved or handed over an improvement item,
// when and why: the CSI register's audit trail (issue 18 item 12).
export function improvementEvents(dialect: Dialect) {
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('improvement_events')
        .addColumn('id', pg ? 'serial' : 'integer', (c) =>
          pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('item_id', 'integer', (c) =>
          c.notNull().references('improvement_items.id').onDelete('cascade'),
        )
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'integer', (c) => c.references('people.id'))
        // 'status' or 'owner'
        .addColumn('field', 'text', (c) => c.notNull())
        .addColumn('from_value', 'text')
        .addColumn('to_value', 'text')
        .addColumn('note', 'text')
        .execute();
      await db.schema
        .createIndex('improvement_events_item')
        .on('improvement_events')
        .column('item_id')
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('improvement_events').execute();
    },
  };
}
