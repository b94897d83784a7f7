/**
 * The CMDB: assets with type, owner, status, location, warranty and criticality; relations
 * (runs_on / depends_on) for impact analysis; CSV import (the file is read by asset-csv.ts); "my laptop"
 * resolution for requesters.
 */
import { createAssetCore } from './assets/core.js';
import { createAssetImport } from './assets/csv-import.js';
import { createAssetLinks } from './assets/links.js';
import type { AssetServiceDeps } from './assets/types.js';
import { createAssetViews } from './assets/views.js';

export { parseAssetCsv, parseCsv } from './asset-csv.js';
export {
  impactedBy,
  myAssetTypes,
  pickOwnedAsset,
  type WarrantyStatus,
  warrantyStatus,
} from './assets/rules.js';

/**
 * The parts, by responsibility: assets/core.ts (reading by tag, linking to a ticket), csv-import.ts,
 * links.ts ("my laptop", an agent's link), views.ts (lists, the agent's view); the pure rules (my
 * asset, warranty, impact) in rules.ts.
 */
export function createAssetService(deps: AssetServiceDeps) {
  const core = createAssetCore(deps);
  const csv = createAssetImport(deps);
  const links = createAssetLinks(deps, core);
  const views = createAssetViews(deps, core);
  return {
    mustAsset: core.mustAsset,
    importCsv: csv.importCsv,
    linkMentionedAsset: links.linkMentionedAsset,
    linkAsset: links.linkAsset,
    list: views.list,
    view: views.view,
    ofTicket: views.ofTicket,
  };
}
