/** Linking assets to tickets: the requester's own device from their words, or one an agent names. */
import { assertStaff, mustTicket } from '../service-helpers.js';
import type { Asset, Person, Ticket } from '../types.js';
import type { AssetCore } from './core.js';
import {
  HARDWARE_TYPES,
  myAssetTypes,
  pickOwnedAsset,
  type WarrantyStatus,
  warrantyStatus,
} from './rules.js';
import type { AssetServiceDeps } from './types.js';

export function createAssetLinks(deps: Pick<AssetServiceDeps, 'tickets' | 'itil'>, core: AssetCore) {
  const { tickets, itil } = deps;
  const { mustAsset, link } = core;

  return {
    /**
     * "My laptop is broken": links the requester's laptop to the ticket. Returns the asset and, for
     * hardware, the warranty status (for the agent), or null when nothing matched.
     */
    async linkMentionedAsset(
      ticket: Ticket,
      requester: Person,
      text: string,
      now: string,
    ): Promise<{ asset: Asset; warranty: WarrantyStatus | null } | null> {
      const types = myAssetTypes(text);
      if (!types) return null;
      const asset = pickOwnedAsset(await itil.assetsOwnedBy(requester.id), types);
      if (!asset) return null;
      await link(
        ticket,
        asset,
        null,
        `"${text.slice(0, 80)}" resolved to the requester's ${asset.type}`,
        now,
      );
      return {
        asset,
        warranty: HARDWARE_TYPES.has(asset.type.toLowerCase()) ? warrantyStatus(asset, now) : null,
      };
    },

    /** An agent links an asset to an incident or change. */
    async linkAsset(
      number: string,
      tag: string,
      actor: Person,
      now: string,
    ): Promise<{ ticket: Ticket; asset: Asset; added: boolean }> {
      assertStaff(actor, 'link assets to tickets');
      const ticket = await mustTicket(tickets, number);
      const asset = await mustAsset(tag);
      const added = await link(ticket, asset, actor.id, `linked by ${actor.displayName}`, now);
      return { ticket, asset, added };
    },
  };
}
