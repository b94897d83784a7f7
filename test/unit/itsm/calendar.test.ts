import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors.js';
import {
  addBusinessMinutes,
  type BusinessCalendar,
  businessCalendarSchema,
  businessMinutesBetween,
  businessMinutesPerDay,
  calendarSchema,
  isBusinessTime,
  isIsoDate,
  zonedTimeToUtcMs,
  zoneOffsetMs,
} from '../../../src/itsm/calendar.js';

const weekdays = (hours: [string, string][]): BusinessCalendar['weekly'] => ({
  mon: hours,
  tue: hours,
  wed: hours,
  thu: hours,
  fri: hours,
  sat: [],
  sun: [],
});
const cal = (
  timeZone: string,
  hours: [string, string][] = [['09:00', '17:00']],
  holidays: string[] = [],
): BusinessCalendar => ({
  timeZone,
  weekly: weekdays(hours),
  holidays,
});

const berlin = cal('Europe/Berlin');
const newYork = cal('America/New_York');
const utc = cal('UTC');

describe('wall clock → UTC', () => {
  it('converts winter and summer times in Berlin', () => {
    expect(new Date(zonedTimeToUtcMs(2026, 1, 15, 9 * 60, 'Europe/Berlin')).toISOString()).toBe(
      '2026-01-15T08:00:00.000Z',
    );
    expect(new Date(zonedTimeToUtcMs(2026, 7, 15, 9 * 60, 'Europe/Berlin')).toISOString()).toBe(
      '2026-07-15T07:00:00.000Z',
    );
  });
  it('pushes a time in the spring gap forward (02:30 → 03:30 CEST)', () => {
    expect(new Date(zonedTimeToUtcMs(2026, 3, 29, 150, 'Europe/Berlin')).toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
  });
  it('takes the first of an autumn ambiguous time (02:30 CEST, not CET)', () => {
    expect(new Date(zonedTimeToUtcMs(2026, 10, 25, 150, 'Europe/Berlin')).toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });
  it('handles New York', () => {
    expect(new Date(zonedTimeToUtcMs(2026, 3, 9, 9 * 60, 'America/New_York')).toISOString()).toBe(
      '2026-03-09T13:00:00.000Z',
    );
    expect(new Date(zonedTimeToUtcMs(2026, 3, 6, 9 * 60, 'America/New_York')).toISOString()).toBe(
      '2026-03-06T14:00:00.000Z',
    );
  });
});

describe('cached offsets agree with Intl for every hour of 2026', () => {
  it.each([
    'Europe/Berlin',
    'America/New_York',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
    'America/Santiago',
  ])('%s', (tz) => {
    const fmt = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const allDay: BusinessCalendar = {
      timeZone: tz,
      weekly: {
        mon: [['00:00', '24:00']],
        tue: [['00:00', '24:00']],
        wed: [['00:00', '24:00']],
        thu: [['00:00', '24:00']],
        fri: [['00:00', '24:00']],
        sat: [['00:00', '24:00']],
        sun: [['00:00', '24:00']],
      },
      holidays: [],
    };
    const start = Date.parse('2026-01-01T00:00:00Z');
    let count = 0;
    for (let h = 0; h < 365 * 24; h += 1) {
      const ms = start + h * 3_600_000 + 17 * 60_000;
      // Round trip: the wall clock Intl shows for an instant converts back to the same instant
      // (the first of two on an autumn repeat, hence <= one hour early).
      const p = Object.fromEntries(fmt.formatToParts(ms).map((x) => [x.type, x.value]));
      const back = zonedTimeToUtcMs(
        Number(p.year),
        Number(p.month),
        Number(p.day),
        Number(p.hour) * 60 + Number(p.minute),
        tz,
      );
      const repeat = back < ms && zoneOffsetMs(back, tz) !== zoneOffsetMs(ms, tz);
      expect(ms === back || repeat, `${tz} ${new Date(ms).toISOString()}`).toBe(true);
      count += 1;
    }
    expect(count).toBe(365 * 24);
    // A calendar open all day counts real elapsed time across every DST change of the year.
    expect(businessMinutesBetween('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', allDay)).toBe(
      365 * 24 * 60,
    );
  });
});

describe('addBusinessMinutes', () => {
  it('24x7 adds plain minutes', () => {
    expect(addBusinessMinutes('2026-11-21T10:00:00.000Z', 90, '24x7')).toBe('2026-11-21T11:30:00.000Z');
  });
  it('0 minutes returns the start', () => {
    expect(addBusinessMinutes('2026-11-21T10:00:00.000Z', 0, utc)).toBe('2026-11-21T10:00:00.000Z');
  });
  it('within one day', () => {
    expect(addBusinessMinutes('2026-11-23T10:00:00Z', 120, utc)).toBe('2026-11-23T12:00:00.000Z');
  });
  it('ends exactly at closing time rather than next morning', () => {
    expect(addBusinessMinutes('2026-11-23T16:00:00Z', 60, utc)).toBe('2026-11-23T17:00:00.000Z');
  });
  it('starts before opening and on a weekend count from the next opening', () => {
    expect(addBusinessMinutes('2026-11-23T07:00:00Z', 30, utc)).toBe('2026-11-23T09:30:00.000Z');
    expect(addBusinessMinutes('2026-11-21T10:00:00Z', 30, utc)).toBe('2026-11-23T09:30:00.000Z');
    // Friday after closing → Monday
    expect(addBusinessMinutes('2026-11-27T18:00:00Z', 480, utc)).toBe('2026-11-30T17:00:00.000Z');
  });
  it('skips a lunch break', () => {
    const lunch = cal('UTC', [
      ['09:00', '12:00'],
      ['13:00', '17:00'],
    ]);
    expect(addBusinessMinutes('2026-11-23T11:30:00Z', 60, lunch)).toBe('2026-11-23T13:30:00.000Z');
    expect(addBusinessMinutes('2026-11-23T12:15:00Z', 10, lunch)).toBe('2026-11-23T13:10:00.000Z');
    // 7 h a day: 09:00 Monday + 10 h = Monday 7 h + Tuesday 3 h → Tuesday 12:00
    expect(addBusinessMinutes('2026-11-23T09:00:00Z', 600, lunch)).toBe('2026-11-24T12:00:00.000Z');
  });
  it('skips a holiday and the weekend after it (Berlin, Christmas on a Friday)', () => {
    const xmas = cal('Europe/Berlin', [['09:00', '17:00']], ['2026-12-25']);
    // Thu 24 Dec 16:30 CET: 30 min Thursday, Friday holiday, weekend, Monday 09:00 CET + 60 = 10:00 CET = 09:00Z
    expect(addBusinessMinutes('2026-12-24T15:30:00Z', 90, xmas)).toBe('2026-12-28T09:00:00.000Z');
  });
  it('Berlin across the March DST change', () => {
    // Fri 27 Mar 16:00 CET (15:00Z): 60 min Friday; Monday 30 Mar opens 09:00 CEST = 07:00Z; +60 → 08:00Z
    expect(addBusinessMinutes('2026-03-27T15:00:00Z', 120, berlin)).toBe('2026-03-30T08:00:00.000Z');
  });
  it('Berlin across the October DST change', () => {
    // Fri 23 Oct 16:00 CEST (14:00Z): 60 min; Monday 26 Oct 09:00 CET = 08:00Z; +60 → 09:00Z
    expect(addBusinessMinutes('2026-10-23T14:00:00Z', 120, berlin)).toBe('2026-10-26T09:00:00.000Z');
  });
  it('New York across the March and November DST changes', () => {
    // Fri 6 Mar 16:00 EST (21:00Z) → Mon 9 Mar 10:00 EDT = 14:00Z
    expect(addBusinessMinutes('2026-03-06T21:00:00Z', 120, newYork)).toBe('2026-03-09T14:00:00.000Z');
    // Fri 30 Oct 16:00 EDT (20:00Z) → Mon 2 Nov 10:00 EST = 15:00Z
    expect(addBusinessMinutes('2026-10-30T20:00:00Z', 120, newYork)).toBe('2026-11-02T15:00:00.000Z');
  });
  it('refuses negative minutes', () => {
    expect(() => addBusinessMinutes('2026-11-23T10:00:00Z', -1, utc)).toThrow(/non-negative/);
  });
  it('refuses an invalid start', () => {
    try {
      addBusinessMinutes('yesterday', 10, utc);
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('validation_failed');
    }
  });
  it('stops with data_invalid when a calendar never opens', () => {
    const allHolidays = cal('UTC', [['09:00', '17:00']]);
    allHolidays.weekly = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
    expect(() => addBusinessMinutes('2026-11-23T10:00:00Z', 10, allHolidays)).toThrow(/no opening hours/);
  });
});

describe('businessMinutesBetween', () => {
  it('is 0 for reversed or empty ranges', () => {
    expect(businessMinutesBetween('2026-11-23T12:00:00Z', '2026-11-23T10:00:00Z', utc)).toBe(0);
    expect(businessMinutesBetween('2026-11-21T10:00:00Z', '2026-11-22T10:00:00Z', utc)).toBe(0);
  });
  it('24x7 counts everything, with fractions for seconds', () => {
    expect(businessMinutesBetween('2026-11-21T10:00:00Z', '2026-11-21T10:01:30Z', '24x7')).toBe(1.5);
  });
  it('counts a full week as five days', () => {
    expect(businessMinutesBetween('2026-11-23T00:00:00Z', '2026-11-30T00:00:00Z', utc)).toBe(5 * 480);
  });
  it('is the inverse of addBusinessMinutes across DST in Berlin and New York', () => {
    expect(businessMinutesBetween('2026-03-27T15:00:00Z', '2026-03-30T08:00:00Z', berlin)).toBe(120);
    expect(businessMinutesBetween('2026-10-23T14:00:00Z', '2026-10-26T09:00:00Z', berlin)).toBe(120);
    expect(businessMinutesBetween('2026-03-06T21:00:00Z', '2026-03-09T14:00:00Z', newYork)).toBe(120);
    expect(businessMinutesBetween('2026-10-30T20:00:00Z', '2026-11-02T15:00:00Z', newYork)).toBe(120);
  });
  it('a whole DST Sunday has 23 or 25 hours (New York)', () => {
    const sundays: BusinessCalendar = {
      timeZone: 'America/New_York',
      weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [['00:00', '24:00']] },
      holidays: [],
    };
    expect(businessMinutesBetween('2026-03-07T12:00:00Z', '2026-03-10T12:00:00Z', sundays)).toBe(23 * 60);
    expect(businessMinutesBetween('2026-10-31T12:00:00Z', '2026-11-03T12:00:00Z', sundays)).toBe(25 * 60);
    expect(businessMinutesBetween('2026-03-14T12:00:00Z', '2026-03-17T12:00:00Z', sundays)).toBe(24 * 60);
  });
  it('excludes holidays and lunch', () => {
    const c = cal(
      'UTC',
      [
        ['09:00', '12:00'],
        ['13:00', '17:00'],
      ],
      ['2026-11-24'],
    );
    // Mon 7 h, Tue holiday, Wed until 10:00 = 1 h
    expect(businessMinutesBetween('2026-11-23T08:00:00Z', '2026-11-25T10:00:00Z', c)).toBe(8 * 60);
  });
  it('replays 25,000 due-time computations quickly', () => {
    const start = Date.parse('2026-01-05T08:00:00Z');
    const t0 = performance.now();
    for (let i = 0; i < 25_000; i++) {
      const s = new Date(start + i * 997_000).toISOString();
      const due = addBusinessMinutes(s, 1440, berlin);
      businessMinutesBetween(s, due, berlin);
    }
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});

describe('calendar helpers and schema', () => {
  it('isBusinessTime', () => {
    expect(isBusinessTime('2026-11-23T09:00:00Z', utc)).toBe(true);
    expect(isBusinessTime('2026-11-23T17:00:00Z', utc)).toBe(false);
    expect(isBusinessTime('2026-11-22T12:00:00Z', utc)).toBe(false);
    expect(isBusinessTime('2026-11-22T12:00:00Z', '24x7')).toBe(true);
  });
  it('businessMinutesPerDay', () => {
    expect(businessMinutesPerDay(utc)).toBe(480);
    expect(businessMinutesPerDay('24x7')).toBe(1440);
  });
  it('isIsoDate rejects impossible dates', () => {
    expect(isIsoDate('2026-02-28')).toBe(true);
    expect(isIsoDate('2026-02-30')).toBe(false);
    expect(isIsoDate('26-2-3')).toBe(false);
  });
  it('schema names the bad field', () => {
    const bad = businessCalendarSchema.safeParse({
      timeZone: 'Mars/Olympus',
      weekly: {
        mon: [['17:00', '09:00']],
        tue: [
          ['09:00', '12:00'],
          ['11:00', '13:00'],
        ],
      },
      holidays: ['2026-13-01'],
    });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(paths).toContain('timeZone');
    expect(paths).toContain('weekly.mon.0');
    expect(paths).toContain('weekly.tue');
    expect(paths).toContain('holidays.0');
  });
  it('schema accepts 24x7 and fills missing weekdays as closed', () => {
    expect(calendarSchema.parse('24x7')).toBe('24x7');
    const c = businessCalendarSchema.parse({
      timeZone: 'Europe/Berlin',
      weekly: { mon: [['09:00', '17:00']] },
    });
    expect(c.weekly.sun).toEqual([]);
    expect(c.holidays).toEqual([]);
  });
});
