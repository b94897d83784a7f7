import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

// Frozen history: Kysely<unknown>, not today's schema. Files people send, kept on tickets (issue 20).
export function attachments(dialect: Dialect) {
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('ticket_attachments')
        .addColumn('id', pg ? 'serial' : 'integer', (c) =>
          pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
        // One row per file per ticket, whoever reprocesses the message.
        .addColumn('source_key', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('mime_type', 'text')
        .addColumn('size', 'integer')
        // 'file': kept under ATTACHMENTS_DIR (path, sha256); 'link': the platform's URL only (note says why).
        .addColumn('storage', 'text', (c) => c.notNull())
        .addColumn('path', 'text')
        .addColumn('sha256', 'text')
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('uploaded_by', 'integer', (c) => c.references('people.id'))
        .addColumn('note', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('ticket_attachments_ticket')
        .on('ticket_attachments')
        .column('ticket_id')
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('ticket_attachments').execute();
    },
  };
}
