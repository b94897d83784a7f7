/** Kysely: the people CSV import (`chatdesk people import`), written in one transaction. */
import type { Kysely } from 'kysely';
import { AppError } from '../errors.js';
import type { PersonCsvRow } from '../itsm/people-csv.js';
import type { DB } from './schema.js';

/**
 * Writes validated CSV rows (`chatdesk people import`) in one transaction: creates or updates people
 * by email, links managers (in the file or already known) and adds support group memberships.
 * Returns the people the file deactivated, whose work the caller then requeues.
 */
export async function importPeople(
  db: Kysely<DB>,
  rows: PersonCsvRow[],
  now: string,
  source: string,
): Promise<{ created: number; updated: number; deactivated: number[] }> {
  return db.transaction().execute(async (trx) => {
    let created = 0;
    let updated = 0;
    const deactivated: number[] = [];
    const ids = new Map<string, number>();
    for (const r of rows) {
      const existing = await trx
        .selectFrom('people')
        .select(['id', 'active'])
        .where('email', '=', r.email)
        .executeTakeFirst();
      const set = {
        ...(r.name !== undefined ? { display_name: r.name } : {}),
        ...(r.role !== undefined ? { role: r.role } : {}),
        ...(r.time_zone !== undefined ? { time_zone: r.time_zone } : {}),
        ...(r.skills.length > 0 ? { skills: JSON.stringify(r.skills) } : {}),
        ...(r.capacity !== undefined ? { capacity: r.capacity } : {}),
        ...(r.active !== undefined ? { active: r.active ? 1 : 0 } : {}),
      };
      if (existing) {
        if (Object.keys(set).length > 0)
          await trx
            .updateTable('people')
            .set({ ...set, updated_at: now, deleted_at: null })
            .where('id', '=', existing.id)
            .execute();
        if (existing.active === 1 && r.active === false) deactivated.push(existing.id);
        ids.set(r.email, existing.id);
        updated++;
      } else {
        const ins = await trx
          .insertInto('people')
          .values({
            email: r.email,
            display_name: r.name ?? r.email.split('@')[0] ?? r.email,
            role: r.role ?? 'employee',
            manager_id: null,
            time_zone: r.time_zone ?? 'UTC',
            skills: JSON.stringify(r.skills),
            capacity: r.capacity ?? null,
            active: r.active === false ? 0 : 1,
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.set(r.email, ins.id);
        created++;
      }
    }
    for (const [i, r] of rows.entries()) {
      const id = ids.get(r.email) as number;
      if (r.manager !== undefined) {
        const manager =
          ids.get(r.manager) ??
          (await trx.selectFrom('people').select('id').where('email', '=', r.manager).executeTakeFirst())?.id;
        if (manager === undefined)
          throw new AppError(
            'data_invalid',
            `${source}: line ${i + 2}: manager: no person with email ${r.manager} in the file or the directory`,
            { field: 'manager' },
          );
        await trx.updateTable('people').set({ manager_id: manager }).where('id', '=', id).execute();
      }
      for (const slug of r.groups) {
        const g = await trx
          .selectFrom('groups')
          .select('id')
          .where('slug', '=', slug)
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('group_members')
          .values({ group_id: g.id, person_id: id, source: 'manual' })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
    }
    return { created, updated, deactivated };
  });
}
