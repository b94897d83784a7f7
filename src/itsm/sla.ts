/**
 * SLA policies (data/sla.json) and the SLA clocks of a ticket, derived from its event log.
 *
 * Two clocks per ticket: response (first human reaction) and resolution. Each has a target in minutes
 * of its calendar (P1 counts 24×7, the rest business hours by default). Elapsed time is re-computed
 * from the events every time, so pauses and priority changes can never lose time already counted.
 */
import { z } from 'zod';
import { AppError } from '../errors.js';
import {
  addBusinessMs,
  type BusinessCalendar,
  businessCalendarSchema,
  businessMsBetween,
  type Calendar,
} from './calendar.js';
import { loadDataFile, parseDataWith } from './data-file.js';
import { isPriority } from './priority.js';
import { PRIORITIES, type Priority, type TicketEvent, type TicketState } from './types.js';

const MINUTE_MS = 60_000;

/** Name of the built-in calendar that counts every minute. */
const CALENDAR_24X7 = '24x7';

const targetSchema = z.object({
  respondMinutes: z.number().positive(),
  resolveMinutes: z.number().positive(),
  /** `"24x7"` or the name of an entry in `calendars`. */
  calendar: z.string().min(1).default('business'),
});
const partialTargetSchema = z
  .object({
    respondMinutes: z.number().positive(),
    resolveMinutes: z.number().positive(),
    calendar: z.string().min(1),
  })
  .partial()
  .strict();

/** Schema of `data/sla.json`. */
const slaConfigSchema = z
  .object({
    /** Share of the target after which a running clock is in warning. */
    warnAt: z.number().gt(0).lt(1).default(0.75),
    calendars: z.record(z.string(), businessCalendarSchema).default({}),
    policies: z.object({ P1: targetSchema, P2: targetSchema, P3: targetSchema, P4: targetSchema }).strict(),
    /** Per-category overrides, e.g. `{ "security": { "P2": { "resolveMinutes": 240 } } }`. */
    categories: z
      .record(
        z.string(),
        z
          .object({
            P1: partialTargetSchema,
            P2: partialTargetSchema,
            P3: partialTargetSchema,
            P4: partialTargetSchema,
          })
          .partial()
          .strict(),
      )
      .default({}),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const known = (name: string): boolean => name === CALENDAR_24X7 || name in cfg.calendars;
    const hint = ['24x7', ...Object.keys(cfg.calendars)].join(', ');
    for (const p of PRIORITIES) {
      const name = cfg.policies[p].calendar;
      if (!known(name))
        ctx.addIssue({
          code: 'custom',
          path: ['policies', p, 'calendar'],
          message: `unknown calendar "${name}" (known: ${hint})`,
        });
    }
    for (const [cat, byPrio] of Object.entries(cfg.categories)) {
      for (const p of PRIORITIES) {
        const name = byPrio[p]?.calendar;
        if (name !== undefined && !known(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['categories', cat, p, 'calendar'],
            message: `unknown calendar "${name}" (known: ${hint})`,
          });
        }
      }
    }
  });

export type SlaConfig = z.output<typeof slaConfigSchema>;

/** Monday–Friday 09:00–17:00: 480 business minutes a day, so 3 business days = 1440 minutes. */
const DEFAULT_BUSINESS_CALENDAR: BusinessCalendar = {
  timeZone: 'UTC',
  weekly: {
    mon: [['09:00', '17:00']],
    tue: [['09:00', '17:00']],
    wed: [['09:00', '17:00']],
    thu: [['09:00', '17:00']],
    fri: [['09:00', '17:00']],
    sat: [],
    sun: [],
  },
  holidays: [],
};

/**
 * DESIGN §4 defaults. P1 runs 24×7, the rest on business hours; a business day is the calendar's
 * daily hours (8 h), so P3's 3 days = 1440 min and P4's 5 days = 2400 min.
 */
export const DEFAULT_SLA_CONFIG: SlaConfig = {
  warnAt: 0.75,
  calendars: { business: DEFAULT_BUSINESS_CALENDAR },
  policies: {
    P1: { respondMinutes: 15, resolveMinutes: 240, calendar: '24x7' },
    P2: { respondMinutes: 30, resolveMinutes: 480, calendar: 'business' },
    P3: { respondMinutes: 240, resolveMinutes: 1440, calendar: 'business' },
    P4: { respondMinutes: 480, resolveMinutes: 2400, calendar: 'business' },
  },
  categories: {},
};

/** Validates parsed JSON as an SLA config; `source` names the origin in errors. */
export function parseSlaConfig(json: unknown, source = 'sla.json'): SlaConfig {
  return parseDataWith(slaConfigSchema, json, source);
}

/** Reads `data/sla.json`; a bad file throws AppError('data_invalid') naming file and field. */
export function loadSlaConfig(file: string): Promise<SlaConfig> {
  return loadDataFile(slaConfigSchema, file);
}

/** The targets that apply to one priority (and category), with the calendar object resolved. */
interface SlaTarget {
  priority: Priority;
  respondMinutes: number;
  resolveMinutes: number;
  calendarName: string;
  calendar: Calendar;
}

/** Targets for a priority, with the category override (matched case-insensitively) applied field by field. */
export function resolveSlaTarget(config: SlaConfig, priority: Priority, category?: string | null): SlaTarget {
  const base = config.policies[priority];
  let override: z.output<typeof partialTargetSchema> | undefined;
  if (category) {
    const key = Object.keys(config.categories).find((k) => k.toLowerCase() === category.toLowerCase());
    if (key !== undefined) override = config.categories[key]?.[priority];
  }
  const calendarName = override?.calendar ?? base.calendar;
  const calendar: Calendar | undefined =
    calendarName === CALENDAR_24X7 ? '24x7' : config.calendars[calendarName];
  if (!calendar) {
    // Only reachable with a config built by hand and not passed through slaConfigSchema.
    throw new AppError(
      'data_invalid',
      `SLA calendar "${calendarName}" is not defined: add it under "calendars" in sla.json or use "24x7"`,
      { field: `policies.${priority}.calendar` },
    );
  }
  return {
    priority,
    respondMinutes: override?.respondMinutes ?? base.respondMinutes,
    resolveMinutes: override?.resolveMinutes ?? base.resolveMinutes,
    calendarName,
    calendar,
  };
}

// ---------------------------------------------------------------------------------------------
// Clocks

/**
 * - running: counting. - paused: resolution clock while pending. - met: stopped in time.
 * - breached: target exceeded (still counting if `metAt` is null). - stopped: ticket cancelled first.
 */
type ClockState = 'running' | 'paused' | 'met' | 'breached' | 'stopped';

export interface Clock {
  /** Target of the current priority, in minutes of its calendar. */
  targetMinutes: number;
  /** Counted minutes (each stretch in the calendar of the priority in force then); may be fractional. */
  elapsedMinutes: number;
  /** Minutes (of the calendar) spent paused. */
  pausedMinutes: number;
  /** `max(0, target - elapsed)`. */
  remainingMinutes: number;
  /**
   * When the target is/was reached: running → projected from `now`; met → projected from `metAt`;
   * breached → `breachedAt`; paused or stopped → null (unknown until it runs again).
   */
  dueAt: string | null;
  metAt: string | null;
  breached: boolean;
  breachedAt: string | null;
  /** Not met, not breached, and elapsed ≥ warnAt × target. */
  warning: boolean;
  /**
   * For a running, unbreached clock: the next instant its status changes by itself (the warning
   * threshold if not yet reached, else dueAt). Null otherwise. Lets an SLA sweep sleep until then.
   */
  nextChangeAt: string | null;
  state: ClockState;
}

export interface SlaResult {
  /** Priority in force at `now`. */
  priority: Priority;
  calendarName: string;
  response: Clock;
  resolution: Clock;
}

export interface SlaInput {
  createdAt: string;
  /** The ticket's events; sorted by (at, seq) here anyway, so order does not matter. */
  events: readonly TicketEvent[];
  /** Current priority (the ticket row); the initial one is derived from the events, see computeSla. */
  priority: Priority;
  category?: string | null;
  /** Requester's user id: their own comments never count as a response. */
  requesterId?: number | null;
  config: SlaConfig;
  now: string | Date;
}

class ClockAcc {
  elapsed = 0;
  paused = 0;
  metAt: number | null = null;
  breachedAt: number | null = null;
}

const toMs = (v: string | Date): number => (v instanceof Date ? v.getTime() : Date.parse(v));
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** True when an event is a human reaction that meets the response target (see computeSla). */
export function isResponseEvent(ev: TicketEvent, requesterId?: number | null): boolean {
  switch (ev.type) {
    case 'state_changed':
      return ev.to === 'in_progress' || ev.to === 'resolved';
    case 'assigned':
      // Automatic dispatch naming an agent is not a human reaction; without this flag every auto-assigned
      // ticket would meet its response target at minute 0.
      return ev.data.assigneeId !== undefined && ev.data.assigneeId !== null && ev.data.auto !== true;
    case 'owner_changed':
      return typeof ev.to === 'string' && ev.to.startsWith('agent:');
    case 'commented':
      return (
        ev.data.byAgent === true &&
        ev.data.internal !== true &&
        (requesterId === undefined || requesterId === null || ev.actorId !== requesterId)
      );
    default:
      return false;
  }
}

/**
 * Derives both SLA clocks from the event log.
 *
 * Events contract (what the ticket service must write):
 * - `state_changed`: `from`/`to` are TicketStates. `to: 'pending'` pauses the resolution clock until a
 *   later state_changed leaves pending. `to: 'resolved'` meets resolution (and response, if not yet
 *   met). `from: 'resolved'` to an open state is a reopen: resolution runs again, keeping its elapsed
 *   time and any breach. `to: 'cancelled'` stops both clocks. `closed` keeps them as they were.
 * - `priority_changed`: `from`/`to` are P1…P4. Both clocks are re-targeted to the new priority's targets
 *   and calendar; elapsed and paused time are kept. The first such event's `from` is the priority at
 *   creation (otherwise `created.data.priority`, otherwise `input.priority`). If elapsed already exceeds
 *   the new target, the clock is breached at the change.
 * - Response is met by the first of: `state_changed` to in_progress or resolved; `assigned` with
 *   `data.assigneeId` set (a person, not just a group) and `data.auto !== true` (set `auto: true` on
 *   assignments made by automatic dispatch, or they meet the response target at once);
 *   `owner_changed` to `agent:*`; `commented` with `data.byAgent === true`, `data.internal !== true`
 *   and `actorId` not the requester. The response clock never pauses.
 * - Other event types are ignored. Events before `createdAt` count from `createdAt`; events after `now`
 *   are ignored, so passing an earlier `now` gives the SLA state as it was then (replays, reports).
 *   The initial priority is still derived from all events.
 *
 * A breach is sticky: lowering the priority afterwards does not erase it (dueAt stays the breach time).
 */
export function computeSla(input: SlaInput): SlaResult {
  const createdMs = toMs(input.createdAt);
  const events = [...input.events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq));

  const firstChange = events.find((e) => e.type === 'priority_changed' && isPriority(e.from));
  const created = events.find((e) => e.type === 'created');
  let priority: Priority =
    firstChange && isPriority(firstChange.from)
      ? firstChange.from
      : isPriority(created?.data.priority)
        ? created.data.priority
        : input.priority;
  let target = resolveSlaTarget(input.config, priority, input.category);
  let state: TicketState = 'new';

  const resp = new ClockAcc();
  const res = new ClockAcc();
  let t = createdMs;

  const respondMs = (): number => target.respondMinutes * MINUTE_MS;
  const resolveMs = (): number => target.resolveMinutes * MINUTE_MS;

  const respStatus = (): 'running' | 'done' =>
    resp.metAt !== null || state === 'cancelled' || state === 'closed' ? 'done' : 'running';
  const resStatus = (): 'running' | 'paused' | 'done' =>
    state === 'pending'
      ? 'paused'
      : state === 'resolved' || state === 'closed' || state === 'cancelled'
        ? 'done'
        : 'running';

  const run = (c: ClockAcc, targetMs: number, from: number, to: number): void => {
    const d = businessMsBetween(from, to, target.calendar);
    // >= so an unmet clock sitting exactly on its target (e.g. after closing time) counts as breached;
    // a response or resolution at exactly the due instant clears it again (see markMet).
    if (c.breachedAt === null && c.elapsed + d >= targetMs) {
      c.breachedAt =
        c.elapsed >= targetMs ? from : addBusinessMs(from, targetMs - c.elapsed, target.calendar);
    }
    c.elapsed += d;
  };

  const markMet = (c: ClockAcc, at: number): void => {
    c.metAt = at;
    if (c.breachedAt === at) c.breachedAt = null;
  };

  const advance = (to: number): void => {
    if (to <= t) return;
    if (respStatus() === 'running') run(resp, respondMs(), t, to);
    const rs = resStatus();
    if (rs === 'running') run(res, resolveMs(), t, to);
    else if (rs === 'paused') res.paused += businessMsBetween(t, to, target.calendar);
    t = to;
  };

  const nowMs = Math.max(toMs(input.now), createdMs);
  for (const ev of events) {
    const at = Math.max(toMs(ev.at), createdMs);
    if (at > nowMs) break;
    advance(at);
    if (resp.metAt === null && state !== 'cancelled' && isResponseEvent(ev, input.requesterId))
      markMet(resp, at);
    if (ev.type === 'state_changed' && ev.to) {
      const to = ev.to as TicketState;
      if (to === 'resolved' && res.metAt === null) markMet(res, at);
      if (state === 'resolved' && to !== 'closed' && to !== 'resolved') res.metAt = null;
      state = to;
    } else if (ev.type === 'priority_changed' && isPriority(ev.to)) {
      priority = ev.to;
      target = resolveSlaTarget(input.config, priority, input.category);
      if (resp.metAt === null && resp.breachedAt === null && resp.elapsed > respondMs()) resp.breachedAt = at;
      if (res.metAt === null && res.breachedAt === null && res.elapsed > resolveMs()) res.breachedAt = at;
    }
  }
  advance(nowMs);

  const warnAt = input.config.warnAt;
  const finish = (c: ClockAcc, targetMs: number, status: 'running' | 'paused' | 'done'): Clock => {
    const breached = c.breachedAt !== null;
    const stopped = status === 'done' && c.metAt === null;
    const clockState: ClockState = breached
      ? 'breached'
      : c.metAt !== null
        ? 'met'
        : stopped
          ? 'stopped'
          : status === 'paused'
            ? 'paused'
            : 'running';
    const remaining = Math.max(0, targetMs - c.elapsed);
    let dueAt: number | null = null;
    if (breached) dueAt = c.breachedAt;
    else if (c.metAt !== null) dueAt = addBusinessMs(c.metAt, remaining, target.calendar);
    else if (status === 'running') dueAt = addBusinessMs(nowMs, remaining, target.calendar);
    const warning = !breached && c.metAt === null && !stopped && c.elapsed >= warnAt * targetMs;
    let nextChangeAt: number | null = null;
    if (clockState === 'running') {
      nextChangeAt = warning
        ? dueAt
        : addBusinessMs(nowMs, Math.ceil(warnAt * targetMs - c.elapsed), target.calendar);
    }
    return {
      targetMinutes: targetMs / MINUTE_MS,
      elapsedMinutes: c.elapsed / MINUTE_MS,
      pausedMinutes: c.paused / MINUTE_MS,
      remainingMinutes: remaining / MINUTE_MS,
      dueAt: iso(dueAt),
      metAt: iso(c.metAt),
      breached,
      breachedAt: iso(c.breachedAt),
      warning,
      nextChangeAt: iso(nextChangeAt),
      state: clockState,
    };
  };

  return {
    priority,
    calendarName: target.calendarName,
    response: finish(resp, respondMs(), respStatus() === 'running' ? 'running' : 'done'),
    resolution: finish(res, resolveMs(), resStatus()),
  };
}

const groupConfigs = new WeakMap<SlaConfig, Map<string, SlaConfig>>();

/**
 * The SLA config as it applies to one group's tickets: policies on business hours use the group's
 * calendar (groups.json `calendar`, defined under `calendars` in sla.json); 24×7 policies and category
 * overrides that name their own calendar are kept. Unknown or absent names leave the config as is.
 * Memoized per config and calendar, so a sweep over thousands of tickets builds each one once.
 */
export function slaConfigForGroup(config: SlaConfig, calendar: string | null | undefined): SlaConfig {
  if (!calendar || calendar === CALENDAR_24X7 || !(calendar in config.calendars)) return config;
  let byName = groupConfigs.get(config);
  if (!byName) {
    byName = new Map();
    groupConfigs.set(config, byName);
  }
  const known = byName.get(calendar);
  if (known) return known;
  const policies = { ...config.policies };
  for (const p of PRIORITIES) {
    const pol = policies[p];
    if (pol.calendar !== CALENDAR_24X7 && pol.calendar !== calendar) policies[p] = { ...pol, calendar };
  }
  const forGroup = { ...config, policies };
  byName.set(calendar, forGroup);
  return forGroup;
}

/**
 * A ticket's SLA clocks as its assignment group keeps them. The one computation behind the sweeper's
 * warnings and breaches and every ETA a requester reads, so the two can never disagree.
 */
export function ticketSla(
  config: SlaConfig,
  ticket: { createdAt: string; priority: Priority; category: string | null; requesterId: number },
  groupCalendar: string | null | undefined,
  events: readonly TicketEvent[],
  now: string | Date,
): SlaResult {
  return computeSla({
    createdAt: ticket.createdAt,
    events,
    priority: ticket.priority,
    category: ticket.category,
    requesterId: ticket.requesterId,
    config: slaConfigForGroup(config, groupCalendar),
    now,
  });
}
