import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

// Frozen history: Kysely<unknown>, not today's schema.
export function kpi(dialect: Dialect) {
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // The CSI register: one row per missed KPI target (key = kpi:scopeKind:scope), kept up to date by
      // each evaluation so a miss that persists stays one item with fresh evidence.
      await db.schema
        .createTable('improvement_items')
        .addColumn('id', pg ? 'serial' : 'integer', (c) =>
          pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('key', 'text', (c) => c.notNull().unique())
        .addColumn('kpi', 'text', (c) => c.notNull())
        .addColumn('scope_kind', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
        .addColumn('owner_id', 'integer', (c) => c.references('people.id').onDelete('set null'))
        .addColumn('evidence', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('links', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('opened_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('closed_at', 'text')
        .execute();
      // The report loads a period's tickets by creation time plus whatever is still open.
      await db.schema.createIndex('tickets_created').on('tickets').column('created_at').execute();
      await db.schema.createIndex('tickets_state').on('tickets').column('state').execute();
      await db.schema.createIndex('kb_answers_answered').on('kb_answers').column('answered_at').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('kb_answers_answered').ifExists().execute();
      await db.schema.dropIndex('tickets_state').ifExists().execute();
      await db.schema.dropIndex('tickets_created').ifExists().execute();
      await db.schema.dropTable('improvement_items').ifExists().execute();
    },
  };
}
