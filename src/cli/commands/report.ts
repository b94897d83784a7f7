/**
 * `chatdesk report [--since 30d] [--group X] [--format table|json|csv] [--window 3] [--csi]`: the KPI
 * report from the database in DATABASE_URL. `--csi` also records missed targets (data/kpi-targets.json)
 * in the improvement register and lists the open items.
 */

import { join } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../../config.js';
import { openDatabase } from '../../db/connect.js';
import { createKpiStore } from '../../db/kpi-store.js';
import { migrate } from '../../db/migrate.js';
import { formatReportCsv, formatReportTable } from '../../itsm/kpis/format.js';
import { parseSince } from '../../itsm/kpis/report.js';
import { createKpiService } from '../../itsm/kpis/service.js';
import { loadKpiTargets } from '../../itsm/kpis/targets.js';
import { loadSlaConfig } from '../../itsm/sla.js';
import { parseCommandArgs } from '../args.js';

export const USAGE =
  'usage: chatdesk report [--since 30d|12w|6m|all|YYYY-MM-DD] [--group <slug>] [--format table|json|csv] [--window <days>] [--csi]';

const argsSchema = z.object({
  since: z.string().min(1).default('30d'),
  group: z.string().min(1).optional(),
  format: z
    .enum(['table', 'json', 'csv'], { message: '--format must be table, json or csv' })
    .default('table'),
  window: z.coerce.number({ message: '--window must be a number of days' }).int().min(0).max(90).optional(),
  csi: z.boolean().default(false),
});

/** Database, SLA policies and KPI targets, opened the way every KPI command needs them. */
export async function openKpi(opts: { now?: () => Date } = {}) {
  const config = loadConfig();
  const [sla, targets] = await Promise.all([
    loadSlaConfig(join(config.DATA_DIR, 'sla.json')),
    loadKpiTargets(join(config.DATA_DIR, 'kpi-targets.json')),
  ]);
  const database = await openDatabase(config.DATABASE_URL);
  try {
    await migrate(database);
  } catch (e) {
    await database.close();
    throw e;
  }
  const store = createKpiStore(database.db);
  const service = createKpiService({ source: store, sla, targets, now: opts.now ?? (() => new Date()) });
  return { config, database, store, service, sla, targets };
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    name: 'report',
    usage: USAGE,
    argv,
    options: {
      since: { type: 'string' },
      group: { type: 'string' },
      format: { type: 'string' },
      window: { type: 'string' },
      csi: { type: 'boolean' },
    },
    schema: argsSchema,
  });
  if (!parsed.ok) return parsed.exitCode;
  const args = parsed.args;
  try {
    parseSince(args.since, new Date().toISOString());
  } catch (e) {
    process.stderr.write(`chatdesk report: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const kpi = await openKpi();
  try {
    const report = await kpi.service.report({
      since: args.since,
      group: args.group ?? null,
      ...(args.window === undefined ? {} : { deflectionWindowDays: args.window }),
    });
    const breaches = kpi.service.breaches(report);
    let csi: { opened: number; updated: number } | null = null;
    if (args.csi)
      csi = await kpi.store.recordBreaches(breaches, report.generatedAt, {
        knowledgeGaps: report.knowledgeGaps.slice(0, 5),
      });
    if (args.format === 'json') {
      process.stdout.write(
        `${JSON.stringify({ ...report, agentLoad: report.agentLoad, breaches, ...(csi ? { csi, improvementItems: await kpi.store.improvementItems({ status: 'open' }) } : {}) }, null, 2)}\n`,
      );
    } else if (args.format === 'csv') {
      process.stdout.write(`${formatReportCsv(report)}\n`);
    } else {
      process.stdout.write(`${formatReportTable(report)}\n`);
      if (breaches.length > 0)
        process.stdout.write(
          `\ntargets missed (data/kpi-targets.json):\n${breaches.map((b) => `  ${b.title}`).join('\n')}\n`,
        );
      if (csi) {
        const items = await kpi.store.improvementItems({ status: 'open' });
        process.stdout.write(
          `\nimprovement register: ${csi.opened} opened, ${csi.updated} updated; ${items.length} open:\n${items.map((i) => `  #${i.id} ${i.title}`).join('\n')}\n`,
        );
      }
    }
    return 0;
  } finally {
    await kpi.database.close();
  }
}
