import type { Kysely } from 'kysely';

// Frozen history: Kysely<unknown>, not today's schema. Issue 22: durable under crashes and outages.
export function bootIdsAndPendingIdentities() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // One row per process start. A lease names the boot that took it, so a restarted process can
      // tell its dead predecessor's leases from a live neighbour's and reclaim them at once.
      await db.schema
        .createTable('boots')
        .addColumn('boot_id', 'text', (c) => c.primaryKey())
        // NODE_ID when configured (an identity the operator keeps across restarts), else null.
        .addColumn('node_id', 'text')
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('inbox').addColumn('lease_boot', 'text').execute();
      await db.schema.alterTable('inbox_leases').addColumn('boot_id', 'text').execute();
      await db.schema.alterTable('outbox').addColumn('lease_boot', 'text').execute();
      // 1 when an earlier attempt may have reached the platform without its outcome being recorded
      // (an ambiguous failure: timeout, dropped connection, 5xx): the next attempt checks first.
      await db.schema
        .alterTable('outbox')
        .addColumn('unconfirmed', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // 1 while the platform profile (email, name) of an identity could not be read: its person is
      // provisional and is completed (or merged into the real one) once the look-up succeeds.
      await db.schema
        .alterTable('identities')
        .addColumn('profile_pending', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('identities').dropColumn('profile_pending').execute();
      await db.schema.alterTable('outbox').dropColumn('unconfirmed').execute();
      await db.schema.alterTable('outbox').dropColumn('lease_boot').execute();
      await db.schema.alterTable('inbox_leases').dropColumn('boot_id').execute();
      await db.schema.alterTable('inbox').dropColumn('lease_boot').execute();
      await db.schema.dropTable('boots').ifExists().execute();
    },
  };
}
