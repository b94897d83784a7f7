/** Directory groups (SCIM Groups): the records and, on read, their members. Part of the provisioning store. */
import { type Kysely, sql } from 'kysely';
import type { ProvisioningStore } from '../../itsm/ports.js';
import type { DirectoryGroupRecord } from '../../itsm/types.js';
import type { DB } from '../schema.js';

/** Each group's members (id and display name), in person order. */
async function membersOf(
  db: Kysely<DB>,
  groupIds: number[],
): Promise<Map<number, Array<{ id: number; display: string }>>> {
  const out = new Map<number, Array<{ id: number; display: string }>>();
  if (groupIds.length === 0) return out;
  const rows = await db
    .selectFrom('directory_group_members as m')
    .innerJoin('people as p', 'p.id', 'm.person_id')
    .select(['m.group_id', 'p.id', 'p.display_name'])
    .where('m.group_id', 'in', groupIds)
    .orderBy('p.id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.group_id) ?? [];
    list.push({ id: r.id, display: r.display_name });
    out.set(r.group_id, list);
  }
  return out;
}

export function directoryGroups(
  db: Kysely<DB>,
): Pick<ProvisioningStore, 'listGroups' | 'group' | 'insertGroup' | 'updateGroup' | 'deleteGroup'> {
  return {
    async listGroups(filter, offset, limit, withMembers) {
      const base = () =>
        db.selectFrom('directory_groups').where((eb) => {
          if (!filter) return eb.lit(true);
          switch (filter.attribute) {
            case 'id': {
              const n = Number(filter.value);
              return Number.isSafeInteger(n) ? eb('id', '=', n) : eb.lit(false);
            }
            case 'displayName':
              return eb(sql`lower(display_name)`, '=', filter.value.toLowerCase());
            case 'externalId':
              return eb('external_id', '=', filter.value);
            default:
              return eb.lit(false);
          }
        });
      const total = await base().select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
      const rows =
        limit === 0 ? [] : await base().selectAll().orderBy('id').offset(offset).limit(limit).execute();
      const members = withMembers
        ? await membersOf(
            db,
            rows.map((r) => r.id),
          )
        : new Map();
      return {
        total: Number(total.n),
        items: rows.map((r) => ({
          id: r.id,
          displayName: r.display_name,
          externalId: r.external_id,
          members: members.get(r.id) ?? [],
          createdAt: r.created_at,
          updatedAt: r.updated_at,
        })),
      };
    },

    async group(id) {
      const r = await db.selectFrom('directory_groups').selectAll().where('id', '=', id).executeTakeFirst();
      if (!r) return null;
      const g: DirectoryGroupRecord = {
        id: r.id,
        displayName: r.display_name,
        externalId: r.external_id,
        members: (await membersOf(db, [r.id])).get(r.id) ?? [],
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      };
      return g;
    },

    async insertGroup(displayName, externalId, now) {
      const r = await db
        .insertInto('directory_groups')
        .values({ display_name: displayName, external_id: externalId, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },

    async updateGroup(id, displayName, externalId, now) {
      await db
        .updateTable('directory_groups')
        .set({ display_name: displayName, external_id: externalId, updated_at: now })
        .where('id', '=', id)
        .execute();
    },

    async deleteGroup(id) {
      return db.transaction().execute(async (trx) => {
        const members = (
          await trx
            .selectFrom('directory_group_members')
            .select('person_id')
            .where('group_id', '=', id)
            .execute()
        ).map((r) => r.person_id);
        await trx.deleteFrom('directory_group_members').where('group_id', '=', id).execute();
        await trx.deleteFrom('directory_groups').where('id', '=', id).execute();
        return members;
      });
    },
  };
}
