/**
 * The KPI report: every KPI of formulas.ts for the whole desk, sliced by group, category, channel and
 * priority, plus trend lines. Pure: the caller loads the data (src/db/kpi-store.ts) and passes `now`.
 */
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { SlaConfig } from '../sla.js';
import { SERVICE_KINDS, type TicketFacts, ticketFacts } from './facts.js';
import {
  type AgentLoadRow,
  agentLoad,
  aiResolvedRate,
  backlogByAge,
  botAccuracy,
  type Csat,
  csat,
  type Deflection,
  deflection,
  fcrRate,
  handoffsByReason,
  type KnowledgeGap,
  knowledgeGaps,
  mtta,
  mttrBusiness,
  mttrCalendar,
  type Ratio,
  reopenRate,
  type Stat,
  slaResolutionCompliance,
  slaResponseCompliance,
  volumeByChannel,
} from './formulas.js';
import type { KpiInput, KpiPeriod } from './types.js';

/** The KPIs every slice carries. */
export interface KpiRow {
  key: string;
  /** Cohort size: tickets created in the period. */
  tickets: number;
  /** Open at `now` (any creation date). */
  open: number;
  mtta: Stat;
  mttr: Stat;
  mttrBusiness: Stat;
  slaResponse: Ratio;
  slaResolution: Ratio;
  fcr: Ratio;
  reopen: Ratio;
  csat: Csat;
  aiResolved: Ratio;
  botAccuracy: Ratio;
}

type TrendUnit = 'day' | 'week' | 'month';

interface TrendPoint {
  /** ISO date of the bucket's first day. */
  start: string;
  tickets: number;
  mttrMinutes: number | null;
  slaResolution: number | null;
  slaResponse: number | null;
  deflected: number;
}

/** Problems and changes are not tickets of the desk's figures: they get these of their own. */
export interface ItilFigures {
  /** Created in the period. */
  opened: number;
  /** Open at `now` (any creation date). */
  open: number;
  /** Of those opened in the period: resolved or closed (a change: completed and closed). */
  resolved: number;
  cancelled: number;
  /** Calendar minutes created → resolution, over those resolved. */
  meanResolveMinutes: number | null;
}

function itilFigures(facts: readonly TicketFacts[]): ItilFigures {
  const cohort = facts.filter((f) => f.inPeriod);
  const done = cohort.filter((f) => f.resolveMinutes !== null);
  return {
    opened: cohort.length,
    open: facts.filter((f) => f.open).length,
    resolved: done.length,
    cancelled: cohort.filter((f) => f.ticket.state === 'cancelled').length,
    meanResolveMinutes:
      done.length === 0
        ? null
        : Math.round(done.reduce((a, f) => a + (f.resolveMinutes ?? 0), 0) / done.length),
  };
}

export interface KpiReport {
  generatedAt: string;
  period: KpiPeriod;
  group: string | null;
  deflectionWindowDays: number;
  /** Incidents and requests: the tickets every other figure counts. */
  overall: KpiRow;
  problems: ItilFigures;
  changes: ItilFigures;
  backlogByAge: { bucket: string; count: number }[];
  volumeByChannel: Record<string, number>;
  agentLoad: AgentLoadRow[];
  csat: { all: Csat; ai: Csat; human: Csat };
  /** Desk-wide only: knowledge answers belong to no group, so null when a group filter is set. */
  deflection: Deflection | null;
  handoffsByReason: Record<string, number>;
  knowledgeGaps: KnowledgeGap[];
  byGroup: KpiRow[];
  byCategory: KpiRow[];
  byChannel: KpiRow[];
  byPriority: KpiRow[];
  trend: { unit: TrendUnit; points: TrendPoint[] };
}

interface KpiReportOptions {
  now: string;
  period: KpiPeriod;
  sla: SlaConfig;
  group?: string | null;
  /** Verified-deflection window in days (default 3). */
  deflectionWindowDays?: number;
}

export const DEFAULT_DEFLECTION_WINDOW_DAYS = 3;

/** KPIs of one set of tickets. */
function kpiRow(key: string, facts: readonly TicketFacts[]): KpiRow {
  const c = csat(facts);
  return {
    key,
    tickets: facts.filter((f) => f.inPeriod).length,
    open: facts.filter((f) => f.open).length,
    mtta: mtta(facts),
    mttr: mttrCalendar(facts),
    mttrBusiness: mttrBusiness(facts),
    slaResponse: slaResponseCompliance(facts),
    slaResolution: slaResolutionCompliance(facts),
    fcr: fcrRate(facts),
    reopen: reopenRate(facts),
    csat: c.all,
    aiResolved: aiResolvedRate(facts),
    botAccuracy: botAccuracy(facts),
  };
}

function slices(facts: readonly TicketFacts[], keyOf: (f: TicketFacts) => string): KpiRow[] {
  const by = new Map<string, TicketFacts[]>();
  for (const f of facts) {
    const k = keyOf(f);
    const l = by.get(k);
    if (l) l.push(f);
    else by.set(k, [f]);
  }
  return [...by.entries()]
    .map(([k, fs]) => kpiRow(k, fs))
    .sort((a, b) => b.tickets - a.tickets || b.open - a.open || a.key.localeCompare(b.key));
}

/** Day buckets up to 62 days, weeks (starting Monday) up to ~a year and a half, months beyond. */
function trendUnitFor(since: string | null, until: string, firstCreated: string | null): TrendUnit {
  const start = since ?? firstCreated ?? until;
  const days = (Date.parse(until) - Date.parse(start)) / 86_400_000;
  return days <= 62 ? 'day' : days <= 550 ? 'week' : 'month';
}

const weekStarts = new Map<string, string>();

export function bucketStart(iso: string, unit: TrendUnit): string {
  const day = iso.slice(0, 10);
  if (unit === 'week') {
    // Memoised per day: 25k tickets fall on a few hundred days, and Date objects are not free.
    const hit = weekStarts.get(day);
    if (hit !== undefined) return hit;
  }
  if (unit === 'day') return day;
  if (unit === 'month') return `${iso.slice(0, 7)}-01`;
  const d = new Date(`${day}T00:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7;
  const start = new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10);
  if (weekStarts.size < 10_000) weekStarts.set(day, start);
  return start;
}

export function buildKpiReport(input: KpiInput, opts: KpiReportOptions): KpiReport {
  const group = opts.group ?? null;
  const windowDays = opts.deflectionWindowDays ?? DEFAULT_DEFLECTION_WINDOW_DAYS;
  const scoped = group === null ? input.tickets : input.tickets.filter((t) => t.group === group);
  const staff = new Set(input.agentNames?.keys() ?? []);
  const factsOf = (kinds: (k: string) => boolean) =>
    scoped
      .filter((t) => kinds(t.kind))
      .map((t) => ticketFacts(t, { sla: opts.sla, now: opts.now, period: opts.period, staff }));
  const facts = factsOf((k) => SERVICE_KINDS.has(k));
  // Deflection looks desk-wide: a knowledge answer belongs to no group.
  const serviceTickets = input.tickets.filter((t) => SERVICE_KINDS.has(t.kind));
  const cohort = facts.filter((f) => f.inPeriod);
  const c = csat(facts);

  let firstCreated: string | null = null;
  for (const f of cohort)
    if (firstCreated === null || f.ticket.createdAt < firstCreated) firstCreated = f.ticket.createdAt;
  const unit = trendUnitFor(opts.period.since, opts.period.until, firstCreated);
  const byBucket = new Map<string, TicketFacts[]>();
  for (const f of cohort) {
    const k = bucketStart(f.ticket.createdAt, unit);
    const l = byBucket.get(k);
    if (l) l.push(f);
    else byBucket.set(k, [f]);
  }
  const deflectedByBucket = new Map<string, number>();
  if (group === null && input.kbAnswers.length > 0) {
    for (const a of input.kbAnswers) {
      if (a.outcome !== 'accepted') continue;
      const k = bucketStart(a.answeredAt, unit);
      if (!byBucket.has(k)) byBucket.set(k, []);
    }
    for (const k of byBucket.keys()) {
      const end = nextBucket(k, unit);
      const d = deflection(input.kbAnswers, serviceTickets, {
        since: `${k}T00:00:00.000Z`,
        until: `${end}T00:00:00.000Z`,
        now: opts.now,
        windowDays,
        ticketsOpened: 0,
      });
      deflectedByBucket.set(k, d.verified);
    }
  }
  const points: TrendPoint[] = [...byBucket.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([start, fs]) => ({
      start,
      tickets: fs.length,
      mttrMinutes: mttrCalendar(fs).mean,
      slaResolution: slaResolutionCompliance(fs).value,
      slaResponse: slaResponseCompliance(fs).value,
      deflected: deflectedByBucket.get(start) ?? 0,
    }));

  return {
    generatedAt: opts.now,
    period: opts.period,
    group,
    deflectionWindowDays: windowDays,
    overall: kpiRow(group ?? 'all', facts),
    problems: itilFigures(factsOf((k) => k === 'problem')),
    changes: itilFigures(factsOf((k) => k === 'change')),
    backlogByAge: backlogByAge(facts),
    volumeByChannel: volumeByChannel(facts),
    agentLoad: agentLoad(facts, input.agentNames),
    csat: c,
    deflection:
      group === null
        ? deflection(input.kbAnswers, serviceTickets, {
            since: opts.period.since,
            until: opts.period.until,
            now: opts.now,
            windowDays,
            ticketsOpened: cohort.length,
          })
        : null,
    handoffsByReason: handoffsByReason(facts),
    knowledgeGaps: knowledgeGaps(facts),
    byGroup: slices(facts, (f) => f.ticket.group ?? '(none)'),
    byCategory: slices(facts, (f) => f.ticket.category ?? '(none)'),
    byChannel: slices(facts, (f) => f.ticket.channel),
    byPriority: slices(facts, (f) => f.ticket.priority),
    trend: { unit, points },
  };
}

function nextBucket(start: string, unit: TrendUnit): string {
  const d = new Date(`${start}T00:00:00Z`);
  if (unit === 'day') d.setUTCDate(d.getUTCDate() + 1);
  else if (unit === 'week') d.setUTCDate(d.getUTCDate() + 7);
  else d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 10);
}

const sinceSchema = z
  .string()
  .trim()
  .regex(
    /^(all|month|\d{1,4}[dwm]|\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?)$/i,
    'must be a span like 30d, 12w, 6m, "month" (this month so far), "all", or a date like 2026-01-31',
  );

/**
 * Turns `--since` into the period's start: `30d` / `12w` / `6m` before `now`, `month` (since the 1st of
 * the current UTC month), an ISO date, or `all`
 * (null: no lower bound). The end is `now`.
 */
export function parseSince(text: string, now: string): KpiPeriod {
  const r = sinceSchema.safeParse(text);
  if (!r.success)
    throw new AppError(
      'validation_failed',
      `--since ${r.error.issues[0]?.message ?? 'is invalid'} (got "${text}")`,
      { field: 'since' },
    );
  const v = r.data.toLowerCase();
  if (v === 'all') return { since: null, until: now };
  if (v === 'month') return { since: `${now.slice(0, 7)}-01T00:00:00.000Z`, until: now };
  const m = /^(\d+)([dwm])$/.exec(v);
  if (m) {
    const n = Number(m[1]);
    const d = new Date(now);
    if (m[2] === 'm') d.setUTCMonth(d.getUTCMonth() - n);
    else d.setUTCDate(d.getUTCDate() - n * (m[2] === 'w' ? 7 : 1));
    return { since: d.toISOString(), until: now };
  }
  const ms = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : r.data);
  if (Number.isNaN(ms))
    throw new AppError('validation_failed', `--since is not a valid date: "${text}"`, { field: 'since' });
  return { since: new Date(ms).toISOString(), until: now };
}
