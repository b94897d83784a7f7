/** Importing assets and their relations from CSV (parsed by ../asset-csv.ts); all rows checked first. */
import { AppError } from '../../errors.js';
import { parseAssetCsv } from '../asset-csv.js';
import type { NewAsset } from '../ports.js';
import type { RelationType } from '../types.js';
import type { AssetServiceDeps } from './types.js';

export function createAssetImport(deps: Pick<AssetServiceDeps, 'directory' | 'itil'>) {
  const { directory, itil } = deps;

  return {
    /** Creates or updates assets from CSV text; all rows are validated before any is written. */
    async importCsv(
      text: string,
      source: string,
    ): Promise<{ created: number; updated: number; relations: number }> {
      const rows = parseAssetCsv(text, source);
      const tags = new Set(rows.map((r) => r.tag));
      const owners = new Map<string, number>();
      for (const [i, r] of rows.entries()) {
        if (r.owner && !owners.has(r.owner)) {
          const p = await directory.personByEmail(r.owner);
          if (!p)
            throw new AppError(
              'data_invalid',
              `${source}: line ${i + 2}: owner: no person with email ${r.owner} (add them to the directory first)`,
              { field: 'owner' },
            );
          owners.set(r.owner, p.id);
        }
        for (const t of [...r.runs_on, ...r.depends_on]) {
          if (!tags.has(t) && !(await itil.assetByTag(t))) {
            throw new AppError(
              'data_invalid',
              `${source}: line ${i + 2}: ${r.runs_on.includes(t) ? 'runs_on' : 'depends_on'}: no asset "${t}" in the file or the CMDB`,
              { field: r.runs_on.includes(t) ? 'runs_on' : 'depends_on' },
            );
          }
        }
      }
      let created = 0;
      let updated = 0;
      const ids = new Map<string, number>();
      for (const r of rows) {
        const a: NewAsset = {
          tag: r.tag,
          type: r.type,
          name: r.name,
          ownerId: r.owner ? (owners.get(r.owner) ?? null) : null,
          status: r.status,
          location: r.location ?? null,
          warrantyEnd: r.warranty_end ?? null,
          criticality: r.criticality,
        };
        const res = await itil.upsertAsset(a);
        ids.set(r.tag, res.asset.id);
        if (res.created) created++;
        else updated++;
      }
      let relations = 0;
      for (const r of rows) {
        const from = ids.get(r.tag) as number;
        const rels: Array<{ toId: number; type: RelationType }> = [];
        for (const [type, list] of [
          ['runs_on', r.runs_on],
          ['depends_on', r.depends_on],
        ] as const) {
          for (const t of list) {
            const toId = ids.get(t) ?? (await itil.assetByTag(t))?.id;
            if (toId !== undefined) rels.push({ toId, type });
          }
        }
        await itil.setRelations(from, rels);
        relations += rels.length;
      }
      return { created, updated, relations };
    },
  };
}
