/**
 * The CMDB: assets with type, owner, status, location, warranty and criticality; relations
 * (runs_on / depends_on) for impact analysis; CSV import (the file is read by asset-csv.ts); "my laptop"
 * resolution for requesters.
 */
import { AppError } from '../errors.js';
import { parseAssetCsv } from './asset-csv.js';
import type { DirectoryStore, Person, TicketStore } from './ports.js';
import {
  type Asset,
  type AssetRelation,
  type ItilStore,
  type NewAsset,
  RELATION_TYPES,
  type RelationType,
} from './practices-port.js';
import { assertStaff, mustTicket, recordEvents } from './service-helpers.js';
import type { Ticket } from './types.js';

// ---------------------------------------------------------------------------------------------
// Pure rules

/** Words a requester uses for their own device → asset types, most specific first. */
const MY_ASSET: Array<{ re: RegExp; types: string[] }> = [
  { re: /\b(laptop|notebook|macbook|thinkpad)\b/i, types: ['laptop'] },
  { re: /\b(desktop|workstation)\b/i, types: ['desktop', 'laptop'] },
  { re: /\b(computer|pc|machine)\b/i, types: ['laptop', 'desktop'] },
  { re: /\b(monitor|screen|display)\b/i, types: ['monitor'] },
  { re: /\b(phone|mobile|iphone|smartphone|cell)\b/i, types: ['phone', 'mobile'] },
  { re: /\b(tablet|ipad)\b/i, types: ['tablet'] },
  { re: /\b(headset|headphones)\b/i, types: ['headset'] },
  { re: /\b(dock|docking station)\b/i, types: ['dock'] },
];

/**
 * The asset types a message refers to as the requester's own ("my laptop", "my work phone"), or null.
 * Only possessive mentions count: "the printer on floor 3" is not theirs.
 */
export function myAssetTypes(text: string): string[] | null {
  const m = /\bmy\s+(?:(?:new|old|work|company|office|own|personal)\s+)*([a-z][a-z ]{1,30})/i.exec(text);
  if (!m?.[1]) return null;
  const words = m[1];
  for (const { re, types } of MY_ASSET) if (re.test(words.split(/\s+/).slice(0, 2).join(' '))) return types;
  return null;
}

/** The owned asset of the first matching type; in-use before in repair or stock; retired never. */
export function pickOwnedAsset(owned: readonly Asset[], types: readonly string[]): Asset | null {
  const rank = { in_use: 0, in_repair: 1, in_stock: 2, retired: 9 } as const;
  for (const type of types) {
    const c = owned
      .filter((a) => a.type.toLowerCase() === type && a.status !== 'retired')
      .sort((a, b) => rank[a.status] - rank[b.status] || b.id - a.id);
    if (c[0]) return c[0];
  }
  return null;
}

export const HARDWARE_TYPES = new Set([
  'laptop',
  'desktop',
  'monitor',
  'printer',
  'phone',
  'mobile',
  'tablet',
  'server',
  'headset',
  'dock',
]);

export interface WarrantyStatus {
  state: 'in_warranty' | 'expiring' | 'expired' | 'unknown';
  text: string;
}

/** Warranty as an agent needs it on a hardware incident; "expiring" within 30 days. */
export function warrantyStatus(asset: Pick<Asset, 'tag' | 'warrantyEnd'>, now: string): WarrantyStatus {
  if (!asset.warrantyEnd) return { state: 'unknown', text: `${asset.tag}: warranty unknown` };
  const today = now.slice(0, 10);
  if (asset.warrantyEnd < today)
    return { state: 'expired', text: `${asset.tag}: warranty expired on ${asset.warrantyEnd}` };
  const days = Math.round(
    (Date.parse(`${asset.warrantyEnd}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000,
  );
  if (days <= 30)
    return {
      state: 'expiring',
      text: `${asset.tag}: in warranty until ${asset.warrantyEnd} (${days} days left)`,
    };
  return { state: 'in_warranty', text: `${asset.tag}: in warranty until ${asset.warrantyEnd}` };
}

/**
 * Everything impacted when `assetId` fails: the assets that run on or depend on it, transitively.
 * Cycles in the CMDB (they happen) are walked once.
 */
export function impactedBy(assetId: number, relations: readonly AssetRelation[]): number[] {
  const dependents = new Map<number, number[]>();
  for (const r of relations) {
    const list = dependents.get(r.toId) ?? [];
    list.push(r.fromId);
    dependents.set(r.toId, list);
  }
  const seen = new Set<number>([assetId]);
  const queue = [assetId];
  const out: number[] = [];
  while (queue.length > 0) {
    const cur = queue.shift() as number;
    for (const d of dependents.get(cur) ?? []) {
      if (seen.has(d)) continue;
      seen.add(d);
      out.push(d);
      queue.push(d);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Service

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

export function createAssetService(deps: AssetServiceDeps) {
  const { tickets, directory, itil } = deps;

  async function mustAsset(tag: string): Promise<Asset> {
    const a = await itil.assetByTag(tag.trim());
    if (!a)
      throw new AppError('not_found', `There is no asset "${tag}". Check the tag (e.g. LT-1001).`, {
        field: 'asset',
      });
    return a;
  }

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

  return {
    mustAsset,

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

export type AssetService = ReturnType<typeof createAssetService>;
export { RELATION_TYPES };
export { type AssetCsvRow, assetCsvRowSchema, parseAssetCsv, parseCsv } from './asset-csv.js';
