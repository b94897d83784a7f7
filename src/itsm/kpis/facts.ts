/**
 * Per-ticket facts derived once from the event log; every KPI formula aggregates these, so a report
 * sliced by group, category, channel and week walks each log only once.
 */
import { isResponseEvent, type SlaConfig, ticketSla } from '../sla.js';
import type { TicketEvent } from '../types.js';
import type { KpiTicket } from './types.js';

const MINUTE_MS = 60_000;
const OPEN = new Set(['new', 'assigned', 'in_progress', 'pending']);
const DONE = new Set(['resolved', 'closed']);
/** The tickets of the service desk's figures; problems and changes are counted on their own. */
export const SERVICE_KINDS: ReadonlySet<string> = new Set(['incident', 'request']);

export interface TicketFacts {
  ticket: KpiTicket;
  /** Ticket created inside the report period (the cohort); false for older tickets still open. */
  inPeriod: boolean;
  /** Open at `now` (new, assigned, in_progress, pending). */
  open: boolean;
  ageMinutes: number;
  /** First human reaction (computeSla's isResponseEvent), null if none yet. */
  firstResponseAt: string | null;
  /** Calendar minutes created → first response. */
  responseMinutes: number | null;
  /** Resolved or closed at `now`, and when it last became so (after the last reopen). */
  resolved: boolean;
  resolvedAt: string | null;
  /** Calendar minutes created → final resolution. */
  resolveMinutes: number | null;
  /** Minutes counted by the SLA resolution clock: business calendar of the priority, pending excluded. */
  resolveBusinessMinutes: number | null;
  /** true met, false breached, null undecided (running, paused or stopped by cancellation). */
  responseSlaMet: boolean | null;
  resolutionSlaMet: boolean | null;
  /** Times the ticket went from resolved back to an open state. */
  reopens: number;
  /** Times the group changed, or a person put on the ticket by a human was replaced by another person. */
  reassignments: number;
  /** Times the assignment group changed after the first one. */
  groupChanges: number;
  /** Any agent work: claim, agent comment, manual assignment, or a change made by staff. */
  humanTouched: boolean;
  /** Resolved with no human agent involvement while the bot owned the conversation. */
  aiResolved: boolean;
  /** Last rating 1–5 by the requester, or null. */
  rating: number | null;
  /** The bot chose intent/category/group/priority when opening it (created.data has intent or triage*). */
  botDecided: boolean;
  /** An agent changed a bot decision: re-categorised, re-prioritised, or moved it to another group. */
  botCorrected: boolean;
  /** Reasons of bot → queue handoffs (owner_changed to queue). */
  handoffReasons: string[];
  /** Intent the bot recognised when the ticket was opened, if any. */
  intent: string | null;
}

const toMs = (iso: string): number => Date.parse(iso);
const NO_STAFF: ReadonlySet<number> = new Set();

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/**
 * Whether an event is work by a person of the desk (not the requester, not the bot, not dispatch).
 * An event by a staff member counts whoever the requester is: an agent who opened a ticket and resolved
 * it themselves (a problem over REST, say) did the work, not the bot.
 */
function isAgentWork(ev: TicketEvent, requesterId: number, staff: ReadonlySet<number>): boolean {
  if (ev.actorId !== null && staff.has(ev.actorId) && ev.type !== 'created' && ev.type !== 'rated')
    return true;
  switch (ev.type) {
    case 'owner_changed':
      return typeof ev.to === 'string' && ev.to.startsWith('agent:');
    case 'commented':
      return ev.data.byAgent === true;
    case 'assigned':
      return ev.data.auto !== true && ev.actorId !== null && ev.actorId !== requesterId;
    case 'state_changed':
    case 'priority_changed':
    case 'categorized':
    case 'field_changed':
      return ev.actorId !== null && ev.actorId !== requesterId;
    default:
      return false;
  }
}

export function ticketFacts(
  t: KpiTicket,
  opts: {
    sla: SlaConfig;
    now: string;
    period: { since: string | null; until: string };
    /** People of the desk (any role but employee): their events are human work. */
    staff?: ReadonlySet<number>;
  },
): TicketFacts {
  const staff = opts.staff ?? NO_STAFF;
  const nowMs = toMs(opts.now);
  const createdMs = toMs(t.createdAt);
  let state = 'new';
  let resolvedAt: string | null = null;
  let reopens = 0;
  let reassignments = 0;
  let groupChanges = 0;
  let group: string | null = null;
  // The person a human put on the ticket (claim or manual assignment). Automatic dispatch naming an
  // agent is only a suggestion: the first person to pick the ticket up is not a reassignment.
  let humanAssignee: string | null = null;
  let humanTouched = false;
  let owner = 'bot';
  let ownerAtResolution = 'bot';
  // Who moved it to resolved/closed last: the bot (null) or the requester themself is AI attribution.
  let resolvedByHuman = false;
  let rating: number | null = null;
  let firstResponseAt: string | null = null;
  let botCorrected = false;
  let intent: string | null = null;
  let botDecided = false;
  const handoffReasons: string[] = [];

  for (const ev of t.events) {
    if (ev.at > opts.now) break;
    if (firstResponseAt === null && isResponseEvent(ev, t.requesterId)) firstResponseAt = ev.at;
    if (isAgentWork(ev, t.requesterId, staff)) humanTouched = true;
    switch (ev.type) {
      case 'created':
        intent = str(ev.data.intent);
        botDecided =
          intent !== null || str(ev.data.triageCategory) !== null || str(ev.data.triageGroup) !== null;
        break;
      case 'state_changed': {
        const to = ev.to ?? state;
        if (state === 'resolved' && OPEN.has(to)) reopens++;
        if (DONE.has(to) && !DONE.has(state)) {
          resolvedAt = ev.at;
          ownerAtResolution = owner;
          resolvedByHuman = ev.actorId !== null && (staff.has(ev.actorId) || ev.actorId !== t.requesterId);
        }
        if (OPEN.has(to)) resolvedAt = null;
        state = to;
        break;
      }
      case 'assigned': {
        const g = str(ev.data.group);
        if (g !== null) {
          if (group !== null && g !== group) {
            groupChanges++;
            reassignments++;
            if (botDecided && ev.data.auto !== true) botCorrected = true;
          }
          group = g;
        }
        const to = ev.to ?? null;
        if (to !== null && ev.data.auto !== true) {
          // Same group, another person: a reassignment (a group change was counted above).
          if (humanAssignee !== null && to !== humanAssignee && (g === null || g === group)) reassignments++;
          humanAssignee = to;
        }
        break;
      }
      case 'owner_changed':
        owner = ev.to ?? owner;
        if (ev.to === 'queue' && ev.from === 'bot') handoffReasons.push(ev.reason ?? 'unspecified');
        break;
      case 'categorized':
      case 'priority_changed':
        if (botDecided && ev.actorId !== null && ev.actorId !== t.requesterId) botCorrected = true;
        break;
      case 'rated': {
        const s = typeof ev.data.score === 'number' ? ev.data.score : Number(ev.to);
        if (Number.isFinite(s) && s >= 1 && s <= 5) rating = s;
        break;
      }
      default:
        break;
    }
  }

  const resolved = DONE.has(state);
  // The group's own calendar, as the sweeper and the requester's ETA count it.
  const sla = ticketSla(
    opts.sla,
    { ...t, priority: isPriorityLike(t.priority) ? t.priority : 'P3' },
    t.groupCalendar,
    t.events,
    opts.now,
  );
  const verdict = (s: string): boolean | null => (s === 'met' ? true : s === 'breached' ? false : null);
  const resolvedFinal = resolved ? (resolvedAt ?? t.resolvedAt ?? t.closedAt) : null;
  const inPeriod =
    (opts.period.since === null || t.createdAt >= opts.period.since) && t.createdAt < opts.period.until;

  return {
    ticket: t,
    inPeriod,
    open: OPEN.has(state),
    ageMinutes: Math.max(0, (nowMs - createdMs) / MINUTE_MS),
    firstResponseAt,
    responseMinutes:
      firstResponseAt === null ? null : Math.max(0, (toMs(firstResponseAt) - createdMs) / MINUTE_MS),
    resolved,
    resolvedAt: resolvedFinal,
    resolveMinutes:
      resolvedFinal === null ? null : Math.max(0, (toMs(resolvedFinal) - createdMs) / MINUTE_MS),
    resolveBusinessMinutes: resolved ? sla.resolution.elapsedMinutes : null,
    responseSlaMet: verdict(sla.response.state),
    resolutionSlaMet: verdict(sla.resolution.state),
    reopens,
    reassignments,
    groupChanges,
    humanTouched,
    // From the events: only incidents and requests, resolved while the bot held the conversation, with
    // no desk work on the way, by the bot or by the requester it was helping.
    aiResolved:
      resolved &&
      SERVICE_KINDS.has(t.kind) &&
      !humanTouched &&
      !resolvedByHuman &&
      ownerAtResolution === 'bot',
    rating,
    botDecided,
    botCorrected,
    handoffReasons,
    intent,
  };
}

function isPriorityLike(p: string): p is 'P1' | 'P2' | 'P3' | 'P4' {
  return p === 'P1' || p === 'P2' || p === 'P3' || p === 'P4';
}
