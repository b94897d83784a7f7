import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

// Frozen history: Kysely<unknown>, not today's schema. Directory provisioning (issue 20, SCIM 2.0).
export function directory(dialect: Dialect) {
  const pg = dialect === 'postgres';
  const idType = pg ? 'serial' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // SQLite adds one column per ALTER TABLE.
      const addToPeople = [
        // A deactivated person keeps their history but gets no work and no messages.
        ['active', 'integer', 1],
        // SCIM userName (lower-cased), when a directory provisions the person; their email otherwise.
        ['user_name', 'text', null],
        ['external_id', 'text', null],
        // 1 when a directory (SCIM) manages the person: their role then follows their directory groups.
        ['provisioned', 'integer', 0],
        // JSON of the directory attributes chatdesk keeps but does not act on (name parts, title, department…).
        ['directory', 'text', '{}'],
        ['deleted_at', 'text', null],
        ['updated_at', 'text', null],
      ] as const;
      for (const [name, type, def] of addToPeople) {
        await db.schema
          .alterTable('people')
          .addColumn(name, type, (c) => (def === null ? c : c.notNull().defaultTo(def)))
          .execute();
      }
      await db.schema.createIndex('people_user_name').on('people').column('user_name').unique().execute();
      await db.schema.createIndex('people_external_id').on('people').column('external_id').execute();

      // Who made a support group membership: data/groups.json ('data', rewritten at every start), the
      // directory's group mapping ('directory') or `chatdesk people import` ('manual'). Each source
      // removes only its own, so a restart does not undo provisioning.
      await db.schema
        .alterTable('group_members')
        .addColumn('source', 'text', (c) => c.notNull().defaultTo('data'))
        .execute();

      // Teams: the tenant and Entra object id of an identity, which proactive messages need.
      await db.schema.alterTable('identities').addColumn('tenant_id', 'text').execute();
      await db.schema.alterTable('identities').addColumn('aad_object_id', 'text').execute();

      const id = (t: ReturnType<Kysely<unknown>['schema']['createTable']>) =>
        t.addColumn('id', idType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()));
      // Groups as the company directory knows them (SCIM Groups); data/directory.json maps them to
      // chatdesk roles and support groups.
      await id(db.schema.createTable('directory_groups'))
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('directory_group_members')
        .addColumn('group_id', 'integer', (c) =>
          c.notNull().references('directory_groups.id').onDelete('cascade'),
        )
        .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('directory_group_members_pk', ['group_id', 'person_id'])
        .execute();
      await db.schema
        .createIndex('directory_group_members_person')
        .on('directory_group_members')
        .column('person_id')
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('directory_group_members').execute();
      await db.schema.dropTable('directory_groups').execute();
      await db.schema.alterTable('group_members').dropColumn('source').execute();
      await db.schema.alterTable('identities').dropColumn('aad_object_id').execute();
      await db.schema.alterTable('identities').dropColumn('tenant_id').execute();
      await db.schema.dropIndex('people_external_id').execute();
      await db.schema.dropIndex('people_user_name').execute();
      for (const c of [
        'updated_at',
        'deleted_at',
        'directory',
        'provisioned',
        'external_id',
        'user_name',
        'active',
      ])
        await db.schema.alterTable('people').dropColumn(c).execute();
    },
  };
}
