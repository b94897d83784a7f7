import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

// Frozen history: Kysely<unknown>, not today's schema. Outbound webhooks and e-mail (issue 20).
export function webhooks(dialect: Dialect) {
  const pg = dialect === 'postgres';
  const idType = pg ? 'serial' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const id = (t: ReturnType<Kysely<unknown>['schema']['createTable']>) =>
        t.addColumn('id', idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()));

      await id(db.schema.createTable('webhook_subscriptions'))
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        // JSON array of event types, or ["*"].
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        // 'api' (REST) or 'data' (data/webhooks.json, synced at start).
        .addColumn('source', 'text', (c) => c.notNull().defaultTo('api'))
        // Ticket events up to this id happened before the subscription: they are not sent.
        .addColumn('from_event_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      // Durable deliveries to the outside (webhooks, e-mail): queued in the same transaction-free way as
      // the chat outbox, leased, retried with backoff; the rows double as the per-subscriber delivery log.
      await id(db.schema.createTable('external_deliveries'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('subscription_id', 'integer', (c) =>
          c.references('webhook_subscriptions.id').onDelete('cascade'),
        )
        .addColumn('event_id', 'integer')
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('locked_until', 'text')
        .addColumn('lease_token', 'text')
        .addColumn('response_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .execute();
      await db.schema
        .createIndex('external_deliveries_due')
        .on('external_deliveries')
        .columns(['status', 'next_attempt_at'])
        .execute();
      await db.schema
        .createIndex('external_deliveries_subscription')
        .on('external_deliveries')
        .columns(['subscription_id', 'id'])
        .execute();
      await db.schema
        .createIndex('external_deliveries_event')
        .on('external_deliveries')
        .columns(['kind', 'event_id'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('external_deliveries').execute();
      await db.schema.dropTable('webhook_subscriptions').execute();
    },
  };
}
