/** Reading the CMDB: lists (requesters see their own equipment only) and one asset as an agent needs it. */
import { AppError } from '../../errors.js';
import type { Asset, Person, Ticket } from '../types.js';
import type { AssetCore } from './core.js';
import { impactedBy, warrantyStatus } from './rules.js';
import type { AssetServiceDeps, AssetView } from './types.js';

export function createAssetViews(deps: Pick<AssetServiceDeps, 'directory' | 'itil'>, core: AssetCore) {
  const { directory, itil } = deps;
  const { mustAsset } = core;

  return {
    async list(
      viewer: Person,
      filter: { type?: string; owner?: string; status?: Asset['status'] },
    ): Promise<Asset[]> {
      let ownerId: number | undefined;
      if (filter.owner) {
        const p = await directory.personByEmail(filter.owner);
        if (!p) return [];
        ownerId = p.id;
      }
      // Requesters see their own equipment only; the CMDB as a whole is for the desk.
      if (viewer.role === 'employee') {
        if (ownerId !== undefined && ownerId !== viewer.id)
          throw new AppError('forbidden', 'You can only list your own assets.');
        ownerId = viewer.id;
      }
      return itil.listAssets({
        ...(filter.type ? { type: filter.type.toLowerCase() } : {}),
        ...(ownerId === undefined ? {} : { ownerId }),
        ...(filter.status ? { status: filter.status } : {}),
      });
    },

    /** The agent's view: owner, relations, what is impacted if it fails, warranty and tickets. */
    async view(tag: string, viewer: Person, now: string): Promise<AssetView> {
      const asset = await mustAsset(tag);
      if (viewer.role === 'employee' && asset.ownerId !== viewer.id)
        throw new AppError('not_found', `There is no asset "${tag}". Check the tag (e.g. LT-1001).`, {
          field: 'asset',
        });
      const relations = await itil.relations();
      const related = await itil.assetsByIds([...new Set(relations.flatMap((r) => [r.fromId, r.toId]))]);
      const byId = new Map(related.map((a) => [a.id, a]));
      const impactedIds = impactedBy(asset.id, relations);
      const impacted = impactedIds.map((id) => byId.get(id)).filter((a): a is Asset => a !== undefined);
      const owner = asset.ownerId === null ? null : await directory.personById(asset.ownerId);
      const ticketRows = await itil.ticketsByIds(await itil.ticketIdsOfAsset(asset.id));
      return {
        asset,
        owner: owner ? { id: owner.id, displayName: owner.displayName, email: owner.email } : null,
        relations: relations
          .filter((r) => r.fromId === asset.id || r.toId === asset.id)
          .map((r) => {
            const other = byId.get(r.fromId === asset.id ? r.toId : r.fromId);
            return {
              type: r.type,
              tag: other?.tag ?? '?',
              name: other?.name ?? '?',
              direction: r.fromId === asset.id ? ('out' as const) : ('in' as const),
            };
          }),
        impacted: impacted.map((a) => ({
          tag: a.tag,
          name: a.name,
          type: a.type,
          criticality: a.criticality,
        })),
        impactedServices: impacted.filter((a) => a.type === 'service').map((a) => a.name),
        warranty: warrantyStatus(asset, now),
        tickets: ticketRows.map((t) => ({ number: t.number, title: t.title, state: t.state, kind: t.kind })),
      };
    },

    async ofTicket(ticket: Ticket): Promise<Asset[]> {
      return itil.assetsOfTicket(ticket.id);
    },
  };
}
