/** KPI target breaches written into the improvement (CSI) register. Same SQL on SQLite and PostgreSQL. */
import type { Kysely } from 'kysely';
import type { TargetBreach } from '../../itsm/kpis/targets.js';
import type { DB } from '../schema.js';

/**
 * Opens an item per new breach and refreshes evidence of items already open for the same key; items
 * whose target is met again are left for a person to close (the register is a human's to-do list).
 * Owner = manager of the group for group scopes, else the first manager of any group.
 */
export async function recordBreaches(
  db: Kysely<DB>,
  breaches: readonly TargetBreach[],
  now: string,
  links: Record<string, unknown> = {},
): Promise<{ opened: number; updated: number }> {
  let opened = 0;
  let updated = 0;
  const groups = await db.selectFrom('groups').select(['slug', 'manager_id']).execute();
  const managers = new Map(groups.map((g) => [g.slug, g.manager_id]));
  const fallback = groups.find((g) => g.manager_id !== null)?.manager_id ?? null;
  await db.transaction().execute(async (trx) => {
    for (const b of breaches) {
      const existing = await trx
        .selectFrom('improvement_items')
        .select(['id', 'status'])
        .where('key', '=', b.key)
        .executeTakeFirst();
      const evidence = JSON.stringify({ ...b.evidence, target: b.target, value: b.value, n: b.n });
      if (existing && (existing.status === 'open' || existing.status === 'in_progress')) {
        await trx
          .updateTable('improvement_items')
          .set({ title: b.title, evidence, updated_at: now })
          .where('id', '=', existing.id)
          .execute();
        updated++;
      } else {
        const row = {
          kpi: b.kpi,
          scope_kind: b.scopeKind,
          scope: b.scope,
          title: b.title,
          status: 'open' as const,
          owner_id: b.scopeKind === 'group' ? (managers.get(b.scope) ?? fallback) : fallback,
          evidence,
          links: JSON.stringify(links),
          opened_at: now,
          updated_at: now,
          closed_at: null,
        };
        // A done or dismissed item that misses again is reopened rather than duplicated.
        if (existing)
          await trx.updateTable('improvement_items').set(row).where('id', '=', existing.id).execute();
        else
          await trx
            .insertInto('improvement_items')
            .values({ key: b.key, ...row })
            .execute();
        opened++;
      }
    }
  });
  return { opened, updated };
}
