/** The asset service's views and dependencies (re-exported by ../assets.ts). */
import type { DirectoryStore, ItilStore, TicketStore } from '../ports.js';
import type { Asset, RelationType, Ticket } from '../types.js';
import type { WarrantyStatus } from './rules.js';

export interface AssetServiceDeps {
  tickets: TicketStore;
  directory: DirectoryStore;
  itil: ItilStore;
}

export interface AssetView {
  asset: Asset;
  owner: { id: number; displayName: string; email: string } | null;
  relations: Array<{ type: RelationType; tag: string; name: string; direction: 'out' | 'in' }>;
  impacted: Array<Pick<Asset, 'tag' | 'name' | 'type' | 'criticality'>>;
  impactedServices: string[];
  warranty: WarrantyStatus;
  tickets: Array<Pick<Ticket, 'number' | 'title' | 'state' | 'kind'>>;
}
