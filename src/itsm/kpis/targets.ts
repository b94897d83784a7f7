/**
 * KPI targets (data/kpi-targets.json) and the check that turns a missed target for the desk, a group
 * or a category into an improvement item for the CSI register.
 */
import { z } from 'zod';
import { loadDataFile, parseDataWith } from '../data-file.js';
import { duration, pct } from './format.js';
import type { KpiReport, KpiRow } from './report.js';

const TARGET_KPIS = [
  'mtta',
  'mttr',
  'mttrBusiness',
  'slaResponse',
  'slaResolution',
  'fcr',
  'reopen',
  'csat',
  'aiResolved',
  'botAccuracy',
  'deflection',
] as const;
type TargetKpi = (typeof TARGET_KPIS)[number];
const MINUTE_KPIS: readonly TargetKpi[] = ['mtta', 'mttr', 'mttrBusiness'];

const targetSchema = z
  .object({
    kpi: z.enum(TARGET_KPIS),
    /** Lower bound (ratios 0..1, CSAT 1..5). */
    min: z.number().optional(),
    /** Upper bound (minutes for mtta/mttr/mttrBusiness, ratios 0..1 for reopen). */
    max: z.number().optional(),
    /** Where the target applies: the whole desk, each group, each category. */
    scopes: z
      .array(z.enum(['desk', 'group', 'category']))
      .min(1)
      .default(['desk', 'group']),
  })
  .strict()
  .refine((t) => t.min !== undefined || t.max !== undefined, { message: 'a target needs "min" or "max"' });

const kpiTargetsSchema = z
  .object({
    /** A slice with fewer decided cases than this is not judged (too small to mean anything). */
    minSample: z.number().int().min(1).default(5),
    targets: z.array(targetSchema).min(1),
  })
  .strict();

export type KpiTargets = z.output<typeof kpiTargetsSchema>;
type KpiTarget = KpiTargets['targets'][number];

export function parseKpiTargets(json: unknown, source = 'kpi-targets.json'): KpiTargets {
  return parseDataWith(kpiTargetsSchema, json, source);
}

/** Reads data/kpi-targets.json; a bad file throws AppError('data_invalid') naming file and field. */
export function loadKpiTargets(file: string): Promise<KpiTargets> {
  return loadDataFile(kpiTargetsSchema, file);
}

export interface TargetBreach {
  /** Stable identity `kpi:scopeKind:scope`: the same miss next week updates the same item. */
  key: string;
  kpi: TargetKpi;
  scopeKind: 'desk' | 'group' | 'category';
  scope: string;
  value: number;
  target: { min?: number; max?: number };
  /** Cases the value rests on. */
  n: number;
  title: string;
  /** Evidence for the register: the figures and the period. */
  evidence: Record<string, unknown>;
}

function kpiValue(row: KpiRow, kpi: TargetKpi): { value: number | null; n: number } {
  switch (kpi) {
    case 'mtta':
      return { value: row.mtta.mean, n: row.mtta.n };
    case 'mttr':
      return { value: row.mttr.mean, n: row.mttr.n };
    case 'mttrBusiness':
      return { value: row.mttrBusiness.mean, n: row.mttrBusiness.n };
    case 'slaResponse':
      return { value: row.slaResponse.value, n: row.slaResponse.den };
    case 'slaResolution':
      return { value: row.slaResolution.value, n: row.slaResolution.den };
    case 'fcr':
      return { value: row.fcr.value, n: row.fcr.den };
    case 'reopen':
      return { value: row.reopen.value, n: row.reopen.den };
    case 'csat':
      return { value: row.csat.mean, n: row.csat.n };
    case 'aiResolved':
      return { value: row.aiResolved.value, n: row.aiResolved.den };
    case 'botAccuracy':
      return { value: row.botAccuracy.value, n: row.botAccuracy.den };
    case 'deflection':
      return { value: null, n: 0 };
  }
}

const show = (kpi: TargetKpi, v: number): string =>
  MINUTE_KPIS.includes(kpi) ? duration(v) : kpi === 'csat' ? v.toFixed(2) : pct(v);

/**
 * Every (target, scope) whose value misses its bound on at least `minSample` cases. Desk-wide
 * deflection is judged from the report's verified deflection.
 */
export function evaluateTargets(report: KpiReport, targets: KpiTargets): TargetBreach[] {
  const out: TargetBreach[] = [];
  const period = { since: report.period.since, until: report.period.until };
  const judge = (
    t: KpiTarget,
    scopeKind: TargetBreach['scopeKind'],
    scope: string,
    value: number | null,
    n: number,
    extra: Record<string, unknown>,
  ) => {
    if (value === null || n < targets.minSample) return;
    const low = t.min !== undefined && value < t.min;
    const high = t.max !== undefined && value > t.max;
    if (!low && !high) return;
    const bound = low
      ? `target ≥ ${show(t.kpi, t.min as number)}`
      : `target ≤ ${show(t.kpi, t.max as number)}`;
    out.push({
      key: `${t.kpi}:${scopeKind}:${scope}`,
      kpi: t.kpi,
      scopeKind,
      scope,
      value,
      target: {
        ...(t.min === undefined ? {} : { min: t.min }),
        ...(t.max === undefined ? {} : { max: t.max }),
      },
      n,
      title: `${t.kpi} ${show(t.kpi, value)} for ${scopeKind === 'desk' ? 'the desk' : `${scopeKind} ${scope}`} (${bound}, n=${n})`,
      evidence: { period, value, n, ...extra },
    });
  };
  for (const t of targets.targets) {
    for (const scopeKind of t.scopes) {
      if (t.kpi === 'deflection') {
        if (scopeKind === 'desk' && report.deflection) {
          const d = report.deflection;
          judge(t, 'desk', 'all', d.rate.value, d.rate.den, {
            verified: d.verified,
            pending: d.pending,
            returned: d.returned,
          });
        }
        continue;
      }
      const rows =
        scopeKind === 'desk' ? [report.overall] : scopeKind === 'group' ? report.byGroup : report.byCategory;
      for (const row of rows) {
        if (row.key === '(none)') continue;
        const { value, n } = kpiValue(row, t.kpi);
        judge(t, scopeKind, scopeKind === 'desk' ? 'all' : row.key, value, n, {
          tickets: row.tickets,
          open: row.open,
        });
      }
    }
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/** Like loadKpiTargets, but a DATA_DIR without the file means "no targets" instead of an error. */
export async function loadKpiTargetsIfPresent(file: string): Promise<KpiTargets | null> {
  const { access } = await import('node:fs/promises');
  try {
    await access(file);
  } catch {
    return null;
  }
  return loadKpiTargets(file);
}
