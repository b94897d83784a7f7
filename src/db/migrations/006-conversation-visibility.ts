import type { Kysely } from 'kysely';

// Frozen history: Kysely<unknown>, not today's schema.
export function conversationVisibility() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // Teams addresses a channel thread differently from a group chat; the stored ref must say which.
      await db.schema
        .alterTable('conversations')
        .addColumn('is_public', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('conversations').dropColumn('is_public').execute();
    },
  };
}
