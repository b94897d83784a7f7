/**
 * Who is in which directory group, and the support group memberships a directory mapping gives.
 * Part of the provisioning store.
 */
import type { Kysely } from 'kysely';
import type { ProvisioningStore } from '../../itsm/ports.js';
import type { DB } from '../schema.js';

export function directoryMemberships(
  db: Kysely<DB>,
): Pick<ProvisioningStore, 'changeMembers' | 'directoryGroupNamesOf' | 'setSupportGroups'> {
  return {
    async changeMembers(groupId, add, remove, now) {
      return db.transaction().execute(async (trx) => {
        const current = new Set(
          (
            await trx
              .selectFrom('directory_group_members')
              .select('person_id')
              .where('group_id', '=', groupId)
              .execute()
          ).map((r) => r.person_id),
        );
        const gone = remove === 'all' ? [...current] : remove.filter((p) => current.has(p));
        if (gone.length > 0)
          await trx
            .deleteFrom('directory_group_members')
            .where('group_id', '=', groupId)
            .where('person_id', 'in', gone)
            .execute();
        for (const p of gone) current.delete(p);
        const added = [...new Set(add)].filter((p) => !current.has(p));
        if (added.length > 0)
          await trx
            .insertInto('directory_group_members')
            .values(added.map((p) => ({ group_id: groupId, person_id: p })))
            .onConflict((oc) => oc.doNothing())
            .execute();
        if (gone.length > 0 || added.length > 0)
          await trx
            .updateTable('directory_groups')
            .set({ updated_at: now })
            .where('id', '=', groupId)
            .execute();
        return [...gone, ...added];
      });
    },

    async directoryGroupNamesOf(personId) {
      const rows = await db
        .selectFrom('directory_group_members as m')
        .innerJoin('directory_groups as g', 'g.id', 'm.group_id')
        .select('g.display_name')
        .where('m.person_id', '=', personId)
        .execute();
      return rows.map((r) => r.display_name);
    },

    async setSupportGroups(personId, memberships) {
      const slugs = [...memberships.keys()];
      if (slugs.length === 0) return;
      await db.transaction().execute(async (trx) => {
        const groups = await trx
          .selectFrom('groups')
          .select(['id', 'slug'])
          .where('slug', 'in', slugs)
          .execute();
        for (const g of groups) {
          if (memberships.get(g.slug))
            await trx
              .insertInto('group_members')
              .values({ group_id: g.id, person_id: personId, source: 'directory' })
              .onConflict((oc) => oc.doNothing())
              .execute();
          else
            await trx
              .deleteFrom('group_members')
              .where('group_id', '=', g.id)
              .where('person_id', '=', personId)
              .where('source', '=', 'directory')
              .execute();
        }
      });
    },
  };
}
