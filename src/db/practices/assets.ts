/** The CMDB: assets, their relations and the tickets they are linked to. */
import type { Kysely, Selectable } from 'kysely';
import type { ItilStore } from '../../itsm/ports.js';
import type { Asset, AssetStatus, Criticality, RelationType } from '../../itsm/types.js';
import type { AssetsTable, DB } from '../schema.js';

function toAsset(r: Selectable<AssetsTable>): Asset {
  return {
    id: r.id,
    tag: r.tag,
    type: r.type,
    name: r.name,
    ownerId: r.owner_id,
    status: r.status as AssetStatus,
    location: r.location,
    warrantyEnd: r.warranty_end,
    criticality: r.criticality as Criticality,
  };
}

export function assetRecords(
  db: Kysely<DB>,
): Pick<
  ItilStore,
  | 'upsertAsset'
  | 'assetByTag'
  | 'assetsByIds'
  | 'assetsOwnedBy'
  | 'listAssets'
  | 'setRelations'
  | 'relations'
  | 'linkAsset'
  | 'assetsOfTicket'
  | 'ticketIdsOfAsset'
> {
  return {
    async upsertAsset(a) {
      const row = {
        type: a.type,
        name: a.name,
        owner_id: a.ownerId,
        status: a.status,
        location: a.location,
        warranty_end: a.warrantyEnd,
        criticality: a.criticality,
      };
      const existing = await db.selectFrom('assets').select('id').where('tag', '=', a.tag).executeTakeFirst();
      const r = await db
        .insertInto('assets')
        .values({ tag: a.tag, data: '{}', ...row })
        .onConflict((oc) => oc.column('tag').doUpdateSet(row))
        .returningAll()
        .executeTakeFirstOrThrow();
      return { asset: toAsset(r), created: existing === undefined };
    },
    async assetByTag(tag) {
      const r = await db.selectFrom('assets').selectAll().where('tag', '=', tag).executeTakeFirst();
      return r ? toAsset(r) : null;
    },
    async assetsByIds(ids) {
      if (ids.length === 0) return [];
      return (
        await db
          .selectFrom('assets')
          .selectAll()
          .where('id', 'in', [...ids])
          .orderBy('id')
          .execute()
      ).map(toAsset);
    },
    async assetsOwnedBy(personId) {
      return (
        await db.selectFrom('assets').selectAll().where('owner_id', '=', personId).orderBy('id').execute()
      ).map(toAsset);
    },
    async listAssets(f) {
      let q = db.selectFrom('assets').selectAll();
      if (f.type !== undefined) q = q.where('type', '=', f.type);
      if (f.ownerId !== undefined) q = q.where('owner_id', '=', f.ownerId);
      if (f.status !== undefined) q = q.where('status', '=', f.status);
      return (
        await q
          .orderBy('tag')
          .limit(f.limit ?? 500)
          .execute()
      ).map(toAsset);
    },
    async setRelations(fromId, relations: Array<{ toId: number; type: RelationType }>) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('asset_relations').where('from_asset_id', '=', fromId).execute();
        if (relations.length > 0) {
          await trx
            .insertInto('asset_relations')
            .values(relations.map((r) => ({ from_asset_id: fromId, to_asset_id: r.toId, type: r.type })))
            .onConflict((oc) => oc.columns(['from_asset_id', 'to_asset_id', 'type']).doNothing())
            .execute();
        }
      });
    },
    async relations() {
      const rows = await db.selectFrom('asset_relations').selectAll().execute();
      return rows.map((r) => ({
        fromId: r.from_asset_id,
        toId: r.to_asset_id,
        type: r.type as RelationType,
      }));
    },
    async linkAsset(ticketId, assetId) {
      const r = await db
        .insertInto('ticket_assets')
        .values({ ticket_id: ticketId, asset_id: assetId })
        .onConflict((oc) => oc.columns(['ticket_id', 'asset_id']).doNothing())
        .returning('asset_id')
        .executeTakeFirst();
      return r !== undefined;
    },
    async assetsOfTicket(ticketId) {
      const rows = await db
        .selectFrom('ticket_assets as ta')
        .innerJoin('assets as a', 'a.id', 'ta.asset_id')
        .selectAll('a')
        .where('ta.ticket_id', '=', ticketId)
        .orderBy('a.id')
        .execute();
      return rows.map(toAsset);
    },
    async ticketIdsOfAsset(assetId) {
      const rows = await db
        .selectFrom('ticket_assets')
        .select('ticket_id')
        .where('asset_id', '=', assetId)
        .orderBy('ticket_id')
        .execute();
      return rows.map((r) => r.ticket_id);
    },
  };
}
