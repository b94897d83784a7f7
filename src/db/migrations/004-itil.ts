import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

// Frozen history: Kysely<unknown>, not today's schema. Tables of the ITIL engine (issue 7).
export function itil(dialect: Dialect) {
  const pg = dialect === 'postgres';
  const idType = pg ? 'serial' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const id = (t: ReturnType<Kysely<unknown>['schema']['createTable']>) =>
        t.addColumn('id', idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()));

      // One row per notice that must go out once (SLA warning/breach, approval reminder): the primary key
      // is the idempotency key, so two sweeps racing in two processes insert it once and only the winner notifies.
      await db.schema
        .createTable('sla_notifications')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('clock', 'text', (c) => c.notNull())
        .addColumn('due_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('sla_notifications_ticket')
        .on('sla_notifications')
        .column('ticket_id')
        .execute();

      await id(db.schema.createTable('approvals'))
        .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
        .addColumn('approver_id', 'integer', (c) => c.notNull().references('people.id'))
        // 'request' (template approval) or 'cab' (change advisory board vote).
        .addColumn('purpose', 'text', (c) => c.notNull().defaultTo('request'))
        .addColumn('policy', 'text', (c) => c.notNull().defaultTo('any'))
        .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('comment', 'text')
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'text')
        .addColumn('reminders', 'integer', (c) => c.notNull().defaultTo(0))
        .addUniqueConstraint('approvals_ticket_approver', ['ticket_id', 'approver_id', 'purpose'])
        .execute();
      await db.schema
        .createIndex('approvals_state')
        .on('approvals')
        .columns(['state', 'requested_at'])
        .execute();

      // Typed links between tickets: incident → problem, incident → change that caused it.
      await db.schema
        .createTable('ticket_links')
        .addColumn('from_ticket_id', 'integer', (c) =>
          c.notNull().references('tickets.id').onDelete('cascade'),
        )
        .addColumn('to_ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'integer', (c) => c.references('people.id'))
        .addPrimaryKeyConstraint('ticket_links_pk', ['from_ticket_id', 'to_ticket_id', 'type'])
        .execute();
      await db.schema
        .createIndex('ticket_links_to')
        .on('ticket_links')
        .columns(['to_ticket_id', 'type'])
        .execute();

      await db.schema
        .createTable('problems')
        .addColumn('ticket_id', 'integer', (c) => c.primaryKey().references('tickets.id').onDelete('cascade'))
        .addColumn('root_cause', 'text')
        .addColumn('workaround', 'text')
        .addColumn('known_error', 'integer', (c) => c.notNull().defaultTo(0))
        // JSON array of words a new report must contain to be matched to this known error.
        .addColumn('keywords', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('changes')
        .addColumn('ticket_id', 'integer', (c) => c.primaryKey().references('tickets.id').onDelete('cascade'))
        .addColumn('change_type', 'text', (c) => c.notNull())
        .addColumn('phase', 'text', (c) => c.notNull())
        .addColumn('risk_score', 'integer', (c) => c.notNull())
        .addColumn('risk_level', 'text', (c) => c.notNull())
        .addColumn('risk_reasons', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('planned_start', 'text')
        .addColumn('planned_end', 'text')
        .addColumn('cab_policy', 'text', (c) => c.notNull().defaultTo('majority'))
        .addColumn('review', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('changes_window')
        .on('changes')
        .columns(['planned_start', 'planned_end'])
        .execute();

      await db.schema
        .createTable('asset_relations')
        .addColumn('from_asset_id', 'integer', (c) => c.notNull().references('assets.id').onDelete('cascade'))
        .addColumn('to_asset_id', 'integer', (c) => c.notNull().references('assets.id').onDelete('cascade'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('asset_relations_pk', ['from_asset_id', 'to_asset_id', 'type'])
        .execute();
      await db.schema
        .alterTable('assets')
        .addColumn('criticality', 'text', (c) => c.notNull().defaultTo('medium'))
        .execute();
      await db.schema.createIndex('assets_owner').on('assets').columns(['owner_id', 'type']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('assets_owner').ifExists().execute();
      await db.schema.alterTable('assets').dropColumn('criticality').execute();
      for (const t of [
        'asset_relations',
        'changes',
        'problems',
        'ticket_links',
        'approvals',
        'sla_notifications',
      ]) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}
