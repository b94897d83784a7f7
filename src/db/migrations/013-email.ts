import type { Kysely } from 'kysely';

// Frozen history: Kysely<unknown>, not today's schema. The e-mail channel (issue 20).
export function email() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // Every Message-ID the desk received or sent, with its ticket: replies thread by In-Reply-To and
      // References, and a message delivered twice (SMTP retry, IMAP re-read) is processed once.
      await db.schema
        .createTable('email_messages')
        .addColumn('message_id', 'text', (c) => c.primaryKey())
        .addColumn('ticket_id', 'integer', (c) => c.references('tickets.id').onDelete('set null'))
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('email_messages').execute();
    },
  };
}
