/** Kysely implementation of the directory provisioning port (src/itsm/provisioning.ts). */
import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import { AppError } from '../errors.js';
import type {
  DirectoryGroupRecord,
  DirectoryUser,
  ProvisioningStore,
  ResourceFilter,
  Role,
  UserInput,
} from '../itsm/provisioning.js';
import { parseJsonColumn } from './json.js';
import type { DB, PersonRow } from './schema.js';

/** Accounts chatdesk makes for itself (the REST API, alert intake) are not people of the directory. */
export const SERVICE_ACCOUNT_DOMAIN = '@chatdesk.local';

function toUser(r: PersonRow): DirectoryUser {
  return {
    id: r.id,
    userName: r.user_name ?? r.email,
    email: r.email,
    displayName: r.display_name,
    role: r.role,
    active: r.active !== 0,
    externalId: r.external_id,
    managerId: r.manager_id,
    timeZone: r.time_zone,
    attributes: parseJsonColumn<Record<string, string>>(r.directory, `people.directory of ${r.email}`),
    provisioned: r.provisioned === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at ?? r.created_at,
  };
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown };
  return (
    err.code === '23505' || (typeof err.message === 'string' && /UNIQUE constraint failed/.test(err.message))
  );
}

const uniqueness = (what: string) =>
  new AppError('conflict', `${what} is already taken by another user.`, {
    field: 'userName',
    details: { scimType: 'uniqueness' },
  });

export function createProvisioningStore(db: Kysely<DB>): ProvisioningStore {
  const livePeople = () =>
    db
      .selectFrom('people')
      .where('deleted_at', 'is', null)
      .where('email', 'not like', `%${SERVICE_ACCOUNT_DOMAIN}`);

  function userFilter(f: ResourceFilter | null) {
    return (eb: ExpressionBuilder<DB, 'people'>): Expression<SqlBool> => {
      if (!f) return eb.lit(true);
      switch (f.attribute) {
        case 'id': {
          const n = Number(f.value);
          return Number.isSafeInteger(n) ? eb('id', '=', n) : eb.lit(false);
        }
        case 'userName':
          return eb(sql`coalesce(user_name, email)`, '=', f.value.trim().toLowerCase());
        case 'email':
          return eb('email', '=', f.value.trim().toLowerCase());
        case 'externalId':
          return eb('external_id', '=', f.value);
        case 'displayName':
          return eb('display_name', '=', f.value);
      }
    };
  }

  async function user(id: number): Promise<DirectoryUser | null> {
    const r = await livePeople().selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toUser(r) : null;
  }

  /** Fails with SCIM "uniqueness" when another live person has the user name or email. */
  async function checkUnique(input: UserInput, exceptId: number | null): Promise<void> {
    const userName = input.userName.toLowerCase();
    const clash = await db
      .selectFrom('people')
      .select(['id', 'email', 'provisioned', 'user_name', 'deleted_at'])
      .where((eb) =>
        eb.or([
          eb(sql`coalesce(user_name, email)`, '=', userName),
          eb('email', '=', input.email),
          eb('user_name', '=', input.email),
          eb('email', '=', userName),
        ]),
      )
      .execute();
    for (const c of clash)
      if (c.id !== exceptId && c.deleted_at === null)
        throw uniqueness(`userName ${input.userName} or email ${input.email}`);
  }

  function columns(input: UserInput, now: string) {
    return {
      email: input.email,
      user_name: input.userName.toLowerCase(),
      display_name: input.displayName,
      active: input.active ? 1 : 0,
      external_id: input.externalId,
      manager_id: input.managerId,
      directory: JSON.stringify(input.attributes),
      provisioned: 1,
      updated_at: now,
      ...(input.timeZone !== null ? { time_zone: input.timeZone } : {}),
    };
  }

  return {
    async listUsers(filter, offset, limit) {
      const where = userFilter(filter);
      const total = await livePeople()
        .select(sql<number>`count(*)`.as('n'))
        .where(where)
        .executeTakeFirstOrThrow();
      const rows =
        limit === 0
          ? []
          : await livePeople().selectAll().where(where).orderBy('id').offset(offset).limit(limit).execute();
      return { total: Number(total.n), items: rows.map(toUser) };
    },

    user,

    async insertUser(input, now) {
      // A person the desk already knows (seeded, or met in chat) is adopted by the directory rather
      // than refused: the identity provider cannot know chatdesk met them first.
      const existing = await db
        .selectFrom('people')
        .selectAll()
        .where('email', '=', input.email)
        .executeTakeFirst();
      if (existing && (existing.deleted_at !== null || existing.provisioned === 0)) {
        await checkUnique(input, existing.id);
        try {
          await db
            .updateTable('people')
            .set({ ...columns(input, now), deleted_at: null })
            .where('id', '=', existing.id)
            .execute();
        } catch (e) {
          if (isUniqueViolation(e)) throw uniqueness(`userName ${input.userName}`);
          throw e;
        }
        return (await user(existing.id)) as DirectoryUser;
      }
      await checkUnique(input, null);
      try {
        const r = await db
          .insertInto('people')
          .values({
            ...columns(input, now),
            role: 'employee',
            time_zone: input.timeZone ?? 'UTC',
            capacity: null,
            created_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return (await user(r.id)) as DirectoryUser;
      } catch (e) {
        if (isUniqueViolation(e)) throw uniqueness(`userName ${input.userName} or email ${input.email}`);
        throw e;
      }
    },

    async updateUser(id, input, now) {
      await checkUnique(input, id);
      try {
        await db.updateTable('people').set(columns(input, now)).where('id', '=', id).execute();
      } catch (e) {
        if (isUniqueViolation(e)) throw uniqueness(`userName ${input.userName} or email ${input.email}`);
        throw e;
      }
      return (await user(id)) as DirectoryUser;
    },

    async markDeleted(id, now) {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('people')
          .set({ deleted_at: now, active: 0, updated_at: now })
          .where('id', '=', id)
          .execute();
        await trx.deleteFrom('directory_group_members').where('person_id', '=', id).execute();
      });
    },

    async setRole(personId, role: Role, now) {
      await db.updateTable('people').set({ role, updated_at: now }).where('id', '=', personId).execute();
    },

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
      const members = withMembers ? await membersOf(rows.map((r) => r.id)) : new Map();
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
        members: (await membersOf([r.id])).get(r.id) ?? [],
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

    async knownPeople(ids) {
      if (ids.length === 0) return new Set();
      const rows = await livePeople()
        .select('id')
        .where('id', 'in', [...new Set(ids)])
        .execute();
      return new Set(rows.map((r) => r.id));
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

    async directoryManagedPeople() {
      const rows = await db
        .selectFrom('people')
        .select('id')
        .where('deleted_at', 'is', null)
        .where((eb) =>
          eb.or([
            eb('provisioned', '=', 1),
            eb.exists(
              eb
                .selectFrom('directory_group_members as m')
                .select('m.person_id')
                .whereRef('m.person_id', '=', 'people.id'),
            ),
          ]),
        )
        .orderBy('id')
        .execute();
      return rows.map((r) => r.id);
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

  async function membersOf(groupIds: number[]): Promise<Map<number, Array<{ id: number; display: string }>>> {
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
}

/** Threads an agent owned go back to the queue (the person was deactivated); returns how many. */
export async function releaseAgentConversations(
  db: Kysely<DB>,
  personId: number,
  now: string,
): Promise<number> {
  const r = await db
    .updateTable('conversations')
    .set({ owner: 'queue', updated_at: now })
    .where('owner', '=', `agent:${personId}`)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export { importPeople } from './people-import.js';
