/**
 * The KPIs. Each is defined once here, over per-ticket facts (facts.ts) or knowledge answers, with
 * its formula in the docstring. Ratios carry numerator and denominator so a reader can judge the
 * sample; an empty denominator gives `value: null`, never 0 or NaN.
 */
import type { TicketFacts } from './facts.js';
import type { KpiKbAnswer, KpiTicket } from './types.js';

export interface Ratio {
  value: number | null;
  num: number;
  den: number;
}

export interface Stat {
  /** Minutes. */
  mean: number | null;
  median: number | null;
  n: number;
}

const ratio = (num: number, den: number): Ratio => ({ value: den === 0 ? null : num / den, num, den });

function stat(values: readonly number[]): Stat {
  if (values.length === 0) return { mean: null, median: null, n: 0 };
  // A typed array sorts numerically without a comparator call per pair: it matters at 25k tickets × slices.
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { mean: sum / sorted.length, median, n: sorted.length };
}

/** Non-null values of one fact over the cohort; a loop, because 25k one-element arrays cost GC time. */
function pick(facts: readonly TicketFacts[], get: (f: TicketFacts) => number | null): number[] {
  const out: number[] = [];
  for (const f of cohort(facts)) {
    const v = get(f);
    if (v !== null) out.push(v);
  }
  return out;
}

const cohorts = new WeakMap<readonly TicketFacts[], TicketFacts[]>();
/** Tickets created in the period; memoised per array because every formula of a slice asks for it. */
function cohort(facts: readonly TicketFacts[]): TicketFacts[] {
  let c = cohorts.get(facts);
  if (!c) {
    c = facts.filter((f) => f.inPeriod);
    cohorts.set(facts, c);
  }
  return c;
}

/**
 * MTTA (mean time to acknowledge), calendar minutes:
 * mean over cohort tickets with a response of (first response event − created).
 * The first response is computeSla's `isResponseEvent`: start of work, resolution, manual assignment to
 * a person, an agent claiming the conversation, or a public agent comment. Auto-dispatch is not one.
 */
export function mtta(facts: readonly TicketFacts[]): Stat {
  return stat(pick(facts, (f) => f.responseMinutes));
}

/**
 * MTTR (mean time to resolve), calendar minutes:
 * mean over resolved cohort tickets of (final resolution − created); a reopened ticket counts until
 * its last resolution.
 */
export function mttrCalendar(facts: readonly TicketFacts[]): Stat {
  return stat(pick(facts, (f) => f.resolveMinutes));
}

/**
 * MTTR, business minutes: mean over resolved cohort tickets of the SLA resolution clock's elapsed
 * minutes (computeSla): counted in the priority's calendar (business hours, P1 24×7), pending time
 * excluded.
 */
export function mttrBusiness(facts: readonly TicketFacts[]): Stat {
  return stat(pick(facts, (f) => f.resolveBusinessMinutes));
}

/**
 * SLA response compliance = cohort tickets whose response clock is met / (met + breached).
 * Clocks still running unbreached, or stopped by cancellation, are not decided and not counted.
 */
export function slaResponseCompliance(facts: readonly TicketFacts[]): Ratio {
  const c = cohort(facts);
  return ratio(
    c.filter((f) => f.responseSlaMet === true).length,
    c.filter((f) => f.responseSlaMet !== null).length,
  );
}

/**
 * SLA resolution compliance = cohort tickets whose resolution clock is met / (met + breached).
 * A running clock past its target counts as breached; an open one within target is not counted.
 */
export function slaResolutionCompliance(facts: readonly TicketFacts[]): Ratio {
  const c = cohort(facts);
  return ratio(
    c.filter((f) => f.resolutionSlaMet === true).length,
    c.filter((f) => f.resolutionSlaMet !== null).length,
  );
}

/**
 * First-contact resolution = resolved cohort tickets with no reassignment (agent or group), no
 * reopen / resolved cohort tickets. Group changes are reassignments, so "handed to another group"
 * is excluded too.
 */
export function fcrRate(facts: readonly TicketFacts[]): Ratio {
  const resolved = cohort(facts).filter((f) => f.resolved);
  return ratio(
    resolved.filter((f) => f.reassignments === 0 && f.groupChanges === 0 && f.reopens === 0).length,
    resolved.length,
  );
}

/**
 * Reopen rate = cohort tickets reopened at least once (resolved → open) / cohort tickets resolved at
 * least once (resolved now, or reopened, i.e. resolved earlier).
 */
export function reopenRate(facts: readonly TicketFacts[]): Ratio {
  const everResolved = cohort(facts).filter((f) => f.resolved || f.reopens > 0);
  return ratio(everResolved.filter((f) => f.reopens > 0).length, everResolved.length);
}

const AGE_BUCKETS = [
  { label: '<1d', maxDays: 1 },
  { label: '1-3d', maxDays: 3 },
  { label: '3-7d', maxDays: 7 },
  { label: '7-30d', maxDays: 30 },
  { label: '>30d', maxDays: Number.POSITIVE_INFINITY },
] as const;

/**
 * Backlog by age = tickets open at `now` (any creation date), counted per age bucket of
 * (now − created): <1d, 1–3d, 3–7d, 7–30d, >30d. Bucket upper bounds are exclusive.
 */
export function backlogByAge(facts: readonly TicketFacts[]): { bucket: string; count: number }[] {
  const counts = AGE_BUCKETS.map((b) => ({ bucket: b.label as string, count: 0 }));
  for (const f of facts) {
    if (!f.open) continue;
    const days = f.ageMinutes / 1440;
    const i = AGE_BUCKETS.findIndex((b) => days < b.maxDays);
    const slot = counts[i];
    if (slot) slot.count++;
  }
  return counts;
}

/** Volume by channel = cohort tickets counted by the channel they were opened from. */
export function volumeByChannel(facts: readonly TicketFacts[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of cohort(facts)) out[f.ticket.channel] = (out[f.ticket.channel] ?? 0) + 1;
  return out;
}

export interface AgentLoadRow {
  agentId: number;
  name: string;
  /** Tickets assigned to the agent and open at `now`. */
  open: number;
  /** Cohort tickets assigned to the agent and resolved. */
  resolved: number;
}

/**
 * Agent load, per current assignee: open = tickets open at `now` assigned to them; resolved = cohort
 * tickets resolved and assigned to them. Sorted by open desc.
 */
export function agentLoad(
  facts: readonly TicketFacts[],
  names: ReadonlyMap<number, string> = new Map(),
): AgentLoadRow[] {
  const rows = new Map<number, AgentLoadRow>();
  for (const f of facts) {
    const id = f.ticket.assigneeId;
    if (id === null) continue;
    let r = rows.get(id);
    if (!r) {
      r = { agentId: id, name: names.get(id) ?? `#${id}`, open: 0, resolved: 0 };
      rows.set(id, r);
    }
    if (f.open) r.open++;
    if (f.inPeriod && f.resolved) r.resolved++;
  }
  return [...rows.values()].sort(
    (a, b) => b.open - a.open || b.resolved - a.resolved || a.agentId - b.agentId,
  );
}

export interface Csat {
  /** Mean rating 1–5. */
  mean: number | null;
  /** Share of ratings of 4 or 5. */
  satisfied: Ratio;
  n: number;
}

function csatOf(ratings: readonly number[]): Csat {
  return {
    mean: ratings.length === 0 ? null : ratings.reduce((a, b) => a + b, 0) / ratings.length,
    satisfied: ratio(ratings.filter((r) => r >= 4).length, ratings.length),
    n: ratings.length,
  };
}

/**
 * CSAT = mean of the requester's last rating (1–5) over rated cohort tickets; `satisfied` = share of
 * ratings ≥ 4. Reported overall, for AI-resolved tickets (resolved with no human agent involvement
 * while the bot owned the conversation) and for human-resolved tickets (all other rated ones).
 */
export function csat(facts: readonly TicketFacts[]): { all: Csat; ai: Csat; human: Csat } {
  const rated = cohort(facts).filter((f) => f.rating !== null);
  const r = (fs: TicketFacts[]) => fs.map((f) => f.rating as number);
  return {
    all: csatOf(r(rated)),
    ai: csatOf(r(rated.filter((f) => f.aiResolved))),
    human: csatOf(r(rated.filter((f) => !f.aiResolved))),
  };
}

/** AI-resolved share = cohort tickets resolved by the bot alone (see csat) / resolved cohort tickets. */
export function aiResolvedRate(facts: readonly TicketFacts[]): Ratio {
  const resolved = cohort(facts).filter((f) => f.resolved);
  return ratio(resolved.filter((f) => f.aiResolved).length, resolved.length);
}

/**
 * Bot accuracy = 1 − corrected / decided, over cohort tickets the bot opened with its own decisions
 * (created.data has intent, triageCategory or triageGroup). Corrected = a person other than the
 * requester re-categorised or re-prioritised it, or it was moved to another group by hand.
 */
export function botAccuracy(facts: readonly TicketFacts[]): Ratio {
  const decided = cohort(facts).filter((f) => f.botDecided);
  return ratio(decided.filter((f) => !f.botCorrected).length, decided.length);
}

/** Handoffs by reason = cohort bot → queue ownership changes, counted by their reason. */
export function handoffsByReason(facts: readonly TicketFacts[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of cohort(facts)) for (const r of f.handoffReasons) out[r] = (out[r] ?? 0) + 1;
  return out;
}

export interface Deflection {
  /** verified / (verified + tickets opened in the period). */
  rate: Ratio;
  /** accepted / answered (answers with an outcome or none). */
  acceptance: Ratio;
  verified: number;
  /** Accepted but the window has not passed yet: counted nowhere until it has. */
  pending: number;
  /** Accepted, but the same need came back within the window. */
  returned: number;
  answered: number;
}

/**
 * Verified deflection. A knowledge answer given in the period is *deflected* when it was accepted and
 * the same need did not come back within `windowDays` of acceptance: no later knowledge answer to the
 * same person for the same article or intent, and no ticket opened by that person with that intent.
 * Accepted answers whose window has not passed at `now` are *pending* and counted nowhere.
 *
 * deflection rate = verified / (verified + tickets opened in the period): the share of needs that
 * the bot settled without a ticket. acceptance = accepted / knowledge answers given.
 */
export function deflection(
  answers: readonly KpiKbAnswer[],
  tickets: readonly KpiTicket[],
  opts: { since: string | null; until: string; now: string; windowDays: number; ticketsOpened: number },
): Deflection {
  if (answers.length === 0) {
    return {
      rate: ratio(0, opts.ticketsOpened),
      acceptance: ratio(0, 0),
      verified: 0,
      pending: 0,
      returned: 0,
      answered: 0,
    };
  }
  const windowMs = opts.windowDays * 86_400_000;
  const nowMs = Date.parse(opts.now);
  const inPeriod = answers.filter(
    (a) => (opts.since === null || a.answeredAt >= opts.since) && a.answeredAt < opts.until,
  );
  const byPerson = new Map<number, KpiKbAnswer[]>();
  for (const a of answers) {
    const l = byPerson.get(a.personId);
    if (l) l.push(a);
    else byPerson.set(a.personId, [a]);
  }
  const ticketsByPerson = new Map<number, { at: string; intent: string | null }[]>();
  for (const t of tickets) {
    const created = t.events.find((e) => e.type === 'created');
    const intent = typeof created?.data.intent === 'string' ? created.data.intent : null;
    const l = ticketsByPerson.get(t.requesterId);
    const row = { at: t.createdAt, intent };
    if (l) l.push(row);
    else ticketsByPerson.set(t.requesterId, [row]);
  }
  let verified = 0;
  let pending = 0;
  let returned = 0;
  let accepted = 0;
  for (const a of inPeriod) {
    if (a.outcome !== 'accepted') continue;
    accepted++;
    const from = a.outcomeAt ?? a.answeredAt;
    const fromMs = Date.parse(from);
    const until = new Date(fromMs + windowMs).toISOString();
    const sameNeed = (intent: string | null, article: string | null) =>
      (article !== null && article === a.articleId) ||
      (intent !== null && a.intent !== null && intent === a.intent);
    const cameBack =
      (byPerson.get(a.personId) ?? []).some(
        (b) =>
          b.id !== a.id && b.answeredAt > from && b.answeredAt <= until && sameNeed(b.intent, b.articleId),
      ) ||
      (ticketsByPerson.get(a.personId) ?? []).some(
        (t) => t.at > from && t.at <= until && sameNeed(t.intent, null),
      );
    if (cameBack) returned++;
    else if (fromMs + windowMs > nowMs) pending++;
    else verified++;
  }
  return {
    rate: ratio(verified, verified + opts.ticketsOpened),
    acceptance: ratio(accepted, inPeriod.length),
    verified,
    pending,
    returned,
    answered: inPeriod.length,
  };
}

export interface KnowledgeGap {
  /** Category of the escalated tickets (or "uncategorised"). */
  category: string;
  intent: string | null;
  count: number;
  /** Up to five ticket numbers as evidence. */
  examples: string[];
}

const KNOWLEDGE_REASON = /knowledge|article/i;

/**
 * Knowledge gaps = cohort tickets the bot handed to a person because no knowledge article answered
 * (or the answers did not help), grouped by (category, intent) and sorted by count desc.
 */
export function knowledgeGaps(facts: readonly TicketFacts[]): KnowledgeGap[] {
  const gaps = new Map<string, KnowledgeGap>();
  for (const f of cohort(facts)) {
    if (!f.handoffReasons.some((r) => KNOWLEDGE_REASON.test(r))) continue;
    const category = f.ticket.category ?? 'uncategorised';
    const key = `${category}\u0000${f.intent ?? ''}`;
    let g = gaps.get(key);
    if (!g) {
      g = { category, intent: f.intent, count: 0, examples: [] };
      gaps.set(key, g);
    }
    g.count++;
    if (g.examples.length < 5) g.examples.push(f.ticket.number);
  }
  return [...gaps.values()].sort((a, b) => b.count - a.count || a.category.localeCompare(b.category));
}
