/**
 * Writes authored data into the database: groups, templates and knowledge are synced on every
 * start (data/ is their source of truth); demo people and assets only into an empty database.
 */
import type { Kysely } from 'kysely';
import type { AssetsFile, GroupsFile, PeopleFile } from '../itsm/directory-data.js';
import type { Template } from '../itsm/templates.js';
import type { DB } from './schema.js';

interface ArticleInput {
  id: string;
  title: string;
  body: string;
  tags: string[];
  category: string | null;
}

export async function isEmpty(db: Kysely<DB>): Promise<boolean> {
  const r = await db.selectFrom('people').select('id').limit(1).executeTakeFirst();
  return r === undefined;
}

/** Seeds demo people and assets in one transaction; nothing is half-written if a row fails. */
export async function seedDemo(
  db: Kysely<DB>,
  people: PeopleFile,
  assets: AssetsFile,
  now: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const p of people.people) {
      await trx
        .insertInto('people')
        .values({
          email: p.email,
          display_name: p.name,
          role: p.role,
          manager_id: null,
          time_zone: p.timeZone,
          away: 0,
          capacity: p.capacity ?? null,
          skills: JSON.stringify(p.skills),
          created_at: now,
        })
        .onConflict((oc) => oc.column('email').doNothing())
        .execute();
    }
    const ids = new Map(
      (await trx.selectFrom('people').select(['id', 'email']).execute()).map((r) => [r.email, r.id]),
    );
    for (const p of people.people) {
      if (!p.manager) continue;
      const manager = ids.get(p.manager);
      if (manager === undefined)
        throw new Error(`seed/people.json: ${p.email} has manager ${p.manager}, who is not in the file`);
      await trx.updateTable('people').set({ manager_id: manager }).where('email', '=', p.email).execute();
    }
    for (const a of assets.assets) {
      const owner = a.owner ? ids.get(a.owner) : undefined;
      if (a.owner && owner === undefined)
        throw new Error(
          `seed/assets.json: asset ${a.tag} is owned by ${a.owner}, who is not in seed/people.json`,
        );
      await trx
        .insertInto('assets')
        .values({
          tag: a.tag,
          type: a.type,
          name: a.name,
          owner_id: owner ?? null,
          status: a.status,
          location: a.location ?? null,
          warranty_end: a.warrantyEnd ?? null,
          data: '{}',
        })
        .onConflict((oc) => oc.column('tag').doNothing())
        .execute();
    }
  });
}

/** Upserts groups and replaces their membership with what data/groups.json says. */
export async function syncGroups(db: Kysely<DB>, groups: GroupsFile): Promise<string[]> {
  const warnings: string[] = [];
  await db.transaction().execute(async (trx) => {
    const ids = new Map(
      (await trx.selectFrom('people').select(['id', 'email']).execute()).map((r) => [r.email, r.id]),
    );
    for (const g of groups.groups) {
      const manager = g.manager ? (ids.get(g.manager) ?? null) : null;
      if (g.manager && manager === null)
        warnings.push(`groups.json: manager ${g.manager} of ${g.slug} is not a known person yet`);
      const row = {
        name: g.name,
        description: g.description,
        manager_id: manager,
        triage: JSON.stringify(g.triage),
        escalation_group: g.escalation ?? null,
        calendar: g.calendar,
        strategy: g.strategy,
      };
      await trx
        .insertInto('groups')
        .values({ slug: g.slug, ...row })
        .onConflict((oc) => oc.column('slug').doUpdateSet(row))
        .execute();
      const group = await trx
        .selectFrom('groups')
        .select('id')
        .where('slug', '=', g.slug)
        .executeTakeFirstOrThrow();
      // Memberships the directory or a CSV import made are theirs to remove (migration 010).
      await trx
        .deleteFrom('group_members')
        .where('group_id', '=', group.id)
        .where('source', '=', 'data')
        .execute();
      for (const m of g.members) {
        const person = ids.get(m);
        if (person === undefined) {
          warnings.push(`groups.json: member ${m} of ${g.slug} is not a known person yet`);
          continue;
        }
        await trx
          .insertInto('group_members')
          .values({ group_id: group.id, person_id: person })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
    }
  });
  return warnings;
}

export async function syncTemplates(db: Kysely<DB>, templates: Template[], now: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const t of templates) {
      const row = { kind: t.kind, title: t.title, definition: JSON.stringify(t), updated_at: now };
      await trx
        .insertInto('templates')
        .values({ id: t.id, ...row })
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
    }
  });
}

export async function syncKnowledge(db: Kysely<DB>, articles: ArticleInput[], now: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const a of articles) {
      const row = {
        title: a.title,
        body: a.body,
        tags: JSON.stringify(a.tags),
        category: a.category,
        updated_at: now,
      };
      await trx
        .insertInto('knowledge_articles')
        .values({ id: a.id, ...row })
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
    }
  });
}

/** The account REST calls act as when they name nobody: an admin that is not a real person. */
export async function ensureServiceAccount(db: Kysely<DB>, email: string, now: string): Promise<void> {
  await db
    .insertInto('people')
    .values({
      email,
      display_name: 'chatdesk API',
      role: 'admin',
      manager_id: null,
      time_zone: 'UTC',
      away: 0,
      capacity: 0,
      skills: '[]',
      created_at: now,
    })
    .onConflict((oc) => oc.column('email').doNothing())
    .execute();
}
