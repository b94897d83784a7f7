/**
 * bench:kpi: imports the UCI ServiceNow incident event log (24,918 incidents / 141,712 events) into a
 * fresh SQLite file (or PostgreSQL with BENCH_DATABASE_URL) and times the full KPI report over all of
 * it, as the CLI and dashboard build it. Prints `bench kpi.report_ms=<n> ms` (median of 3 runs).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importServiceNowLog } from '../src/cli/commands/import.js';
import { openDatabase } from '../src/db/connect.js';
import { createKpiStore } from '../src/db/kpi-store.js';
import { migrate } from '../src/db/migrate.js';
import { formatReportTable } from '../src/itsm/kpis/format.js';
import { createKpiService } from '../src/itsm/kpis/service.js';
import { loadKpiTargets } from '../src/itsm/kpis/targets.js';
import { loadSlaConfig } from '../src/itsm/sla.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataset = resolve(root, '../shared/datasets/itsm_incident_event_log');

async function main(): Promise<void> {
  if (!existsSync(join(dataset, 'events.csv'))) {
    process.stdout.write(`bench:kpi skipped: ${dataset} is missing (see ../shared/datasets/README.md)\n`);
    return;
  }
  const pgUrl = process.env.BENCH_DATABASE_URL;
  const dir = mkdtempSync(join(tmpdir(), 'chatdesk-bench-kpi-'));
  const database = await openDatabase(pgUrl ?? `sqlite:${join(dir, 'kpi.sqlite')}`);
  const suffix = database.dialect === 'postgres' ? '.pg' : '';
  try {
    await migrate(database);
    const store = createKpiStore(database.db);
    const imported = await importServiceNowLog(store, dataset, { now: new Date().toISOString() });
    process.stdout.write(
      `imported ${imported.tickets} incidents, ${imported.events} events in ${imported.ms} ms (${imported.skipped} already present)\n`,
    );
    const [sla, targets] = await Promise.all([
      loadSlaConfig(join(root, 'data/sla.json')),
      loadKpiTargets(join(root, 'data/kpi-targets.json')),
    ]);
    // The log ends 2017-02-16; "now" just after it makes every incident part of the period.
    const now = new Date('2017-03-01T00:00:00Z');
    const service = createKpiService({ source: store, sla, targets, now: () => now });
    const times: number[] = [];
    const cpuTimes: number[] = [];
    const cpu = (): number => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    let report = await service.report({ since: 'all' });
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const c0 = cpu();
      report = await service.report({ since: 'all' });
      service.breaches(report);
      times.push(performance.now() - t0);
      cpuTimes.push(cpu() - c0);
    }
    times.sort((a, b) => a - b);
    const ms = Math.round(times[1] ?? 0);
    cpuTimes.sort((a, b) => a - b);
    const [load1] = loadavg();
    process.stdout.write(`${formatReportTable(report).split('\n').slice(0, 9).join('\n')}\n\n`);
    process.stdout.write(`bench kpi.import_ms${suffix}=${imported.ms} ms\n`);
    process.stdout.write(`bench kpi.report_ms${suffix}=${ms} ms\n`);
    // Wall time depends on what else runs on the cores; CPU time of this process is the steadier figure.
    process.stdout.write(`bench kpi.report_cpu_ms${suffix}=${Math.round(cpuTimes[1] ?? 0)} ms\n`);
    process.stdout.write(`(load average ${load1?.toFixed(1)} on ${cpus().length} cores while measuring)\n`);
    process.stdout.write(`bench kpi.tickets=${report.overall.tickets} tickets\n`);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:kpi failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
