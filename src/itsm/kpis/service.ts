/**
 * The KPI service the surfaces share (CLI report, REST, dashboard, manager chat command): loads a
 * period through a KpiSource (src/db/kpi-store.ts) and builds the report, the target check and the
 * summary, so every surface shows the same numbers.
 */
import { AppError } from '../../errors.js';
import type { KpiSource } from '../ports.js';
import type { SlaConfig } from '../sla.js';
import { buildKpiSummary } from './format.js';
import { buildKpiReport, DEFAULT_DEFLECTION_WINDOW_DAYS, type KpiReport, parseSince } from './report.js';
import { evaluateTargets, type KpiTargets, type TargetBreach } from './targets.js';

interface KpiQuery {
  /** `30d`, `12w`, `6m`, `all` or an ISO date; default 30d. */
  since?: string;
  group?: string | null;
  deflectionWindowDays?: number;
}

export type KpiService = ReturnType<typeof createKpiService>;

export function createKpiService(deps: {
  source: KpiSource;
  sla: SlaConfig;
  targets: KpiTargets | null;
  now: () => Date;
  deflectionWindowDays?: number;
}) {
  async function report(q: KpiQuery = {}): Promise<KpiReport> {
    const now = deps.now().toISOString();
    const period = parseSince(q.since ?? '30d', now);
    const group = q.group ?? null;
    if (group !== null && !(await deps.source.groupExists(group))) {
      throw new AppError('not_found', `There is no group "${group}". Use a group slug, e.g. service-desk.`, {
        field: 'group',
      });
    }
    const input = await deps.source.load({ since: period.since, until: period.until, group });
    return buildKpiReport(input, {
      now,
      period,
      sla: deps.sla,
      group,
      deflectionWindowDays:
        q.deflectionWindowDays ?? deps.deflectionWindowDays ?? DEFAULT_DEFLECTION_WINDOW_DAYS,
    });
  }
  const breaches = (r: KpiReport): TargetBreach[] => (deps.targets ? evaluateTargets(r, deps.targets) : []);
  return {
    report,
    breaches,
    /** The manager chat command's text: a few lines on SLA, where it is missed and what to fix. */
    async summary(q: KpiQuery = {}): Promise<string> {
      const r = await report(q);
      return buildKpiSummary(r, breaches(r));
    },
  };
}
