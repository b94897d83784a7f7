import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

// Frozen history: Kysely<unknown>, not today's schema.
export function handoffAndKnowledge(dialect: Dialect) {
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // 'requester' conversations are where an employee talks to the desk; 'agents' conversations are
      // the triage-channel threads where agents work a ticket.
      await db.schema
        .alterTable('conversations')
        .addColumn('role', 'text', (c) => c.notNull().defaultTo('requester'))
        .execute();
      await db.schema
        .createTable('kb_answers')
        .addColumn('id', pg ? 'serial' : 'integer', (c) =>
          pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id'))
        .addColumn('article_id', 'text', (c) => c.notNull())
        .addColumn('query', 'text', (c) => c.notNull())
        .addColumn('intent', 'text')
        .addColumn('confidence', 'real')
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('answered_at', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull().defaultTo('none'))
        .addColumn('outcome_at', 'text')
        .addColumn('ticket_id', 'integer', (c) => c.references('tickets.id').onDelete('set null'))
        .execute();
      await db.schema
        .createIndex('kb_answers_person')
        .on('kb_answers')
        .columns(['person_id', 'answered_at'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('kb_answers').ifExists().execute();
      await db.schema.alterTable('conversations').dropColumn('role').execute();
    },
  };
}
