/**
 * Text renderings of a KPI report: an aligned table for people, CSV for spreadsheets, and the short
 * summary the manager chat command shows.
 */
import type { Ratio } from './formulas.js';
import type { ItilFigures, KpiReport, KpiRow } from './report.js';

export function pct(r: Ratio | number | null): string {
  const v = typeof r === 'number' || r === null ? r : r.value;
  return v === null ? '–' : `${(v * 100).toFixed(1)}%`;
}

/** 95 → "1h35m", 4000 → "2d18h"; null → "–". */
export function duration(minutes: number | null): string {
  if (minutes === null) return '–';
  const m = Math.round(minutes);
  if (m < 60) return `${m}m`;
  if (m < 1440) return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(m / 1440)}d${String(Math.floor((m % 1440) / 60)).padStart(2, '0')}h`;
}

const num = (v: number | null, digits = 2): string => (v === null ? '–' : v.toFixed(digits));

const COLUMNS: { head: string; cell: (r: KpiRow) => string; csv: (r: KpiRow) => string }[] = [
  { head: 'tickets', cell: (r) => String(r.tickets), csv: (r) => String(r.tickets) },
  { head: 'open', cell: (r) => String(r.open), csv: (r) => String(r.open) },
  { head: 'MTTA', cell: (r) => duration(r.mtta.mean), csv: (r) => csvNum(r.mtta.mean) },
  { head: 'MTTR', cell: (r) => duration(r.mttr.mean), csv: (r) => csvNum(r.mttr.mean) },
  { head: 'MTTR biz', cell: (r) => duration(r.mttrBusiness.mean), csv: (r) => csvNum(r.mttrBusiness.mean) },
  { head: 'SLA resp', cell: (r) => pct(r.slaResponse), csv: (r) => csvNum(r.slaResponse.value) },
  { head: 'SLA res', cell: (r) => pct(r.slaResolution), csv: (r) => csvNum(r.slaResolution.value) },
  { head: 'FCR', cell: (r) => pct(r.fcr), csv: (r) => csvNum(r.fcr.value) },
  { head: 'reopen', cell: (r) => pct(r.reopen), csv: (r) => csvNum(r.reopen.value) },
  { head: 'CSAT', cell: (r) => num(r.csat.mean), csv: (r) => csvNum(r.csat.mean) },
  { head: 'AI res', cell: (r) => pct(r.aiResolved), csv: (r) => csvNum(r.aiResolved.value) },
  { head: 'bot acc', cell: (r) => pct(r.botAccuracy), csv: (r) => csvNum(r.botAccuracy.value) },
];

const CSV_HEADS = [
  'tickets',
  'open',
  'mtta_min',
  'mttr_min',
  'mttr_business_min',
  'sla_response',
  'sla_resolution',
  'fcr',
  'reopen_rate',
  'csat',
  'ai_resolved',
  'bot_accuracy',
];

function csvNum(v: number | null): string {
  return v === null ? '' : String(Math.round(v * 10_000) / 10_000);
}

function table(title: string, rows: readonly KpiRow[], limit = 15): string {
  const head = [title, ...COLUMNS.map((c) => c.head)];
  const shown = rows.slice(0, limit);
  const body = shown.map((r) => [r.key, ...COLUMNS.map((c) => c.cell(r))]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const more = rows.length > limit ? `\n(${rows.length - limit} more; --format csv lists all)` : '';
  return [line(head), ...body.map(line)].join('\n') + more;
}

function itilLine(what: string, f: ItilFigures): string {
  return `${what}: ${f.opened} opened · ${f.open} open now · ${f.resolved} ${what === 'changes' ? 'completed' : 'resolved'} · ${f.cancelled} cancelled · mean time to resolve ${duration(f.meanResolveMinutes)}`;
}

export function formatReportTable(r: KpiReport): string {
  const o = r.overall;
  const d = r.deflection;
  const lines = [
    `KPI report ${r.period.since ? r.period.since.slice(0, 10) : 'all time'} → ${r.period.until.slice(0, 10)}${r.group ? ` · group ${r.group}` : ''}`,
    '',
    `tickets (incidents and requests) ${o.tickets} · open now ${o.open} · MTTA ${duration(o.mtta.mean)} · MTTR ${duration(o.mttr.mean)} (business ${duration(o.mttrBusiness.mean)})`,
    `SLA response ${pct(o.slaResponse)} (${o.slaResponse.num}/${o.slaResponse.den}) · SLA resolution ${pct(o.slaResolution)} (${o.slaResolution.num}/${o.slaResolution.den})`,
    `FCR ${pct(o.fcr)} · reopen ${pct(o.reopen)} · bot accuracy ${pct(o.botAccuracy)} · AI-resolved ${pct(o.aiResolved)}`,
    itilLine('problems', r.problems),
    itilLine('changes', r.changes),
    `CSAT ${num(r.csat.all.mean)} (n=${r.csat.all.n}; AI ${num(r.csat.ai.mean)} n=${r.csat.ai.n}, human ${num(r.csat.human.mean)} n=${r.csat.human.n})`,
    d
      ? `deflection ${pct(d.rate)} verified (${d.verified} verified, ${d.pending} pending, ${d.returned} came back within ${r.deflectionWindowDays}d) · KB acceptance ${pct(d.acceptance)}`
      : 'deflection: desk-wide only (no group filter)',
    `backlog by age: ${r.backlogByAge.map((b) => `${b.bucket} ${b.count}`).join(' · ')}`,
    `volume by channel: ${
      Object.entries(r.volumeByChannel)
        .map(([k, v]) => `${k} ${v}`)
        .join(' · ') || '–'
    }`,
    '',
    table('group', r.byGroup),
    '',
    table('category', r.byCategory, 10),
    '',
    table('channel', r.byChannel),
    '',
    table('priority', r.byPriority),
  ];
  if (r.agentLoad.length > 0) {
    lines.push(
      '',
      'agent load (open now / resolved in period):',
      ...r.agentLoad.slice(0, 10).map((a) => `  ${a.name}: ${a.open} / ${a.resolved}`),
    );
  }
  if (r.knowledgeGaps.length > 0) {
    lines.push(
      '',
      'knowledge gaps (escalations no article answered):',
      ...r.knowledgeGaps
        .slice(0, 10)
        .map(
          (g) => `  ${g.category}${g.intent ? ` / ${g.intent}` : ''}: ${g.count} (${g.examples.join(', ')})`,
        ),
    );
  }
  return lines.join('\n');
}

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One line per slice: `slice,key,<KPIs…>`; the desk total is `overall,all`. */
export function formatReportCsv(r: KpiReport): string {
  const out = [['slice', 'key', ...CSV_HEADS].join(',')];
  const add = (slice: string, rows: readonly KpiRow[]) => {
    for (const row of rows) out.push([slice, csvCell(row.key), ...COLUMNS.map((c) => c.csv(row))].join(','));
  };
  add('overall', [r.overall]);
  add('group', r.byGroup);
  add('category', r.byCategory);
  add('channel', r.byChannel);
  add('priority', r.byPriority);
  return out.join('\n');
}

/**
 * A short text for the manager chat command ("/it report"): are we meeting SLA, where not, what to
 * fix. At most ~10 lines so it fits a Slack message or a Teams card.
 */
/** `breaches`: missed targets (targets.ts' TargetBreach); only their titles are shown. */
export function buildKpiSummary(r: KpiReport, breaches: readonly { title: string }[] = []): string {
  const o = r.overall;
  const span = r.period.since ? `since ${r.period.since.slice(0, 10)}` : 'all time';
  const lines = [
    `*Service desk ${span}${r.group ? ` · ${r.group}` : ''}*: ${o.tickets} tickets, ${o.open} open now.`,
    `SLA: response ${pct(o.slaResponse)}, resolution ${pct(o.slaResolution)}. MTTA ${duration(o.mtta.mean)}, MTTR ${duration(o.mttr.mean)}.`,
    `Problems: ${r.problems.opened} opened, ${r.problems.open} open. Changes: ${r.changes.opened} opened, ${r.changes.open} open.`,
    `FCR ${pct(o.fcr)}, reopen ${pct(o.reopen)}, CSAT ${num(r.csat.all.mean, 1)}/5 (AI ${num(r.csat.ai.mean, 1)}, human ${num(r.csat.human.mean, 1)}).`,
  ];
  if (r.deflection)
    lines.push(
      `Deflection ${pct(r.deflection.rate)} (${r.deflection.verified} verified), bot accuracy ${pct(o.botAccuracy)}.`,
    );
  const worst = r.byGroup
    .filter((g) => g.slaResolution.den >= 3 && g.slaResolution.value !== null)
    .sort((a, b) => (a.slaResolution.value ?? 1) - (b.slaResolution.value ?? 1))
    .slice(0, 3);
  if (worst.length > 0)
    lines.push(`Lowest SLA resolution: ${worst.map((g) => `${g.key} ${pct(g.slaResolution)}`).join(', ')}.`);
  const old = r.backlogByAge
    .filter((b) => b.bucket === '7-30d' || b.bucket === '>30d')
    .reduce((a, b) => a + b.count, 0);
  if (old > 0) lines.push(`${old} open tickets are older than 7 days.`);
  if (breaches.length > 0) {
    lines.push(`To fix (${breaches.length} target${breaches.length === 1 ? '' : 's'} missed):`);
    for (const b of breaches.slice(0, 3)) lines.push(`• ${b.title}`);
  }
  if (r.knowledgeGaps[0])
    lines.push(
      `Top knowledge gap: ${r.knowledgeGaps[0].category} (${r.knowledgeGaps[0].count} escalations).`,
    );
  return lines.join('\n');
}
