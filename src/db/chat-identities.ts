/**
 * Platform identities and the people behind them. When a platform cannot say who someone is (its API
 * is down), the person is provisional — known by platform user id only — and is completed from the
 * profile later: renamed when the email is new to the desk, merged into the existing person otherwise.
 */
import { type Kysely, sql } from 'kysely';
import type { Platform, PlatformUser } from '../chat/message.js';
import type { ChatStore } from '../chat/store.js';
import { toConversation } from './chat-rows.js';
import type { Dialect } from './connect.js';
import { toPerson } from './directory-store.js';
import { detectDialect, mergePerson } from './person-merge.js';
import type { ConversationRow, DB, PersonRow } from './schema.js';
import { teamsServiceUrlOf } from './teams-seen.js';

/** `.invalid` is reserved (RFC 2606): the placeholder can never be somebody's address. */
const PENDING_EMAIL_DOMAIN = 'identity-pending.invalid';

const placeholderEmail = (user: PlatformUser): string =>
  `${user.platform}.${user.platformUserId}`.toLowerCase().replace(/[^a-z0-9._-]/g, '_') +
  `@${PENDING_EMAIL_DOMAIN}`;

type IdentityPart = Pick<
  ChatStore,
  | 'personFor'
  | 'personAndConversation'
  | 'linkIdentity'
  | 'provisionalPerson'
  | 'pendingIdentities'
  | 'identitiesOf'
>;

type Reads = Pick<ChatStore, 'personFor' | 'personAndConversation' | 'pendingIdentities' | 'identitiesOf'>;
type Writes = Pick<ChatStore, 'linkIdentity' | 'provisionalPerson'>;

export function createIdentityPart(db: Kysely<DB>, dialect?: Dialect): IdentityPart {
  let known: Promise<Dialect> | null = dialect ? Promise.resolve(dialect) : null;
  const dialectOf = () => {
    known ??= detectDialect(db);
    return known;
  };
  return { ...identityReads(db), ...identityWrites(db, dialectOf) };
}

/** Who a platform user is, with their conversation; identities still waiting for a profile. */
function identityReads(db: Kysely<DB>): Reads {
  return {
    async personFor(user) {
      const r = await db
        .selectFrom('identities as i')
        .innerJoin('people as p', 'p.id', 'i.person_id')
        .selectAll('p')
        .select('i.profile_pending')
        .where('i.platform', '=', user.platform)
        .where('i.platform_user_id', '=', user.platformUserId)
        .executeTakeFirst();
      return r ? { ...toPerson(r), identityPending: r.profile_pending === 1 } : null;
    },

    // One row whatever exists: both sides are left joined onto a single-row base.
    async personAndConversation(user, ref) {
      const r = await db
        .selectFrom(sql<{ one: number }>`(select 1 as one)`.as('x'))
        .leftJoin('identities as i', (j) =>
          j.on('i.platform', '=', user.platform).on('i.platform_user_id', '=', user.platformUserId),
        )
        .leftJoin('people as p', 'p.id', 'i.person_id')
        .leftJoin('conversations as c', (j) =>
          j
            .on('c.platform', '=', ref.platform)
            .on('c.channel_id', '=', ref.channelId)
            .on('c.thread_id', '=', ref.threadId ?? ''),
        )
        .selectAll('p')
        .select([
          'i.profile_pending',
          'c.id as c_id',
          'c.platform as c_platform',
          'c.channel_id as c_channel_id',
          'c.thread_id as c_thread_id',
          'c.is_direct as c_is_direct',
          'c.workspace_id as c_workspace_id',
          'c.service_url as c_service_url',
          'c.person_id as c_person_id',
          'c.ticket_id as c_ticket_id',
          'c.owner as c_owner',
          'c.dialog as c_dialog',
          'c.role as c_role',
          'c.is_public as c_is_public',
          'c.created_at as c_created_at',
          'c.updated_at as c_updated_at',
        ])
        .executeTakeFirstOrThrow();
      const person =
        r.id === null ? null : { ...toPerson(r as PersonRow), identityPending: r.profile_pending === 1 };
      const conversation =
        r.c_id === null
          ? null
          : toConversation({
              id: r.c_id,
              platform: r.c_platform as string,
              channel_id: r.c_channel_id as string,
              thread_id: r.c_thread_id as string,
              is_direct: r.c_is_direct as number,
              workspace_id: r.c_workspace_id,
              service_url: r.c_service_url,
              person_id: r.c_person_id,
              ticket_id: r.c_ticket_id,
              owner: r.c_owner as string,
              dialog: r.c_dialog as string,
              role: r.c_role as ConversationRow['role'],
              is_public: r.c_is_public as number,
              created_at: r.c_created_at as string,
              updated_at: r.c_updated_at as string,
            });
      return { person, conversation };
    },

    async pendingIdentities(limit) {
      const rows = await db
        .selectFrom('identities')
        .select(['platform', 'platform_user_id', 'person_id'])
        .where('profile_pending', '=', 1)
        .orderBy('id')
        .limit(limit)
        .execute();
      const out = [];
      for (const r of rows) {
        const conv = await db
          .selectFrom('conversations')
          .selectAll()
          .where('person_id', '=', r.person_id)
          .where('platform', '=', r.platform)
          .orderBy('updated_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        out.push({
          user: { platform: r.platform as Platform, platformUserId: r.platform_user_id },
          where: conv ? toConversation(conv).ref : null,
        });
      }
      return out;
    },

    async identitiesOf(personId) {
      const rows = await db
        .selectFrom('identities')
        .selectAll()
        .where('person_id', '=', personId)
        .orderBy('id')
        .execute();
      return Promise.all(
        rows.map(async (r) => {
          const teams = r.platform === 'teams';
          // Teams: the tenant is the workspace, and the connector is the one the person was seen through.
          const workspaceId = r.workspace_id ?? (teams ? r.tenant_id : null);
          return {
            platform: r.platform as Platform,
            platformUserId: r.platform_user_id,
            workspaceId,
            serviceUrl: teams ? await teamsServiceUrlOf(db, personId, workspaceId) : null,
          };
        }),
      );
    },
  };
}

/** Linking a platform user to a person (merging a provisional one), and provisional people. */
function identityWrites(db: Kysely<DB>, dialectOf: () => Promise<Dialect>): Writes {
  const identityRow = (trx: Kysely<DB>, user: PlatformUser) =>
    trx
      .selectFrom('identities')
      .select(['person_id', 'profile_pending'])
      .where('platform', '=', user.platform)
      .where('platform_user_id', '=', user.platformUserId)
      .executeTakeFirst();

  return {
    async linkIdentity(user, email, displayName, now, details = {}) {
      const normalized = email.trim().toLowerCase();
      const d = await dialectOf();
      return db.transaction().execute(async (trx) => {
        const current = await identityRow(trx, user);
        const provisional = current?.profile_pending === 1 ? current.person_id : null;
        const existing = await trx
          .selectFrom('people')
          .select('id')
          .where('email', '=', normalized)
          .executeTakeFirst();
        if (provisional !== null && !existing) {
          // New to the desk: the provisional person simply becomes them.
          await trx
            .updateTable('people')
            .set({ email: normalized, display_name: displayName, time_zone: details.timeZone ?? 'UTC' })
            .where('id', '=', provisional)
            .execute();
        } else if (!existing) {
          await trx
            .insertInto('people')
            .values({
              email: normalized,
              display_name: displayName,
              role: 'employee',
              manager_id: null,
              time_zone: details.timeZone ?? 'UTC',
              capacity: null,
              created_at: now,
            })
            .onConflict((oc) => oc.column('email').doNothing())
            .execute();
        }
        const person = await trx
          .selectFrom('people')
          .selectAll()
          .where('email', '=', normalized)
          .executeTakeFirstOrThrow();
        if (provisional !== null && provisional !== person.id)
          await mergePerson(trx, d, provisional, person.id);
        // UTC is only the placeholder of people nobody gave a zone: the platform's is better.
        if (person.time_zone === 'UTC' && details.timeZone && details.timeZone !== 'UTC') {
          await trx
            .updateTable('people')
            .set({ time_zone: details.timeZone })
            .where('id', '=', person.id)
            .execute();
          person.time_zone = details.timeZone;
        }
        const tenant = { tenant_id: details.tenantId ?? null, aad_object_id: details.aadObjectId ?? null };
        await trx
          .insertInto('identities')
          .values({
            person_id: person.id,
            platform: user.platform,
            platform_user_id: user.platformUserId,
            workspace_id: null,
            created_at: now,
            profile_pending: 0,
            ...tenant,
          })
          .onConflict((oc) =>
            oc
              .columns(['platform', 'platform_user_id'])
              .doUpdateSet({ person_id: person.id, profile_pending: 0, ...tenant }),
          )
          .execute();
        return toPerson(person);
      });
    },

    async provisionalPerson(user, displayName, now) {
      return db.transaction().execute(async (trx) => {
        const email = placeholderEmail(user);
        await trx
          .insertInto('people')
          .values({
            email,
            display_name: displayName,
            role: 'employee',
            manager_id: null,
            time_zone: 'UTC',
            capacity: null,
            created_at: now,
          })
          .onConflict((oc) => oc.column('email').doNothing())
          .execute();
        const person = await trx
          .selectFrom('people')
          .select('id')
          .where('email', '=', email)
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('identities')
          .values({
            person_id: person.id,
            platform: user.platform,
            platform_user_id: user.platformUserId,
            workspace_id: null,
            created_at: now,
            profile_pending: 1,
          })
          // Linked meanwhile (another process read the profile): that link stands.
          .onConflict((oc) => oc.columns(['platform', 'platform_user_id']).doNothing())
          .execute();
        const linked = await identityRow(trx, user);
        return toPerson(
          await trx
            .selectFrom('people')
            .selectAll()
            .where('id', '=', linked?.person_id ?? person.id)
            .executeTakeFirstOrThrow(),
        );
      });
    },
  };
}
