/**
 * The pure rules of problem management: which reports look alike (bursts that may be one problem) and
 * how well a message matches a known error's keywords.
 */
import { jaccard, tokens } from '../service-helpers.js';

interface ClusterInput {
  id: number;
  text: string;
  createdAt: string;
}

/**
 * Groups reports that look alike (word overlap ≥ `similarity` with any member, single link) and arrived
 * within `windowMinutes` of the cluster's first report. Returns clusters of at least `minSize`, largest first.
 */
export function findClusters(
  items: readonly ClusterInput[],
  opts: { minSize: number; windowMinutes: number; similarity: number },
): number[][] {
  const sorted = [...items].sort((a, b) =>
    a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id - b.id,
  );
  const toks = new Map(sorted.map((i) => [i.id, tokens(i.text)]));
  const clusters: Array<{ ids: number[]; start: number }> = [];
  const windowMs = opts.windowMinutes * 60_000;
  for (const it of sorted) {
    const at = Date.parse(it.createdAt);
    const mine = toks.get(it.id) as Set<string>;
    let best: { ids: number[]; start: number } | null = null;
    let bestSim = 0;
    for (const c of clusters) {
      if (at - c.start > windowMs) continue;
      for (const id of c.ids) {
        const s = jaccard(mine, toks.get(id) as Set<string>);
        if (s >= opts.similarity && s > bestSim) {
          best = c;
          bestSim = s;
        }
      }
    }
    if (best) best.ids.push(it.id);
    else clusters.push({ ids: [it.id], start: at });
  }
  return clusters
    .filter((c) => c.ids.length >= opts.minSize)
    .map((c) => c.ids)
    .sort((a, b) => b.length - a.length);
}

/** Share of a known error's keywords found in a message (0 when it has none). */
export function knownErrorScore(keywords: readonly string[], text: string): number {
  if (keywords.length === 0) return 0;
  const t = tokens(text);
  const kw = [...tokens(keywords.join(' '))];
  if (kw.length === 0) return 0;
  return kw.filter((k) => t.has(k)).length / kw.length;
}

/** Default match keywords of a known error: the distinctive words of the problem's title. */
export function defaultKeywords(title: string): string[] {
  return [...tokens(title)].slice(0, 6);
}
