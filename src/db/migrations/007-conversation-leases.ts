import type { Kysely } from 'kysely';

// Frozen history: Kysely<unknown>, not today's schema. Issue 9: turns of one conversation run one at a
// time across processes, and finishing a leased item proves the lease is still the caller's.
export function conversationLeases() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // Null on rows accepted before this migration: those are leased on their own, as before.
      await db.schema.alterTable('inbox').addColumn('conversation_key', 'text').execute();
      // Replaced on every lease, so a worker whose lease ran out and was taken over cannot finish the item.
      await db.schema.alterTable('inbox').addColumn('lease_token', 'text').execute();
      await db.schema
        .createIndex('inbox_conversation')
        .on('inbox')
        .columns(['conversation_key', 'status', 'id'])
        .execute();
      await db.schema.alterTable('outbox').addColumn('lease_token', 'text').execute();
      // At most one live lease per conversation: the primary key is the mutex that the claim upserts.
      await db.schema
        .createTable('inbox_leases')
        .addColumn('conversation_key', 'text', (c) => c.primaryKey())
        .addColumn('lease_token', 'text', (c) => c.notNull())
        .addColumn('inbox_id', 'integer', (c) => c.notNull())
        .addColumn('locked_until', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('inbox_leases').ifExists().execute();
      await db.schema.alterTable('outbox').dropColumn('lease_token').execute();
      await db.schema.dropIndex('inbox_conversation').ifExists().execute();
      await db.schema.alterTable('inbox').dropColumn('lease_token').execute();
      await db.schema.alterTable('inbox').dropColumn('conversation_key').execute();
    },
  };
}
