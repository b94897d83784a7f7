import type { Kysely } from 'kysely';

// Frozen history: Kysely<unknown>, not today's schema. Alert intake from Prometheus Alertmanager (issue 20).
export function alerts() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // One row per Alertmanager alert group (its groupKey, hashed: keys can be long): the incident it
      // opened and the alerts firing at the last notification, so repeats update instead of duplicating.
      await db.schema
        .createTable('alert_groups')
        .addColumn('key_hash', 'text', (c) => c.primaryKey())
        .addColumn('group_key', 'text', (c) => c.notNull())
        .addColumn('ticket_id', 'integer', (c) => c.references('tickets.id').onDelete('set null'))
        // Incidents opened for this group so far: a group that fires again after its incident closed opens the next.
        .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('status', 'text', (c) => c.notNull())
        // JSON array of the fingerprints firing at the last notification.
        .addColumn('firing', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('alert_groups').execute();
    },
  };
}
