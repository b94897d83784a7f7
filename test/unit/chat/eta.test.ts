import { describe, expect, it } from 'vitest';
import { etaLine } from '../../../src/chat/render.js';
import { parseSlaConfig, ticketSla } from '../../../src/itsm/sla.js';
import { dueNotices } from '../../../src/itsm/sla-sweep.js';
import type { Ticket, TicketEvent } from '../../../src/itsm/types.js';

const weekdays = (from: string, to: string) => {
  const day: Array<[string, string]> = [[from, to]];
  return { mon: day, tue: day, wed: day, thu: day, fri: day, sat: [], sun: [] };
};

// The global calendar is Berlin office hours (as data/sla.json); one group works New York hours with
// a holiday of its own, another also covers the weekend.
const CONFIG = parseSlaConfig({
  calendars: {
    business: { timeZone: 'Europe/Berlin', weekly: weekdays('09:00', '17:00'), holidays: [] },
    'us-east': {
      timeZone: 'America/New_York',
      weekly: weekdays('09:00', '17:00'),
      holidays: ['2026-04-03'],
    },
    'seven-days': {
      timeZone: 'Europe/Berlin',
      weekly: {
        ...weekdays('09:00', '17:00'),
        sat: [['10:00', '14:00']],
        sun: [['10:00', '14:00']],
      },
      holidays: [],
    },
  },
  policies: {
    P1: { respondMinutes: 15, resolveMinutes: 240, calendar: '24x7' },
    P2: { respondMinutes: 30, resolveMinutes: 480, calendar: 'business' },
    P3: { respondMinutes: 240, resolveMinutes: 1440, calendar: 'business' },
    P4: { respondMinutes: 480, resolveMinutes: 2400, calendar: 'business' },
  },
});

function ticket(createdAt: string, priority: Ticket['priority'] = 'P3'): Ticket {
  return {
    id: 1,
    number: 'INC0000001',
    kind: 'incident',
    title: 'VPN drops',
    description: 'VPN drops',
    state: 'new',
    pendingReason: null,
    impact: 'medium',
    urgency: 'medium',
    priority,
    category: 'network',
    templateId: null,
    fields: {},
    requesterId: 7,
    groupId: 3,
    assigneeId: null,
    channel: 'slack',
    createdAt,
    updatedAt: createdAt,
    resolvedAt: null,
    closedAt: null,
  };
}

const created = (t: Ticket): TicketEvent[] => [
  {
    ticketId: t.id,
    seq: 1,
    at: t.createdAt,
    actorId: t.requesterId,
    type: 'created',
    from: null,
    to: 'new',
    reason: null,
    data: { priority: t.priority },
  },
];

/** The requester's ETA line for a ticket of a group with this calendar, as the card shows it. */
function eta(t: Ticket, calendar: string | null, timeZone: string, now: string): string | null {
  return etaLine(t, ticketSla(CONFIG, t, calendar, created(t), now), timeZone, now);
}

describe("the requester's ETA follows the group's calendar", () => {
  // Fri 27 Mar 2026 15:00 UTC: 16:00 in Berlin (CET; summer time starts Sun 29 Mar), 11:00 in New
  // York (EDT since 8 Mar).
  const friday = '2026-03-27T15:00:00.000Z';

  it('a New York group answers the same Friday; the Berlin calendar only on Monday, after the DST change', () => {
    const t = ticket(friday);
    // Berlin: 1 h on Friday, then 3 h from Monday 09:00 CEST (07:00 UTC) → 12:00 CEST.
    expect(ticketSla(CONFIG, t, null, created(t), friday).response.dueAt).toBe('2026-03-30T10:00:00.000Z');
    expect(eta(t, null, 'Europe/Berlin', friday)).toBe('First response by Mon 30 Mar 12:00 your time');
    // New York: 4 h from 11:00 EDT → 15:00 EDT = 19:00 UTC = 20:00 CET for the Berlin requester.
    expect(ticketSla(CONFIG, t, 'us-east', created(t), friday).response.dueAt).toBe(
      '2026-03-27T19:00:00.000Z',
    );
    expect(eta(t, 'us-east', 'Europe/Berlin', friday)).toBe('First response by 20:00 your time');
    // The same instant for a requester in New York.
    expect(eta(t, 'us-east', 'America/New_York', friday)).toBe('First response by 15:00 your time');
  });

  it("skips the group's own holiday and works its weekend hours", () => {
    // Thu 2 Apr 15:00 UTC = 11:00 EDT: 4 h would end 15:00 EDT the same day, no holiday involved.
    const thursday = ticket('2026-04-02T15:00:00.000Z');
    expect(eta(thursday, 'us-east', 'UTC', thursday.createdAt)).toBe('First response by 19:00 your time');
    // Thu 2 Apr 19:00 UTC = 15:00 EDT: 2 h on Thursday, Good Friday is the group's holiday, the
    // weekend is closed, 2 h on Monday from 09:00 EDT → 11:00 EDT = 15:00 UTC.
    const late = ticket('2026-04-02T19:00:00.000Z');
    expect(eta(late, 'us-east', 'UTC', late.createdAt)).toBe('First response by Mon 6 Apr 15:00 your time');
    // Berlin has no holiday then: Fri 3 Apr 09:00–13:00 CEST (07:00–11:00 UTC).
    expect(eta(late, null, 'UTC', late.createdAt)).toBe('First response by Fri 3 Apr 11:00 your time');
    // A group that also works weekends answers on Saturday instead of Monday.
    expect(eta(ticket(friday), 'seven-days', 'Europe/Berlin', friday)).toBe(
      'First response by Sat 28 Mar 13:00 your time',
    );
  });

  it('24×7 policies stay 24×7 whatever the group calendar', () => {
    const p1 = ticket(friday, 'P1');
    expect(eta(p1, 'us-east', 'UTC', friday)).toBe(eta(p1, null, 'UTC', friday));
    expect(eta(p1, 'us-east', 'UTC', friday)).toBe('First response by 15:15 your time');
  });

  it('the sweeper warns against the very instant the requester was promised', () => {
    const t = ticket(friday);
    // 75 % of 240 New York minutes: 14:00 EDT = 18:00 UTC.
    const at = '2026-03-27T18:05:00.000Z';
    const groupSla = ticketSla(CONFIG, t, 'us-east', created(t), at);
    const warning = dueNotices(t, groupSla).find((n) => n.kind === 'warning');
    expect(warning?.clock).toBe('response');
    expect(warning?.dueAt).toBe(ticketSla(CONFIG, t, 'us-east', created(t), friday).response.dueAt);
    // On the global calendar nothing would be due yet: the two used to disagree here.
    expect(dueNotices(t, ticketSla(CONFIG, t, null, created(t), at))).toEqual([]);
  });
});
