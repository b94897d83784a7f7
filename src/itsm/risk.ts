/**
 * Change risk: a 0–100 score from impact, urgency, the criticality of the affected assets, changes
 * colliding in the same window and the change type, with every contribution explained.
 */
import type { Blackout } from './practices-config.js';
import type { ChangeType, Criticality, Level } from './types.js';

interface RiskInput {
  type: ChangeType;
  impact: Level;
  urgency: Level;
  assets: ReadonlyArray<{ tag: string; criticality: Criticality }>;
  /** Other changes planned in an overlapping window, with the assets they share with this one. */
  collisions: ReadonlyArray<{ number: string; sharedAssets: readonly string[] }>;
  /**
   * What depends on (or runs on) the affected assets in the CMDB, transitively, and through which of
   * them: a change on a plain server that a critical service depends on is as risky as one on the service.
   */
  dependents?: ReadonlyArray<{ tag: string; name: string; criticality: Criticality; via: string }>;
}

export interface Risk {
  score: number;
  level: 'low' | 'medium' | 'high';
  reasons: string[];
}

const IMPACT: Record<Level, number> = { high: 30, medium: 15, low: 5 };
// Urgent changes get less preparation and testing.
const URGENCY: Record<Level, number> = { high: 15, medium: 8, low: 2 };
const CRIT: Record<Criticality, number> = { critical: 30, high: 20, medium: 10, low: 0 };
const CRIT_ORDER: Criticality[] = ['critical', 'high', 'medium', 'low'];

const RISK_HIGH = 60;
const RISK_MEDIUM = 30;
const FLOOR: Record<Criticality, number> = { critical: RISK_HIGH, high: RISK_MEDIUM, medium: 0, low: 0 };

export function riskScore(i: RiskInput): Risk {
  const reasons: string[] = [];
  let score = 0;
  score += IMPACT[i.impact];
  reasons.push(`impact ${i.impact} (+${IMPACT[i.impact]})`);
  score += URGENCY[i.urgency];
  reasons.push(`urgency ${i.urgency} (+${URGENCY[i.urgency]})`);

  if (i.assets.length > 0) {
    const worst = CRIT_ORDER.find((c) => i.assets.some((a) => a.criticality === c)) ?? 'low';
    const tags = i.assets.filter((a) => a.criticality === worst).map((a) => a.tag);
    score += CRIT[worst];
    reasons.push(`most critical asset ${tags.join(', ')} is ${worst} (+${CRIT[worst]})`);
    const extra = Math.min(10, (i.assets.length - 1) * 5);
    if (extra > 0) {
      score += extra;
      reasons.push(`${i.assets.length} assets affected (+${extra})`);
    }
  } else {
    reasons.push('no affected assets named (+0)');
  }

  if (i.collisions.length > 0) {
    let c = 0;
    for (const col of i.collisions) c += col.sharedAssets.length > 0 ? 20 : 10;
    c = Math.min(30, c);
    score += c;
    const shared = i.collisions.filter((x) => x.sharedAssets.length > 0);
    reasons.push(
      `${i.collisions.length} other change(s) in the same window: ${i.collisions.map((x) => x.number).join(', ')}${shared.length > 0 ? `, sharing ${[...new Set(shared.flatMap((x) => x.sharedAssets))].join(', ')}` : ''} (+${c})`,
    );
  }

  if (i.type === 'emergency') {
    score += 10;
    reasons.push('emergency change: less time to test (+10)');
  }

  score = Math.min(100, score);
  // The worst thing the change can take down sets a floor: critical → high, high → medium.
  const exposed = [
    ...i.assets.map((a) => ({ ...a, name: a.tag, via: null as string | null })),
    ...(i.dependents ?? []).map((d) => ({ ...d, via: d.via as string | null })),
  ];
  const worstExposed = CRIT_ORDER.find((c) => exposed.some((a) => a.criticality === c)) ?? 'low';
  const floor = FLOOR[worstExposed];
  const culprit = exposed.find((a) => a.criticality === worstExposed);
  if (culprit?.via && worstExposed !== 'low')
    reasons.push(
      `${worstExposed} ${culprit.tag} (${culprit.name}) depends on ${culprit.via}${floor > score ? `: at least ${floor}` : ''}`,
    );
  else if (culprit && floor > score) reasons.push(`${worstExposed} asset ${culprit.tag}: at least ${floor}`);
  const dependentServices = (i.dependents ?? []).length;
  if (dependentServices > 0) {
    const extra = Math.min(15, dependentServices * 5);
    score = Math.min(100, score + extra);
    reasons.push(`${dependentServices} CMDB dependent(s) affected (+${extra})`);
  }
  score = Math.max(score, floor);
  const level = score >= RISK_HIGH ? 'high' : score >= RISK_MEDIUM ? 'medium' : 'low';
  return { score, level, reasons };
}

/** The blackout window a change in [start, end) would fall into, unless its type is allowed there. */
export function blackoutClash(
  start: string,
  end: string,
  type: ChangeType,
  blackouts: readonly Blackout[],
): Blackout | null {
  const s = Date.parse(start);
  const e = Date.parse(end);
  for (const b of blackouts) {
    if (b.allow.includes(type)) continue;
    if (s < Date.parse(b.end) && e > Date.parse(b.start)) return b;
  }
  return null;
}
