/** What the asset operations share: reading an asset by tag, and linking it to a ticket (with its event). */
import { AppError } from '../../errors.js';
import { recordEvents } from '../service-helpers.js';
import type { Asset, Ticket } from '../types.js';
import { HARDWARE_TYPES, warrantyStatus } from './rules.js';
import type { AssetServiceDeps } from './types.js';

export function createAssetCore(deps: Pick<AssetServiceDeps, 'tickets' | 'itil'>) {
  const { tickets, itil } = deps;

  async function mustAsset(tag: string): Promise<Asset> {
    const a = await itil.assetByTag(tag.trim());
    if (!a)
      throw new AppError('not_found', `There is no asset "${tag}". Check the tag (e.g. LT-1001).`, {
        field: 'asset',
      });
    return a;
  }

  /** Links the asset to the ticket; false when it was linked already. Hardware carries its warranty. */
  async function link(
    ticket: Ticket,
    asset: Asset,
    actorId: number | null,
    how: string,
    now: string,
  ): Promise<boolean> {
    const added = await itil.linkAsset(ticket.id, asset.id);
    if (!added) return false;
    const hardware = HARDWARE_TYPES.has(asset.type.toLowerCase());
    const warranty = hardware ? warrantyStatus(asset, now) : null;
    await recordEvents(
      tickets,
      ticket.id,
      [
        {
          at: now,
          actorId,
          type: 'linked',
          to: asset.tag,
          reason: how,
          data: {
            kind: 'asset',
            assetId: asset.id,
            tag: asset.tag,
            type: asset.type,
            ...(warranty ? { warranty: warranty.state, warrantyEnd: asset.warrantyEnd } : {}),
          },
        },
      ],
      now,
    );
    return true;
  }

  return { mustAsset, link };
}

export type AssetCore = ReturnType<typeof createAssetCore>;
