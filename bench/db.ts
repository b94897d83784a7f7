/**
 * bench:db: data volume. Generates BENCH_DB_N tickets (default 1,000,000) with their events in a fresh
 * SQLite file (batched inserts in transactions, progress printed), then times the hot queries through
 * the real stores and ticket creation through the real TicketStore against raw better-sqlite3 inserts
 * of the same rows, measured in the same run. Prints:
 *   bench db.p99_ms.<query>=<n> ms   (my_open_tickets, group_queue, sla_due_scan, kpi_month)
 *   bench db.create_ratio_vs_raw=<x> ratio
 * With BENCH_DATABASE_URL=postgres://… the generated rows are copied to PostgreSQL (a schema of
 * their own) and the same hot queries run there too: `bench db.p99_ms.<query>.pg`, side by side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { type Database, openDatabase } from '../src/db/connect.js';
import { createKpiStore } from '../src/db/kpi-store.js';
import { migrate } from '../src/db/migrate.js';
import { createItilStore } from '../src/db/practices-store.js';
import { createTicketStore } from '../src/db/ticket-store.js';
import type { NewEvent, NewTicket } from '../src/itsm/ports.js';
import { OPEN_STATES, type TicketState } from '../src/itsm/types.js';

const N = Number(process.env.BENCH_DB_N ?? 1_000_000);
const PEOPLE = Math.max(100, Math.min(20_000, Math.round(N / 50)));
const AGENTS = 60;
const GROUPS = 10;
/** BENCH_DATABASE_URL=postgres://…: the same rows copied to PostgreSQL, hot queries side by side. */
const PG_URL = process.env.BENCH_DATABASE_URL;
const CREATE_N = Number(process.env.BENCH_DB_CREATE_N ?? 2_000);
const END = Date.parse('2026-11-01T00:00:00.000Z');
const SPAN_MS = 730 * 86_400_000;

let seed = 42;
const rand = () => {
  // mulberry32: reproducible data across runs
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const iso = (ms: number) => new Date(ms).toISOString();

function p99(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)] ?? Number.NaN;
}

async function time(samples: number[], f: () => Promise<unknown>): Promise<void> {
  const t = performance.now();
  await f();
  samples.push(performance.now() - t);
}

/** The hot queries through the real stores; the same parameters on every database (seeded). */
async function hotQueries(db: Database): Promise<Record<string, number[]>> {
  seed = 4242;
  const tickets = createTicketStore(db.db);
  const itil = createItilStore(db.db);
  const kpi = createKpiStore(db.db);
  const samples: Record<string, number[]> = {
    my_open_tickets: [],
    group_queue: [],
    sla_due_scan: [],
    kpi_month: [],
  };
  for (let i = 0; i < 300; i++) {
    await time(samples.my_open_tickets as number[], () =>
      tickets.list({ requesterId: 1 + Math.floor(rand() * PEOPLE), states: [...OPEN_STATES], limit: 20 }),
    );
    await time(samples.group_queue as number[], () =>
      tickets.list({
        groupId: 1 + Math.floor(rand() * GROUPS),
        states: ['new', 'assigned', 'in_progress', 'pending'],
        limit: 50,
      }),
    );
  }
  // The SLA sweep pages through open tickets by id; time every page of one full sweep.
  let after = 0;
  for (let page = 0; page < 10_000; page++) {
    let got = 0;
    await time(samples.sla_due_scan as number[], async () => {
      const rows = await itil.openTickets(['incident', 'service_request'], after, 200);
      got = rows.length;
      after = rows.at(-1)?.id ?? after;
    });
    if (got < 200) break;
  }
  const months = Number(process.env.BENCH_DB_KPI_RUNS ?? 5);
  for (let i = 0; i < months; i++) {
    const m = new Date(END - (i + 1) * 30 * 86_400_000);
    const since = `${m.toISOString().slice(0, 7)}-01T00:00:00.000Z`;
    const next = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1)).toISOString();
    await time(samples.kpi_month as number[], () => kpi.load({ since, until: next }));
  }
  return samples;
}

/**
 * The same rows in PostgreSQL (a schema of their own, dropped afterwards): migrated by the real
 * migrations, filled from the SQLite file in batches, analysed, then the same hot queries.
 */
async function onPostgres(sqlitePath: string, url: string): Promise<Record<string, number[]>> {
  const schema = `bench_db_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const scoped = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  try {
    const database = await openDatabase(scoped);
    try {
      await migrate(database);
      const raw = new SQLite(sqlitePath, { readonly: true });
      const t0 = performance.now();
      let copied = 0;
      for (const table of ['people', 'groups', 'tickets', 'ticket_events', 'counters']) {
        await admin.query(`delete from ${schema}.${table}`);
        let batch: unknown[] = [];
        const flush = async () => {
          if (batch.length === 0) return;
          await admin.query(
            `insert into ${schema}.${table} select * from json_populate_recordset(null::${schema}.${table}, $1)`,
            [JSON.stringify(batch)],
          );
          copied += batch.length;
          batch = [];
        };
        for (const row of raw.prepare(`select * from ${table}`).iterate()) {
          batch.push(row);
          if (batch.length >= 5_000) await flush();
        }
        await flush();
      }
      raw.close();
      await admin.query(`analyze ${schema}.tickets; analyze ${schema}.ticket_events`);
      process.stdout.write(
        `copied ${copied.toLocaleString('en')} rows to PostgreSQL (schema ${schema}) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
      );
      return await hotQueries(database);
    } finally {
      await database.close();
    }
  } finally {
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'chatdesk-bench-db-'));
  const path = join(dir, 'db.sqlite');
  const started = performance.now();
  try {
    const database = await openDatabase(`sqlite:${path}`);
    await migrate(database);
    await database.close();

    // ---- generate with raw better-sqlite3 (the fastest way to get 1M rows in)
    const raw = new SQLite(path);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    const now = iso(END);
    const insPerson = raw.prepare(
      "insert into people (email, display_name, role, time_zone, created_at) values (?, ?, ?, 'UTC', ?)",
    );
    const insGroup = raw.prepare('insert into groups (slug, name) values (?, ?)');
    raw.transaction(() => {
      for (let i = 0; i < PEOPLE; i++) insPerson.run(`user${i}@bench.example`, `User ${i}`, 'employee', now);
      for (let i = 0; i < AGENTS; i++) insPerson.run(`agent${i}@bench.example`, `Agent ${i}`, 'agent', now);
      for (let g = 0; g < GROUPS; g++) insGroup.run(`group-${g}`, `Group ${g}`);
    })();
    const firstAgent = PEOPLE + 1;
    const insTicket = raw.prepare(
      `insert into tickets (number, kind, title, description, state, impact, urgency, priority, category, fields, requester_id, group_id, assignee_id, channel, version, created_at, updated_at, resolved_at, closed_at)
       values (?, ?, ?, ?, ?, 'medium', 'medium', ?, ?, '{}', ?, ?, ?, 'slack', ?, ?, ?, ?, ?)`,
    );
    const insEvent = raw.prepare(
      'insert into ticket_events (ticket_id, seq, at, actor_id, type, from_value, to_value, reason, data) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const openStates: TicketState[] = ['new', 'assigned', 'in_progress', 'pending'];
    const BATCH = 10_000;
    let events = 0;
    const genStart = performance.now();
    const batch = raw.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const created = END - SPAN_MS + Math.floor((i / N) * SPAN_MS);
        const open = rand() < (created > END - 30 * 86_400_000 ? 0.6 : 0.02);
        const state: TicketState = open ? pick(openStates) : rand() < 0.85 ? 'closed' : 'resolved';
        const requester = 1 + Math.floor(rand() * PEOPLE);
        const group = 1 + Math.floor(rand() * GROUPS);
        const assignee = state === 'new' ? null : firstAgent + Math.floor(rand() * AGENTS);
        const resolvedAt = open ? null : iso(created + Math.floor(rand() * 5 * 86_400_000));
        const closedAt =
          state === 'closed' && resolvedAt ? iso(Date.parse(resolvedAt) + 3 * 86_400_000) : null;
        const evs: Array<[string, string | null, string | null, string]> = [
          ['created', null, 'new', '{"priority":"P3","channel":"slack"}'],
          ['assigned', null, assignee === null ? null : String(assignee), `{"groupId":${group}}`],
        ];
        if (assignee !== null) evs.push(['state_changed', 'new', 'assigned', '{}']);
        if (state === 'in_progress' || state === 'pending' || !open)
          evs.push(['state_changed', 'assigned', 'in_progress', '{}']);
        if (state === 'pending') evs.push(['state_changed', 'in_progress', 'pending', '{}']);
        if (!open) evs.push(['state_changed', 'in_progress', 'resolved', '{}']);
        if (state === 'closed') evs.push(['state_changed', 'resolved', 'closed', '{}']);
        const kind = rand() < 0.8 ? 'incident' : 'service_request';
        const r = insTicket.run(
          `${kind === 'incident' ? 'INC' : 'REQ'}${String(i + 1).padStart(7, '0')}`,
          kind,
          `Bench ticket ${i}`,
          'Generated by bench:db',
          state,
          pick(['P1', 'P2', 'P3', 'P3', 'P4', 'P4']),
          pick(['network', 'hardware', 'software', 'access', null]),
          requester,
          group,
          assignee,
          evs.length,
          iso(created),
          resolvedAt ?? iso(created),
          resolvedAt,
          closedAt,
        );
        const tid = Number(r.lastInsertRowid);
        evs.forEach(([type, from, to, data], k) => {
          insEvent.run(
            tid,
            k + 1,
            iso(created + k * 60_000),
            k === 0 ? requester : null,
            type,
            from,
            to,
            null,
            data,
          );
        });
        events += evs.length;
      }
    });
    for (let from = 0; from < N; from += BATCH) {
      batch(from, Math.min(N, from + BATCH));
      if ((from / BATCH) % 10 === 9 || from + BATCH >= N) {
        const done = Math.min(N, from + BATCH);
        process.stdout.write(
          `generated ${done.toLocaleString('en')} tickets, ${events.toLocaleString('en')} events (${Math.round(done / ((performance.now() - genStart) / 1000)).toLocaleString('en')} tickets/s)\n`,
        );
      }
    }
    // Numbers continue after the generated ones (the store allocates them from `counters`).
    const setCounter = raw.prepare(
      'insert into counters (name, value) values (?, ?) on conflict (name) do update set value = excluded.value',
    );
    setCounter.run('incident', N + 1);
    setCounter.run('service_request', N + 1);
    raw.exec('ANALYZE');
    raw.close();

    // ---- hot queries through the real stores
    const db = await openDatabase(`sqlite:${path}`);
    try {
      const applied = await migrate(db); // picks up indexes added after the file was generated
      if (applied.length > 0) process.stdout.write(`migrated ${applied.join(', ')}\n`);
      const tickets = createTicketStore(db.db);
      const samples = await hotQueries(db);
      process.stdout.write(
        `\n${N.toLocaleString('en')} tickets, ${events.toLocaleString('en')} events, ${PEOPLE} requesters, ${GROUPS} groups\n`,
      );
      let pgSamples: Record<string, number[]> | null = null;
      if (PG_URL) pgSamples = await onPostgres(path, PG_URL);
      process.stdout.write(
        `query              runs   p50 ms   p99 ms${pgSamples ? '   PostgreSQL p50   p99 ms' : ''}\n`,
      );
      const p50 = (s: number[]) => [...s].sort((a, b) => a - b)[Math.floor(s.length / 2)] ?? 0;
      for (const [k, s] of Object.entries(samples)) {
        const pgS = pgSamples?.[k];
        process.stdout.write(
          `${k.padEnd(18)} ${String(s.length).padStart(5)} ${p50(s).toFixed(2).padStart(8)} ${p99(s).toFixed(2).padStart(8)}${pgS ? `${p50(pgS).toFixed(2).padStart(17)} ${p99(pgS).toFixed(2).padStart(8)}` : ''}\n`,
        );
      }

      // ---- creation: the real TicketStore (Kysely, transaction, counter, events) vs raw inserts
      const newTicket = (i: number): { t: NewTicket; ev: NewEvent[] } => {
        const at = iso(END + i * 1000);
        return {
          t: {
            kind: 'incident',
            title: `Created ${i}`,
            description: 'bench',
            state: 'assigned',
            impact: 'medium',
            urgency: 'medium',
            priority: 'P3',
            category: 'network',
            templateId: null,
            fields: {},
            requesterId: 1 + (i % PEOPLE),
            groupId: 1 + (i % GROUPS),
            assigneeId: firstAgent + (i % AGENTS),
            channel: 'slack',
            createdAt: at,
            sourceKey: `bench:${i}`,
          },
          ev: [
            {
              at,
              actorId: 1 + (i % PEOPLE),
              type: 'created',
              to: 'new',
              reason: 'bench',
              data: { priority: 'P3' },
            },
            {
              at,
              actorId: null,
              type: 'assigned',
              to: String(firstAgent + (i % AGENTS)),
              reason: 'least load',
              data: { groupId: 1 + (i % GROUPS) },
            },
            {
              at,
              actorId: null,
              type: 'state_changed',
              from: 'new',
              to: 'assigned',
              reason: 'auto-dispatch',
            },
          ],
        };
      };
      // Raw: the same rows (ticket + 3 events), one transaction per ticket like the store.
      const r2 = new SQLite(path);
      r2.pragma('journal_mode = WAL');
      r2.pragma('synchronous = NORMAL');
      const insT = r2.prepare(
        `insert into tickets (number, kind, title, description, state, impact, urgency, priority, category, fields, requester_id, group_id, assignee_id, channel, source_key, version, created_at, updated_at)
         values (?, 'incident', ?, 'bench', 'assigned', 'medium', 'medium', 'P3', 'network', '{}', ?, ?, ?, 'slack', ?, 3, ?, ?)`,
      );
      const insE = r2.prepare(
        'insert into ticket_events (ticket_id, seq, at, actor_id, type, from_value, to_value, reason, data) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      const one = r2.transaction((i: number) => {
        const { t, ev } = newTicket(i);
        const r = insT.run(
          `RAW${String(i).padStart(7, '0')}`,
          t.title,
          t.requesterId,
          t.groupId,
          t.assigneeId,
          `raw:${i}`,
          t.createdAt,
          t.createdAt,
        );
        const id = Number(r.lastInsertRowid);
        ev.forEach((e, k) => {
          insE.run(
            id,
            k + 1,
            e.at,
            e.actorId,
            e.type,
            e.from ?? null,
            e.to ?? null,
            e.reason ?? null,
            JSON.stringify(e.data ?? {}),
          );
        });
      });
      const storeBlock = async (from: number, n: number): Promise<number> => {
        const t0 = performance.now();
        for (let i = from; i < from + n; i++) {
          const { t, ev } = newTicket(i);
          await tickets.create(t, ev);
        }
        return performance.now() - t0;
      };
      const rawBlock = (from: number, n: number): number => {
        const t0 = performance.now();
        for (let i = from; i < from + n; i++) one(i);
        return performance.now() - t0;
      };
      // Both paths warmed up (compiled, the same pages cached), then timed in alternating blocks, so
      // neither is measured cold nor profits from pages the other one read first.
      const WARM = 200;
      await storeBlock(2 * CREATE_N, WARM);
      rawBlock(2 * CREATE_N, WARM);
      const ROUNDS = 4;
      const per = Math.ceil(CREATE_N / ROUNDS);
      let storeMs = 0;
      let rawMs = 0;
      for (let k = 0; k < ROUNDS; k++) {
        storeMs += await storeBlock(k * per, per);
        rawMs += rawBlock(k * per, per);
      }
      const storeRate = (ROUNDS * per) / (storeMs / 1000);
      const rawRate = (ROUNDS * per) / (rawMs / 1000);
      await db.close();
      r2.close();
      process.stdout.write(
        `\nticket creation: TicketStore ${Math.round(storeRate)}/s, raw better-sqlite3 ${Math.round(rawRate)}/s (${CREATE_N} tickets each, one transaction per ticket)\n`,
      );
      process.stdout.write(`total ${((performance.now() - started) / 1000).toFixed(1)} s\n\n`);
      for (const [k, s] of Object.entries(samples))
        process.stdout.write(`bench db.p99_ms.${k}=${p99(s).toFixed(2)} ms\n`);
      if (pgSamples)
        for (const [k, s] of Object.entries(pgSamples))
          process.stdout.write(`bench db.p99_ms.${k}.pg=${p99(s).toFixed(2)} ms\n`);
      process.stdout.write(`bench db.create_ratio_vs_raw=${(storeRate / rawRate).toFixed(3)} ratio\n`);
    } finally {
      await db.close().catch(() => undefined);
    }
  } finally {
    if (process.env.BENCH_DB_KEEP) process.stdout.write(`kept ${path}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench:db failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
