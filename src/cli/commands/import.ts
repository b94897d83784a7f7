/**
 * `chatdesk import servicenow-log <dir> [--limit N]`: loads the UCI ServiceNow incident event log
 * (events.csv + incidents.csv) into the tickets and events tables, so the KPI report, dashboard and
 * benchmarks run on 25k real incidents. Re-running skips incidents already imported. Meant for a
 * dedicated database (DATABASE_URL): imported numbers are real INC numbers.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { KpiStore } from '../../db/kpi-store.js';
import { AppError, formatIssues } from '../../errors.js';
import {
  groupEventRows,
  mapServiceNowIncident,
  parseServiceNowEvents,
  parseServiceNowIncidents,
  snGroupSlug,
} from '../../itsm/kpis/servicenow.js';
import { parseCommandArgs, seeHelp } from '../args.js';
import { openKpi } from './report.js';

export const USAGE =
  'usage: chatdesk import servicenow-log <dir with events.csv and incidents.csv> [--limit N]';

const argsSchema = z.object({
  kind: z.literal('servicenow-log', { message: 'the only import is "servicenow-log"' }),
  dir: z
    .string({ message: 'name the directory holding events.csv and incidents.csv' })
    .min(1, 'name the directory holding events.csv and incidents.csv'),
  limit: z.coerce.number({ message: '--limit must be a number' }).int().min(1).optional(),
});

interface ImportResult {
  tickets: number;
  events: number;
  skipped: number;
  ms: number;
}

/** Reads, maps and writes the log; used by the CLI and bench/kpi.ts. */
export async function importServiceNowLog(
  store: KpiStore,
  dir: string,
  opts: { limit?: number; now: string },
): Promise<ImportResult> {
  const started = performance.now();
  const read = async (f: string) => {
    try {
      return await readFile(join(dir, f), 'utf8');
    } catch (cause) {
      throw new AppError(
        'not_found',
        `${join(dir, f)} cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)}); point to the itsm_incident_event_log directory.`,
        { cause },
      );
    }
  };
  const [eventsText, incidentsText] = await Promise.all([read('events.csv'), read('incidents.csv')]);
  let incidents = parseServiceNowIncidents(incidentsText);
  if (opts.limit !== undefined) incidents = incidents.slice(0, opts.limit);
  const rows = groupEventRows(parseServiceNowEvents(eventsText));
  const refs = new Set<string>();
  const groups = new Set<string>();
  for (const inc of incidents) {
    for (const r of rows.get(inc.number) ?? []) {
      if (r.assigned_to !== '') refs.add(r.assigned_to);
      const g = snGroupSlug(r.assignment_group);
      if (g !== null) groups.add(g);
    }
  }
  const { people, groupIds } = await store.prepareImport({
    assigneeRefs: [...refs],
    groupSlugs: [...groups],
    source: 'servicenow',
    now: opts.now,
  });
  const mapped = incidents.map((inc) => mapServiceNowIncident(inc, rows.get(inc.number) ?? [], people));
  const r = await store.insertImported(mapped, {
    source: 'servicenow',
    requesterId: people.callerId,
    groupIds,
    assigneeId: people.assignee,
  });
  return { ...r, ms: Math.round(performance.now() - started) };
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    name: 'import',
    usage: USAGE,
    argv,
    options: { limit: { type: 'string' } },
    schema: z.object({ limit: z.string().optional() }),
    allowPositionals: true,
  });
  if (!parsed.ok) return parsed.exitCode;
  const [kind, dir] = parsed.positionals;
  const checked = argsSchema.safeParse({ kind, dir, limit: parsed.args.limit });
  if (!checked.success) {
    process.stderr.write(`chatdesk import: ${formatIssues(checked.error.issues)}. ${seeHelp('import')}\n`);
    return 2;
  }
  const args = checked.data;
  const kpi = await openKpi();
  try {
    const r = await importServiceNowLog(kpi.store, args.dir, {
      ...(args.limit === undefined ? {} : { limit: args.limit }),
      now: new Date().toISOString(),
    });
    process.stdout.write(
      `imported ${r.tickets} incidents with ${r.events} events in ${r.ms} ms (${r.skipped} already present)\n`,
    );
    return 0;
  } finally {
    await kpi.database.close();
  }
}
