/**
 * The CMDB's pure rules: which asset "my laptop" means, warranty as an agent needs it, and what is
 * impacted when an asset fails.
 */
import type { Asset, AssetRelation } from '../types.js';

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
