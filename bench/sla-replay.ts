/**
 * `npm run bench:sla`: replays the ServiceNow incident event log (../shared/datasets/
 * itsm_incident_event_log: 24,918 incidents, 141,712 events) through the SLA engine.
 *
 * Each incident's rows become chatdesk ticket events (state, priority and assignment changes), the
 * clocks are computed at the incident's close with the default policies (DESIGN §4: business hours
 * Mon–Fri 09–17 UTC except P1 24×7), and the breaches are counted and set against the log's own
 * `made_sla`. The log's SLA definitions are unknown (and its timestamps lack a zone), so agreement
 * measures how plausible the default policies are on real data, not correctness.
 *
 * Prints `bench sla.replay.incidents_per_s=<n> incidents/s` and `bench sla.replay.breaches=<n> count`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/connect.js';
import { createDirectoryStore } from '../src/db/directory-store.js';
import { migrate } from '../src/db/migrate.js';
import { createItilStore } from '../src/db/practices-store.js';
import { createTicketStore } from '../src/db/ticket-store.js';
import { parseCsv } from '../src/itsm/assets.js';
import { computeSla, DEFAULT_SLA_CONFIG } from '../src/itsm/sla.js';
import { createSlaSweep } from '../src/itsm/sla-sweep.js';
import type { PendingReason, Priority, TicketEvent, TicketState } from '../src/itsm/types.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = resolve(ROOT, '..', 'shared', 'datasets', 'itsm_incident_event_log');

const STATE: Record<string, { state: TicketState; reason?: PendingReason }> = {
  New: { state: 'new' },
  Active: { state: 'in_progress' },
  'Awaiting User Info': { state: 'pending', reason: 'requester' },
  'Awaiting Evidence': { state: 'pending', reason: 'requester' },
  'Awaiting Vendor': { state: 'pending', reason: 'vendor' },
  'Awaiting Problem': { state: 'pending', reason: 'change' },
  Resolved: { state: 'resolved' },
  Closed: { state: 'closed' },
};

const prio = (v: string | undefined): Priority | null =>
  v === '1' || v === '2' || v === '3' || v === '4' ? (`P${v}` as Priority) : null;
// The log has minute resolution and no zone; read as UTC.
const iso = (v: string | undefined): string | null =>
  v && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v) ? `${v}:00.000Z` : null;

function table(file: string): { header: Map<string, number>; rows: string[][] } {
  const rows = parseCsv(readFileSync(file, 'utf8'));
  const head = rows.shift() ?? [];
  return { header: new Map(head.map((h, i) => [h, i])), rows };
}

/**
 * The sweeper against a real SQLite file: `n` open tickets, half of them past their warning threshold,
 * swept once (claims, audit events, notices) and once more (everything already claimed).
 */
async function sweepBench(n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'chatdesk-bench-sla-'));
  const database = await openDatabase(`sqlite:${join(dir, 'bench.sqlite')}`);
  try {
    await migrate(database);
    const { db } = database;
    const created = '2026-03-02T09:00:00.000Z';
    const person = await db
      .insertInto('people')
      .values({
        email: 'bench@example.com',
        display_name: 'bench',
        role: 'employee',
        manager_id: null,
        time_zone: 'UTC',
        capacity: null,
        created_at: created,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const tickets = createTicketStore(db);
    for (let i = 0; i < n; i++) {
      const priority: Priority = i % 2 === 0 ? 'P2' : 'P4';
      await tickets.create(
        {
          kind: 'incident',
          title: `t${i}`,
          description: 'd',
          state: 'new',
          impact: 'medium',
          urgency: 'medium',
          priority,
          category: null,
          templateId: null,
          fields: {},
          requesterId: person.id,
          groupId: null,
          assigneeId: null,
          channel: 'api',
          createdAt: created,
          sourceKey: null,
        },
        [{ at: created, actorId: person.id, type: 'created', to: 'new', data: { priority } }],
      );
    }
    const quiet = {
      notifyPerson: async () => true,
      notifyRequester: async () => undefined,
      notifyAgents: async () => false,
      openCabThread: async () => false,
      notifyCabThread: async () => false,
    };
    const sweep = createSlaSweep({
      tickets,
      directory: createDirectoryStore(db),
      itil: createItilStore(db),
      sla: DEFAULT_SLA_CONFIG,
      notifier: quiet,
    });
    const now = '2026-03-02T09:40:00.000Z'; // P2 response (30 min) breached, P4 (480) quiet
    let t = performance.now();
    const first = await sweep.sweep(now);
    const firstMs = performance.now() - t;
    t = performance.now();
    await sweep.sweep(now);
    const againMs = performance.now() - t;
    process.stdout.write(
      `SLA sweep over ${n} open tickets on SQLite: first ${Math.round(firstMs)} ms (${first.breaches} breaches handled), repeat ${Math.round(againMs)} ms (nothing new)\n`,
    );
    process.stdout.write(`bench sla.sweep.tickets_per_s=${Math.round(n / (againMs / 1000))} tickets/s\n`);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): number {
  const eventsFile = join(DIR, 'events.csv');
  const incidentsFile = join(DIR, 'incidents.csv');
  if (!existsSync(eventsFile) || !existsSync(incidentsFile)) {
    process.stdout.write(
      `bench:sla skipped: the ServiceNow event log is not at ${DIR} (events.csv, incidents.csv)\n`,
    );
    return 0;
  }
  const t0 = performance.now();
  const ev = table(eventsFile);
  const inc = table(incidentsFile);
  const col = (h: Map<string, number>, name: string): number => {
    const i = h.get(name);
    if (i === undefined) throw new Error(`column ${name} missing`);
    return i;
  };
  const E = {
    number: col(ev.header, 'number'),
    state: col(ev.header, 'incident_state'),
    at: col(ev.header, 'sys_updated_at'),
    prio: col(ev.header, 'priority'),
    assignee: col(ev.header, 'assigned_to'),
  };
  const I = {
    number: col(inc.header, 'number'),
    opened: col(inc.header, 'opened_at'),
    closed: col(inc.header, 'closed_at'),
    resolved: col(inc.header, 'resolved_at'),
    prio: col(inc.header, 'priority_initial'),
    made: col(inc.header, 'made_sla_final'),
  };
  const byNumber = new Map<string, string[][]>();
  for (const r of ev.rows) {
    const n = r[E.number] ?? '';
    const list = byNumber.get(n);
    if (list) list.push(r);
    else byNumber.set(n, [r]);
  }
  const loadMs = performance.now() - t0;

  let replayed = 0;
  let skipped = 0;
  let resolutionBreaches = 0;
  let responseBreaches = 0;
  let agree = 0;
  let logMissed = 0;
  let bothMissed = 0;
  const byPrio = new Map<Priority, { n: number; breached: number; logMissed: number }>();
  const t1 = performance.now();
  for (const r of inc.rows) {
    const number = r[I.number] ?? '';
    const createdAt = iso(r[I.opened]);
    const rows = byNumber.get(number);
    const initial = prio(r[I.prio]);
    if (!createdAt || !rows || !initial) {
      skipped++;
      continue;
    }
    const events: TicketEvent[] = [
      {
        ticketId: 0,
        seq: 1,
        at: createdAt,
        actorId: null,
        type: 'created',
        from: null,
        to: 'new',
        reason: null,
        data: { priority: initial },
      },
    ];
    let state: TicketState = 'new';
    let priority: Priority = initial;
    let assignee = '';
    let last = createdAt;
    for (const row of rows) {
      const at = iso(row[E.at]);
      if (!at) continue;
      last = at > last ? at : last;
      const p = prio(row[E.prio]);
      if (p && p !== priority) {
        events.push({
          ticketId: 0,
          seq: events.length + 1,
          at,
          actorId: null,
          type: 'priority_changed',
          from: priority,
          to: p,
          reason: null,
          data: {},
        });
        priority = p;
      }
      const who = row[E.assignee] ?? '';
      if (who && who !== assignee) {
        events.push({
          ticketId: 0,
          seq: events.length + 1,
          at,
          actorId: null,
          type: 'assigned',
          from: assignee || null,
          to: who,
          reason: null,
          data: { assigneeId: Number(who) },
        });
        assignee = who;
      }
      const s = STATE[row[E.state] ?? ''];
      if (s && s.state !== state) {
        events.push({
          ticketId: 0,
          seq: events.length + 1,
          at,
          actorId: null,
          type: 'state_changed',
          from: state,
          to: s.state,
          reason: null,
          data: s.reason ? { pendingReason: s.reason } : {},
        });
        state = s.state;
      }
    }
    const now = iso(r[I.closed]) ?? iso(r[I.resolved]) ?? last;
    const sla = computeSla({ createdAt, events, priority, config: DEFAULT_SLA_CONFIG, now });
    replayed++;
    const breached = sla.resolution.breached;
    const made = r[I.made] === '1';
    if (breached) resolutionBreaches++;
    if (sla.response.breached) responseBreaches++;
    if (!made) logMissed++;
    if (!made && breached) bothMissed++;
    if (breached === !made) agree++;
    const b = byPrio.get(initial) ?? { n: 0, breached: 0, logMissed: 0 };
    b.n++;
    if (breached) b.breached++;
    if (!made) b.logMissed++;
    byPrio.set(initial, b);
  }
  const replayMs = performance.now() - t1;
  const perS = Math.round(replayed / (replayMs / 1000));

  process.stdout.write(
    `SLA replay of ${replayed} incidents (${ev.rows.length} events; ${skipped} skipped), CSV load ${Math.round(loadMs)} ms, replay ${Math.round(replayMs)} ms\n`,
  );
  process.stdout.write('priority  incidents  breached(chatdesk)  missed(log made_sla=0)\n');
  for (const p of ['P1', 'P2', 'P3', 'P4'] as const) {
    const b = byPrio.get(p);
    if (b)
      process.stdout.write(
        `${p}        ${String(b.n).padStart(9)}  ${String(b.breached).padStart(18)}  ${String(b.logMissed).padStart(22)}\n`,
      );
  }
  process.stdout.write(
    `resolution breaches ${resolutionBreaches} (${((resolutionBreaches / replayed) * 100).toFixed(1)} %), response breaches ${responseBreaches}; the log says ${logMissed} missed their SLA (${((logMissed / replayed) * 100).toFixed(1)} %); both: ${bothMissed}; agreement ${((agree / replayed) * 100).toFixed(1)} %\n`,
  );
  process.stdout.write(`bench sla.replay.incidents_per_s=${perS} incidents/s\n`);
  process.stdout.write(`bench sla.replay.breaches=${resolutionBreaches} count\n`);
  process.stdout.write(`bench sla.replay.log_missed=${logMissed} count\n`);
  process.stdout.write(`bench sla.replay.agreement=${(agree / replayed).toFixed(3)} fraction\n`);
  return 0;
}

process.exitCode = main();
await sweepBench(2000);
