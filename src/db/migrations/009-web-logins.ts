import type { Kysely } from 'kysely';

// Frozen history: Kysely<unknown>, not today's schema. Issue 14: the web chat signs people in.
export function webLogins() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // Login links (`chatdesk weblogin`) and the browser sessions they are exchanged for. Only the
      // SHA-256 of each secret is kept: a copy of the database lets nobody sign in.
      await db.schema
        .createTable('web_logins')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        // Links work once; set when exchanged.
        .addColumn('used_at', 'text')
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('web_logins').execute();
    },
  };
}
