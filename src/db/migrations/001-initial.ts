import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

// Migrations are frozen history: they must not depend on today's schema types, hence Kysely<unknown>.
export function initial(dialect: Dialect) {
  const pg = dialect === 'postgres';
  const idType = pg ? 'serial' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const id = (t: ReturnType<Kysely<unknown>['schema']['createTable']>) =>
        t.addColumn('id', idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()));

      await id(db.schema.createTable('people'))
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull().defaultTo('employee'))
        .addColumn('manager_id', 'integer', (c) => c.references('people.id').onDelete('set null'))
        .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('UTC'))
        .addColumn('away', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('capacity', 'integer')
        .addColumn('skills', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await id(db.schema.createTable('identities'))
        .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('platform_user_id', 'text', (c) => c.notNull())
        .addColumn('workspace_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('identities_platform_user', ['platform', 'platform_user_id'])
        .execute();

      await id(db.schema.createTable('groups'))
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('manager_id', 'integer', (c) => c.references('people.id').onDelete('set null'))
        .addColumn('triage', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('escalation_group', 'text')
        .addColumn('calendar', 'text', (c) => c.notNull().defaultTo('business'))
        .addColumn('strategy', 'text', (c) => c.notNull().defaultTo('least_load'))
        .execute();

      await db.schema
        .createTable('group_members')
        .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id').onDelete('cascade'))
        .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'person_id'])
        .execute();

      await id(db.schema.createTable('tickets'))
        .addColumn('number', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('pending_reason', 'text')
        .addColumn('impact', 'text', (c) => c.notNull())
        .addColumn('urgency', 'text', (c) => c.notNull())
        .addColumn('priority', 'text', (c) => c.notNull())
        .addColumn('category', 'text')
        .addColumn('template_id', 'text')
        .addColumn('fields', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('requester_id', 'integer', (c) => c.notNull().references('people.id'))
        .addColumn('group_id', 'integer', (c) => c.references('groups.id'))
        .addColumn('assignee_id', 'integer', (c) => c.references('people.id'))
        .addColumn('channel', 'text', (c) => c.notNull())
        // The platform event that created the ticket: a redelivered or reprocessed event finds it
        // instead of opening a second ticket.
        .addColumn('source_key', 'text', (c) => c.unique())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('resolved_at', 'text')
        .addColumn('closed_at', 'text')
        .execute();
      await db.schema
        .createIndex('tickets_requester')
        .on('tickets')
        .columns(['requester_id', 'state'])
        .execute();
      await db.schema
        .createIndex('tickets_group_state')
        .on('tickets')
        .columns(['group_id', 'state'])
        .execute();
      await db.schema
        .createIndex('tickets_assignee_state')
        .on('tickets')
        .columns(['assignee_id', 'state'])
        .execute();

      await id(db.schema.createTable('ticket_events'))
        .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'integer', (c) => c.references('people.id'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('from_value', 'text')
        .addColumn('to_value', 'text')
        .addColumn('reason', 'text')
        .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
        .addUniqueConstraint('ticket_events_seq', ['ticket_id', 'seq'])
        .execute();

      await id(db.schema.createTable('comments'))
        .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
        .addColumn('author_id', 'integer', (c) => c.references('people.id'))
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('internal', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('platform', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('comments_ticket').on('comments').column('ticket_id').execute();

      await id(db.schema.createTable('conversations'))
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('thread_id', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('is_direct', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('workspace_id', 'text')
        .addColumn('service_url', 'text')
        .addColumn('person_id', 'integer', (c) => c.references('people.id'))
        .addColumn('ticket_id', 'integer', (c) => c.references('tickets.id').onDelete('set null'))
        .addColumn('owner', 'text', (c) => c.notNull().defaultTo('bot'))
        .addColumn('dialog', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('conversations_ref', ['platform', 'channel_id', 'thread_id'])
        .execute();
      await db.schema.createIndex('conversations_ticket').on('conversations').column('ticket_id').execute();

      await id(db.schema.createTable('inbox'))
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('dedupe_key', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'text')
        .addColumn('last_error', 'text')
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('processed_at', 'text')
        .addUniqueConstraint('inbox_dedupe', ['platform', 'dedupe_key'])
        .execute();
      await db.schema.createIndex('inbox_status').on('inbox').columns(['status', 'id']).execute();

      await id(db.schema.createTable('outbox'))
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('conversation_key', 'text', (c) => c.notNull())
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('locked_until', 'text')
        .addColumn('last_error', 'text')
        .addColumn('message_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .execute();
      await db.schema
        .createIndex('outbox_status')
        .on('outbox')
        .columns(['status', 'next_attempt_at'])
        .execute();
      await db.schema
        .createIndex('outbox_conversation')
        .on('outbox')
        .columns(['conversation_key', 'status', 'id'])
        .execute();

      await db.schema
        .createTable('counters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'integer', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('templates')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('knowledge_articles')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('category', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await id(db.schema.createTable('assets'))
        .addColumn('tag', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'integer', (c) => c.references('people.id').onDelete('set null'))
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('in_use'))
        .addColumn('location', 'text')
        .addColumn('warranty_end', 'text')
        .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
        .execute();

      await db.schema
        .createTable('ticket_assets')
        .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
        .addColumn('asset_id', 'integer', (c) => c.notNull().references('assets.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('ticket_assets_pk', ['ticket_id', 'asset_id'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const t of [
        'ticket_assets',
        'assets',
        'knowledge_articles',
        'templates',
        'counters',
        'outbox',
        'inbox',
        'conversations',
        'comments',
        'ticket_events',
        'tickets',
        'group_members',
        'groups',
        'identities',
        'people',
      ]) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}
