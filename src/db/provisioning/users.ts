/**
 * Directory users: people as the identity provider sees them (SCIM Users, CSV import, set-role), with
 * the uniqueness of user names and emails among live people. Part of the provisioning store.
 */
import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import { AppError } from '../../errors.js';
import type { ProvisioningStore, ResourceFilter, UserInput } from '../../itsm/ports.js';
import type { DirectoryUser, Role } from '../../itsm/types.js';
import { parseJsonColumn } from '../json.js';
import type { DB, PersonRow } from '../schema.js';

/** Accounts chatdesk makes for itself (the REST API, alert intake) are not people of the directory. */
const SERVICE_ACCOUNT_DOMAIN = '@chatdesk.local';

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

/** People of the directory: not deleted, not one of chatdesk's service accounts. */
const livePeople = (db: Kysely<DB>) =>
  db
    .selectFrom('people')
    .where('deleted_at', 'is', null)
    .where('email', 'not like', `%${SERVICE_ACCOUNT_DOMAIN}`);

/** The SCIM filter on Users as a WHERE clause (null = every user). */
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

async function liveUser(db: Kysely<DB>, id: number): Promise<DirectoryUser | null> {
  const r = await livePeople(db).selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toUser(r) : null;
}

/** Fails with SCIM "uniqueness" when another live person has the user name or email. */
async function checkUnique(db: Kysely<DB>, input: UserInput, exceptId: number | null): Promise<void> {
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

/** A person's columns as the directory sets them. */
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

export function directoryUsers(
  db: Kysely<DB>,
): Pick<
  ProvisioningStore,
  | 'listUsers'
  | 'user'
  | 'insertUser'
  | 'updateUser'
  | 'markDeleted'
  | 'setRole'
  | 'knownPeople'
  | 'directoryManagedPeople'
> {
  const live = () => livePeople(db);
  const user = (id: number) => liveUser(db, id);

  return {
    async listUsers(filter, offset, limit) {
      const where = userFilter(filter);
      const total = await live().select(sql<number>`count(*)`.as('n')).where(where).executeTakeFirstOrThrow();
      const rows =
        limit === 0
          ? []
          : await live().selectAll().where(where).orderBy('id').offset(offset).limit(limit).execute();
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
        await checkUnique(db, input, existing.id);
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
      await checkUnique(db, input, null);
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
      await checkUnique(db, input, id);
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

    async knownPeople(ids) {
      if (ids.length === 0) return new Set();
      const rows = await live()
        .select('id')
        .where('id', 'in', [...new Set(ids)])
        .execute();
      return new Set(rows.map((r) => r.id));
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
  };
}
