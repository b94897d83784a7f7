import type { Kysely } from 'kysely';

// Frozen history. Every new ticket looks up its requester's direct conversations (to tell them
// there): without an index that read scanned every conversation the desk ever had.
export function conversationsByPerson() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('conversations_person')
        .on('conversations')
        .columns(['person_id', 'is_direct', 'thread_id'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('conversations_person').execute();
    },
  };
}
