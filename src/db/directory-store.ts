import { type Kysely, sql } from 'kysely';
import type { DirectoryStore } from '../itsm/ports.js';
import { type AgentLoad, type Group, OPEN_STATES, type Person } from '../itsm/types.js';
import { parseJsonColumn } from './json.js';
import type { DB, GroupRow, PersonRow } from './schema.js';

export function toPerson(r: PersonRow): Person {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    role: r.role,
    managerId: r.manager_id,
    timeZone: r.time_zone,
    away: r.away === 1,
    capacity: r.capacity,
    skills: parseJsonColumn<string[]>(r.skills, `people.skills of ${r.email}`),
    active: r.active !== 0,
  };
}

function toGroup(r: GroupRow): Group {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    description: r.description,
    managerId: r.manager_id,
    triage: parseJsonColumn<Record<string, unknown>>(r.triage, `groups.triage of ${r.slug}`),
    escalationGroup: r.escalation_group,
    calendar: r.calendar,
    strategy: r.strategy as Group['strategy'],
  };
}

/**
 * How long a group row read is reused. Groups are written only when a process starts (syncGroups) or
 * by the CLI; dispatch and every ticket card read them, so a process re-reads them at most this often.
 */
const GROUP_TTL_MS = 60_000;

export function createDirectoryStore(db: Kysely<DB>): DirectoryStore {
  const groupCache = new Map<string, { at: number; group: Promise<Group | null> }>();
  /** A group by `id:<n>` or `slug:<s>`; a miss (or a failed read) is asked again next time. */
  function cachedGroup(key: string, load: () => Promise<GroupRow | undefined>): Promise<Group | null> {
    const now = Date.now();
    const hit = groupCache.get(key);
    if (hit && now - hit.at < GROUP_TTL_MS) return hit.group;
    const group = load().then((r) => (r ? toGroup(r) : null));
    groupCache.set(key, { at: now, group });
    group.then(
      (g) => {
        if (g === null) groupCache.delete(key);
        // Read by slug, known by id too (dispatch reads by slug, the cards that follow by id), and back.
        else
          for (const k of [`id:${g.id}`, `slug:${g.slug}`])
            if (k !== key) groupCache.set(k, { at: now, group });
      },
      () => groupCache.delete(key),
    );
    return group;
  }

  return {
    async personById(id) {
      const r = await db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toPerson(r) : null;
    },
    async personByEmail(email) {
      const r = await db
        .selectFrom('people')
        .selectAll()
        .where('email', '=', email.trim().toLowerCase())
        .executeTakeFirst();
      return r ? toPerson(r) : null;
    },
    async people(limit) {
      const rows = await db.selectFrom('people').selectAll().orderBy('id').limit(limit).execute();
      return rows.map(toPerson);
    },
    groupBySlug: (slug) =>
      cachedGroup(`slug:${slug}`, () =>
        db.selectFrom('groups').selectAll().where('slug', '=', slug).executeTakeFirst(),
      ),
    groupById: (id) =>
      cachedGroup(`id:${id}`, () =>
        db.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst(),
      ),
    async groups() {
      const all = (await db.selectFrom('groups').selectAll().orderBy('id').execute()).map(toGroup);
      const at = Date.now();
      for (const g of all) {
        const group = Promise.resolve(g);
        groupCache.set(`id:${g.id}`, { at, group });
        groupCache.set(`slug:${g.slug}`, { at, group });
      }
      return all;
    },
    async isMember(groupId, personId) {
      const r = await db
        .selectFrom('group_members')
        .select('person_id')
        .where('group_id', '=', groupId)
        .where('person_id', '=', personId)
        .executeTakeFirst();
      return r !== undefined;
    },
    async agentLoads(groupId): Promise<AgentLoad[]> {
      const rows = await db
        .selectFrom('group_members as m')
        .innerJoin('people as p', 'p.id', 'm.person_id')
        .where('m.group_id', '=', groupId)
        // A person the directory deactivated gets no new work.
        .where('p.active', '=', 1)
        .select((eb) => [
          'p.id as id',
          'p.away as away',
          'p.capacity as capacity',
          'p.skills as skills',
          eb
            .selectFrom('tickets as t')
            .select(sql<number>`count(*)`.as('n'))
            .whereRef('t.assignee_id', '=', 'p.id')
            .where('t.state', 'in', [...OPEN_STATES])
            .as('open_count'),
          eb
            .selectFrom('ticket_events as e')
            .select(sql<string>`max(e.at)`.as('last'))
            .where('e.type', '=', 'assigned')
            .where(sql<string>`e.to_value`, '=', sql<string>`cast(p.id as text)`)
            .as('last_assigned_at'),
        ])
        .orderBy('p.id')
        .execute();
      return rows.map((r) => ({
        userId: r.id,
        openCount: Number(r.open_count ?? 0),
        away: r.away === 1,
        capacity: r.capacity,
        skills: parseJsonColumn<string[]>(r.skills, 'people.skills'),
        lastAssignedAt: r.last_assigned_at ?? null,
      }));
    },
    async groupsOf(personId) {
      const rows = await db
        .selectFrom('groups as g')
        .innerJoin('group_members as m', 'm.group_id', 'g.id')
        .where('m.person_id', '=', personId)
        .selectAll('g')
        .execute();
      return rows.map(toGroup);
    },
  };
}
