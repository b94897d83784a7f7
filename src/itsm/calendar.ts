/**
 * Business-hours calendars: which instants count towards an SLA clock.
 *
 * A calendar is either the special `'24x7'` (every instant counts) or weekly opening hours in an IANA
 * time zone with holiday dates. All maths happens on UTC epoch milliseconds; a calendar day's opening
 * intervals are converted from wall-clock to UTC once and cached, so replaying thousands of tickets
 * costs a few Map look-ups per day crossed, never a loop per minute.
 */
import { z } from 'zod';
import { AppError } from '../errors.js';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Weekday = (typeof WEEKDAYS)[number];

/** A wall-clock interval `["09:00", "17:00"]`; `"24:00"` is allowed as an end (the next midnight). */
type HoursInterval = [string, string];

export interface BusinessCalendar {
  /** IANA zone, e.g. `Europe/Berlin`. Opening hours and holidays are in this zone's wall-clock time. */
  timeZone: string;
  weekly: Record<Weekday, HoursInterval[]>;
  /** Local dates `yyyy-mm-dd` on which nothing counts. */
  holidays: string[];
}

/** `'24x7'` counts every minute; otherwise opening hours. */
export type Calendar = '24x7' | BusinessCalendar;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Ten years of closed days means the calendar can never satisfy a target: stop rather than spin. */
const MAX_DAYS_SCANNED = 3_660;

const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

const toMinuteOfDay = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** True when `s` is a real calendar date written `yyyy-mm-dd` (rejects 2026-02-30). */
export function isIsoDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** True when the runtime knows the IANA zone name. */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const intervalSchema = z
  .tuple([
    z.string().regex(TIME_RE, 'expected HH:MM (00:00-23:59)'),
    z.string().regex(TIME_RE, 'expected HH:MM (00:00-24:00)'),
  ])
  .refine(([a, b]) => toMinuteOfDay(a) < toMinuteOfDay(b), { message: 'the end must be after the start' })
  .refine(([a]) => a !== '24:00', { message: '24:00 is only allowed as an end' });

const daySchema = z
  .array(intervalSchema)
  .default([])
  .superRefine((intervals, ctx) => {
    const sorted = [...intervals].sort((x, y) => toMinuteOfDay(x[0]) - toMinuteOfDay(y[0]));
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1];
      const cur = sorted[i];
      if (prev && cur && toMinuteOfDay(cur[0]) < toMinuteOfDay(prev[1])) {
        ctx.addIssue({ code: 'custom', message: `intervals ${prev.join('-')} and ${cur.join('-')} overlap` });
      }
    }
  });

/** Zod schema of a business calendar as written in `data/sla.json`. Missing weekdays are closed. */
export const businessCalendarSchema = z
  .object({
    timeZone: z.string().refine(isValidTimeZone, { message: 'unknown IANA time zone' }),
    weekly: z.object({
      mon: daySchema,
      tue: daySchema,
      wed: daySchema,
      thu: daySchema,
      fri: daySchema,
      sat: daySchema,
      sun: daySchema,
    }),
    holidays: z.array(z.string().refine(isIsoDate, { message: 'expected a date yyyy-mm-dd' })).default([]),
  })
  .refine((c) => WEEKDAYS.some((d) => c.weekly[d].length > 0), {
    message: 'a calendar needs opening hours on at least one weekday',
    path: ['weekly'],
  });

/** `'24x7'` or a business calendar object. */
export const calendarSchema = z.union([z.literal('24x7'), businessCalendarSchema]);

// ---------------------------------------------------------------------------------------------
// Time-zone conversion

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

interface WallClock {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function wallClock(ms: number, tz: string): WallClock {
  const out: WallClock = { y: 0, mo: 0, d: 0, h: 0, mi: 0, s: 0 };
  for (const p of formatterFor(tz).formatToParts(ms)) {
    switch (p.type) {
      case 'year':
        out.y = Number(p.value);
        break;
      case 'month':
        out.mo = Number(p.value);
        break;
      case 'day':
        out.d = Number(p.value);
        break;
      case 'hour':
        out.h = Number(p.value) % 24;
        break;
      case 'minute':
        out.mi = Number(p.value);
        break;
      case 'second':
        out.s = Number(p.value);
        break;
      default:
        break;
    }
  }
  return out;
}

/** Offset of `tz` from UTC at instant `ms`, in ms (Berlin in winter: +3,600,000). */
export function zoneOffsetMs(ms: number, tz: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const w = wallClock(whole, tz);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - whole;
}

interface DayOffsets {
  atStart: number;
  atEnd: number;
  /** First instant of the UTC day with the `atEnd` offset (Infinity when the offset is constant). */
  switchAt: number;
}
const offsetCache = new Map<string, Map<number, DayOffsets>>();

/**
 * Same as zoneOffsetMs, cached per UTC day. Why: Intl formatting is the hot cost when replaying
 * thousands of tickets, and an offset changes at most once a day (at a minute boundary), so two
 * look-ups per day plus a binary search on transition days give exact answers.
 */
function cachedOffsetMs(ms: number, tz: string): number {
  let perZone = offsetCache.get(tz);
  if (!perZone) {
    perZone = new Map();
    offsetCache.set(tz, perZone);
  }
  const day = Math.floor(ms / DAY_MS);
  let e = perZone.get(day);
  if (!e) {
    const start = day * DAY_MS;
    const atStart = zoneOffsetMs(start, tz);
    const atEnd = zoneOffsetMs(start + DAY_MS - MINUTE_MS, tz);
    let switchAt = Number.POSITIVE_INFINITY;
    if (atStart !== atEnd) {
      let lo = 0; // minutes into the day with the start offset
      let hi = DAY_MS / MINUTE_MS - 1; // minutes into the day with the end offset
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (zoneOffsetMs(start + mid * MINUTE_MS, tz) === atStart) lo = mid;
        else hi = mid;
      }
      switchAt = start + hi * MINUTE_MS;
    }
    e = { atStart, atEnd, switchAt };
    perZone.set(day, e);
  }
  return ms < e.switchAt ? e.atStart : e.atEnd;
}

/**
 * UTC instant of a wall-clock time in `tz`. Why the candidate search: around a DST change a wall-clock
 * time can exist twice (autumn: the earlier instant is taken, as a person reading the clock would)
 * or not at all (spring: the time is pushed forward by the gap, so 02:30 becomes 03:30).
 */
export function zonedTimeToUtcMs(y: number, mo: number, d: number, minuteOfDay: number, tz: string): number {
  const local = Date.UTC(y, mo - 1, d, 0, minuteOfDay);
  const before = cachedOffsetMs(local - DAY_MS, tz);
  const after = cachedOffsetMs(local + DAY_MS, tz);
  const candidates = before === after ? [before] : [before, after];
  const valid = candidates.map((o) => local - o).filter((t) => cachedOffsetMs(t, tz) === local - t);
  if (valid.length > 0) return Math.min(...valid);
  // In the spring gap: read the wall clock with the offset in force before the change.
  return local - before;
}

// ---------------------------------------------------------------------------------------------
// Opening intervals per local day, cached

type Span = readonly [number, number];
const dayCache = new WeakMap<BusinessCalendar, Map<number, readonly Span[]>>();
const holidayCache = new WeakMap<BusinessCalendar, Set<string>>();

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `dayIndex` = days since 1970-01-01 of the local date; UTC Date maths on it never meets DST. */
function openSpans(cal: BusinessCalendar, dayIndex: number): readonly Span[] {
  let cache = dayCache.get(cal);
  if (!cache) {
    cache = new Map();
    dayCache.set(cal, cache);
  }
  const hit = cache.get(dayIndex);
  if (hit) return hit;

  let holidays = holidayCache.get(cal);
  if (!holidays) {
    holidays = new Set(cal.holidays);
    holidayCache.set(cal, holidays);
  }
  const date = new Date(dayIndex * DAY_MS);
  const y = date.getUTCFullYear();
  const mo = date.getUTCMonth() + 1;
  const d = date.getUTCDate();
  const weekday = WEEKDAYS[date.getUTCDay()] ?? 'sun';
  let spans: Span[] = [];
  if (!holidays.has(`${y}-${pad2(mo)}-${pad2(d)}`)) {
    spans = (cal.weekly[weekday] ?? [])
      .map(
        ([a, b]): Span => [
          zonedTimeToUtcMs(y, mo, d, toMinuteOfDay(a), cal.timeZone),
          zonedTimeToUtcMs(y, mo, d, toMinuteOfDay(b), cal.timeZone),
        ],
      )
      .filter(([a, b]) => b > a)
      .sort((p, q) => p[0] - q[0]);
  }
  cache.set(dayIndex, spans);
  return spans;
}

function dayIndexOf(ms: number, tz: string): number {
  return Math.floor((ms + cachedOffsetMs(ms, tz)) / DAY_MS);
}

function toMs(iso: string | Date, what: string): number {
  const ms = iso instanceof Date ? iso.getTime() : Date.parse(iso);
  if (Number.isNaN(ms))
    throw new AppError('validation_failed', `${what} is not a valid date-time: ${String(iso)}`);
  return ms;
}

// ---------------------------------------------------------------------------------------------
// Public maths (milliseconds first: the SLA engine sums these and must not accumulate float error)

/** Business milliseconds in `[startMs, endMs)`; 0 when `endMs <= startMs`. */
export function businessMsBetween(startMs: number, endMs: number, cal: Calendar): number {
  if (endMs <= startMs) return 0;
  if (cal === '24x7') return endMs - startMs;
  let total = 0;
  let day = dayIndexOf(startMs, cal.timeZone);
  const lastDay = dayIndexOf(endMs, cal.timeZone);
  for (; day <= lastDay; day++) {
    for (const [a, b] of openSpans(cal, day)) {
      const lo = Math.max(a, startMs);
      const hi = Math.min(b, endMs);
      if (hi > lo) total += hi - lo;
    }
  }
  return total;
}

/**
 * The instant at which `amountMs` business milliseconds have elapsed since `startMs`. A due time that
 * lands exactly on closing time is that closing time, not the next opening. 0 returns `startMs`.
 */
export function addBusinessMs(startMs: number, amountMs: number, cal: Calendar): number {
  if (amountMs < 0 || !Number.isFinite(amountMs)) {
    throw new AppError(
      'validation_failed',
      `Cannot add ${amountMs} ms: the amount must be a non-negative number`,
    );
  }
  if (amountMs === 0 || cal === '24x7') return startMs + amountMs;
  let remaining = amountMs;
  const firstDay = dayIndexOf(startMs, cal.timeZone);
  for (let day = firstDay; day < firstDay + MAX_DAYS_SCANNED; day++) {
    for (const [a, b] of openSpans(cal, day)) {
      const lo = Math.max(a, startMs);
      if (b <= lo) continue;
      if (b - lo >= remaining) return lo + remaining;
      remaining -= b - lo;
    }
  }
  throw new AppError(
    'data_invalid',
    `The business calendar (${cal.timeZone}) has no opening hours within ${MAX_DAYS_SCANNED} days of ${new Date(startMs).toISOString()}: check its weekly hours and holidays`,
  );
}

/**
 * Due time `minutes` business minutes after `start`, as an ISO UTC string.
 * Starts outside opening hours count from the next opening.
 */
export function addBusinessMinutes(start: string | Date, minutes: number, cal: Calendar): string {
  if (minutes < 0 || !Number.isFinite(minutes)) {
    throw new AppError(
      'validation_failed',
      `Cannot add ${minutes} business minutes: use a non-negative number`,
    );
  }
  return new Date(addBusinessMs(toMs(start, 'start'), Math.round(minutes * MINUTE_MS), cal)).toISOString();
}

/** Business minutes between `a` and `b` (fractional when seconds are involved); 0 when `b <= a`. */
export function businessMinutesBetween(a: string | Date, b: string | Date, cal: Calendar): number {
  return businessMsBetween(toMs(a, 'start'), toMs(b, 'end'), cal) / MINUTE_MS;
}

/** True when instant `at` lies inside opening hours (always for 24x7). */
export function isBusinessTime(at: string | Date, cal: Calendar): boolean {
  if (cal === '24x7') return true;
  const ms = toMs(at, 'instant');
  return openSpans(cal, dayIndexOf(ms, cal.timeZone)).some(([a, b]) => ms >= a && ms < b);
}

/**
 * Business minutes in one typical open day: the longest weekly day. Used to turn "3 business days"
 * into minutes (a 09:00-17:00 calendar gives 480, so 3 days = 1440).
 */
export function businessMinutesPerDay(cal: Calendar): number {
  if (cal === '24x7') return 24 * 60;
  return Math.max(
    ...WEEKDAYS.map((d) => cal.weekly[d].reduce((s, [a, b]) => s + toMinuteOfDay(b) - toMinuteOfDay(a), 0)),
  );
}
