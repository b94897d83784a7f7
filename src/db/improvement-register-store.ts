/**
 * The improvement (CSI) register's rows: items, their compare-and-set status moves and the audit of
 * each move. Part of the KPI store (createKpiStore spreads it in). Same SQL on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { Improvement } from '../itsm/types.js';
import type { DB } from './schema.js';

/** The register's row as the domain defines it (itsm/types.ts). */
type ImprovementItem = Improvement;

/** A JSON object column, or {} when it holds anything else. */
export const parseJsonObject = (text: string): Record<string, unknown> => {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};
const parse = parseJsonObject;

export function createImprovementRegisterStore(db: Kysely<DB>) {
  const register = {
    async improvementItem(id: number): Promise<ImprovementItem | null> {
      const r = await db.selectFrom('improvement_items').select('id').where('id', '=', id).executeTakeFirst();
      if (!r) return null;
      return (await register.improvementItems({})).find((i) => i.id === id) ?? null;
    },

    /** Compare-and-set on the status, with its audit row, in one transaction (issue 18 item 12). */
    async updateImprovement(
      id: number,
      expect: string,
      change: { status?: ImprovementItem['status']; ownerId?: number | null; closedAt?: string | null },
      event: {
        actorId: number | null;
        field: 'status' | 'owner';
        from: string | null;
        to: string | null;
        note: string | null;
      },
      now: string,
    ): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const r = await trx
          .updateTable('improvement_items')
          .set({
            updated_at: now,
            ...(change.status !== undefined
              ? { status: change.status as DB['improvement_items']['status'] }
              : {}),
            ...(change.ownerId !== undefined ? { owner_id: change.ownerId } : {}),
            ...(change.closedAt !== undefined ? { closed_at: change.closedAt } : {}),
          })
          .where('id', '=', id)
          .where('status', '=', expect as DB['improvement_items']['status'])
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return false;
        await trx
          .insertInto('improvement_events')
          .values({
            item_id: id,
            at: now,
            actor_id: event.actorId,
            field: event.field,
            from_value: event.from,
            to_value: event.to,
            note: event.note,
          })
          .execute();
        return true;
      });
    },

    async improvementItems(filter: { status?: string } = {}): Promise<ImprovementItem[]> {
      let q = db.selectFrom('improvement_items').selectAll().orderBy('id');
      if (filter.status)
        q = q.where(
          'status',
          '=',
          filter.status as ImprovementItem['status'] & DB['improvement_items']['status'],
        );
      return (await q.execute()).map((r) => ({
        id: r.id,
        key: r.key,
        kpi: r.kpi,
        scopeKind: r.scope_kind,
        scope: r.scope,
        title: r.title,
        status: r.status,
        ownerId: r.owner_id,
        evidence: parse(r.evidence),
        links: parse(r.links),
        openedAt: r.opened_at,
        updatedAt: r.updated_at,
        closedAt: r.closed_at,
      }));
    },
  };
  return register;
}
