/**
 * bench:kpi: imports the UCI ServiceNow incident event log (24,918 incidents / 141,712 events) into a
 * fresh SQLite file (or PostgreSQL with BENCH_DATABASE_URL) and times the full KPI report over all of
 * it, as the CLI and dashboard build it. Prints `bench kpi.report_ms=<n> ms` (median of 3 runs), the
 * report's CPU time split into loading and computing, and, measured in the same run, a raw scan of the
 * same rows (every ticket and every event read into JavaScript objects by better-sqlite3, or by pg with
 * BENCH_DATABASE_URL, with nothing computed): `bench kpi.ratio_vs_scan` is report CPU / scan CPU.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import pg from 'pg';
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
    const loadCpu: number[] = [];
    const scanCpu: number[] = [];
    const cpu = (): number => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const sqlitePath = pgUrl ? null : join(dir, 'kpi.sqlite');
    const scan = rawScan(sqlitePath, pgUrl);
    let report = await service.report({ since: 'all' });
    let rows = await scan.run();
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const c0 = cpu();
      report = await service.report({ since: 'all' });
      service.breaches(report);
      times.push(performance.now() - t0);
      cpuTimes.push(cpu() - c0);
      const l0 = cpu();
      await store.load({ since: null, until: now.toISOString() });
      loadCpu.push(cpu() - l0);
      const s0 = cpu();
      rows = await scan.run();
      scanCpu.push(cpu() - s0);
    }
    await scan.close();
    loadCpu.sort((a, b) => a - b);
    scanCpu.sort((a, b) => a - b);
    times.sort((a, b) => a - b);
    const ms = Math.round(times[1] ?? 0);
    cpuTimes.sort((a, b) => a - b);
    const [load1] = loadavg();
    process.stdout.write(`${formatReportTable(report).split('\n').slice(0, 9).join('\n')}\n\n`);
    process.stdout.write(`bench kpi.import_ms${suffix}=${imported.ms} ms\n`);
    process.stdout.write(`bench kpi.report_ms${suffix}=${ms} ms\n`);
    // Wall time depends on what else runs on the cores; CPU time of this process is the steadier figure.
    const reportCpu = cpuTimes[1] ?? 0;
    process.stdout.write(`bench kpi.report_cpu_ms${suffix}=${Math.round(reportCpu)} ms\n`);
    process.stdout.write(`bench kpi.load_cpu_ms${suffix}=${Math.round(loadCpu[1] ?? 0)} ms\n`);
    process.stdout.write(`bench kpi.scan_cpu_ms${suffix}=${Math.round(scanCpu[1] ?? 0)} ms (${rows} rows)\n`);
    process.stdout.write(
      `bench kpi.ratio_vs_scan${suffix}=${(reportCpu / (scanCpu[1] ?? 1)).toFixed(2)} ratio\n`,
    );
    process.stdout.write(`(load average ${load1?.toFixed(1)} on ${cpus().length} cores while measuring)\n`);
    process.stdout.write(`bench kpi.tickets=${report.overall.tickets} tickets\n`);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The floor under any report: every ticket and every event of the period read into objects, the same
 * columns the KPI store selects, through the bare driver.
 */
function rawScan(sqlitePath: string | null, pgUrl: string | undefined) {
  const ticketSql =
    'select t.id, t.number, t.title, t.kind, t.state, t.priority, t.category, g.slug, g.calendar, t.channel, t.requester_id, t.assignee_id, t.created_at, t.resolved_at, t.closed_at from tickets t left join groups g on g.id = t.group_id';
  const eventSql =
    'select ticket_id, seq, at, actor_id, type, from_value, to_value, reason, data from ticket_events order by ticket_id, seq';
  if (sqlitePath) {
    const raw = new SQLite(sqlitePath, { readonly: true });
    const t = raw.prepare(ticketSql);
    const e = raw.prepare(eventSql);
    return {
      run: async () => t.all().length + e.all().length,
      close: async () => raw.close(),
    };
  }
  const client = new pg.Client({ connectionString: pgUrl });
  const connected = client.connect();
  return {
    run: async () => {
      await connected;
      return (await client.query(ticketSql)).rows.length + (await client.query(eventSql)).rows.length;
    },
    close: () => client.end(),
  };
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:kpi failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
