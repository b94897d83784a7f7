/**
 * What a change puts at risk beyond the assets it names, and when a standard change still needs the
 * CAB: the CMDB dependents of the affected assets (a server the critical service depends on), and the
 * catalogue of pre-approved standard changes, each with the risk it is approved up to.
 */
import { AppError } from '../errors.js';
import { impactedBy } from './assets.js';
import type { ItilConfig } from './practices-config.js';
import type { Asset, AssetRelation, ChangeRecord, Level, Ticket } from './types.js';

type StandardTemplate = ItilConfig['changes']['standardCatalogue'][number];

/** The assets that run on or depend on `assets` (transitively), each with the affected asset it hangs on. */
export function cmdbDependents(
  assets: readonly Asset[],
  all: readonly Asset[],
  relations: readonly AssetRelation[],
): Array<{ tag: string; name: string; criticality: Asset['criticality']; via: string }> {
  const byId = new Map(all.map((a) => [a.id, a]));
  const named = new Set(assets.map((a) => a.id));
  const out = new Map<
    number,
    { tag: string; name: string; criticality: Asset['criticality']; via: string }
  >();
  for (const a of assets)
    for (const id of impactedBy(a.id, relations)) {
      const d = byId.get(id);
      if (d && !named.has(id) && !out.has(id))
        out.set(id, { tag: d.tag, name: d.name, criticality: d.criticality, via: a.tag });
    }
  return [...out.values()];
}

/**
 * The catalogue entry a standard change is made from. A standard change without one (or with an unknown
 * one) is refused: "standard" means pre-approved, and only the catalogue says what is.
 */
export function standardTemplate(
  catalogue: readonly StandardTemplate[],
  id: string | null | undefined,
): StandardTemplate {
  const t = id ? catalogue.find((c) => c.id === id.trim().toLowerCase()) : undefined;
  if (t) return t;
  const known = catalogue.map((c) => c.id).join(', ');
  throw new AppError(
    'validation_failed',
    id
      ? `"${id}" is not in the standard change catalogue${known ? ` (${known})` : ''}. Use one of those, or raise a normal change.`
      : `A standard change must come from the pre-approved catalogue${known ? `: name one of ${known}` : ' (data/itil.json changes.standardCatalogue is empty)'}, or raise a normal change.`,
    { field: 'template' },
  );
}

/** Impact and urgency of a standard change: what the requester gave, else the template's. */
export function standardLevels(
  t: StandardTemplate,
  given: { impact?: Level | undefined; urgency?: Level | undefined },
): { impact: Level; urgency: Level } {
  return { impact: given.impact ?? t.impact, urgency: given.urgency ?? t.urgency };
}

/**
 * Whether a standard change may skip the CAB: only when its template is still in the catalogue and its
 * assessed risk is within the template's ceiling. Null = pre-approved; otherwise why the CAB must vote.
 */
export function standardNeedsCab(
  ticket: Ticket,
  change: ChangeRecord,
  catalogue: readonly StandardTemplate[],
): string | null {
  const id = typeof ticket.fields.standardTemplate === 'string' ? ticket.fields.standardTemplate : null;
  const t = id ? catalogue.find((c) => c.id === id) : undefined;
  if (!t)
    return `standard change without a catalogue template${id ? ` ("${id}" was removed)` : ''}: the CAB votes`;
  if (change.riskScore > t.riskCeiling)
    return `risk ${change.riskScore} is above the ceiling ${t.riskCeiling} of standard change "${t.id}": the CAB votes`;
  return null;
}
