import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors.js';
import {
  computeSla,
  DEFAULT_SLA_CONFIG,
  isResponseEvent,
  loadSlaConfig,
  parseSlaConfig,
  resolveSlaTarget,
  type SlaConfig,
  type SlaInput,
} from '../../../src/itsm/sla.js';
import type { Priority, TicketEvent, TicketEventType } from '../../../src/itsm/types.js';

// DEFAULT_SLA_CONFIG: business = Mon–Fri 09:00–17:00 UTC. 2026-11-23 is a Monday.
let seq = 0;
function ev(
  type: TicketEventType,
  at: string,
  from: string | null = null,
  to: string | null = null,
  data: Record<string, unknown> = {},
  actorId: number | null = 1,
): TicketEvent {
  seq += 1;
  return { ticketId: 1, seq, at, actorId, type, from, to, reason: null, data };
}
const MON = (hhmm: string): string => `2026-11-23T${hhmm}:00.000Z`;
const TUE = (hhmm: string): string => `2026-11-24T${hhmm}:00.000Z`;

function sla(priority: Priority, events: TicketEvent[], now: string, extra: Partial<SlaInput> = {}) {
  return computeSla({
    createdAt: MON('09:00'),
    events,
    priority,
    config: DEFAULT_SLA_CONFIG,
    now,
    requesterId: 99,
    ...extra,
  });
}

describe('SLA config', () => {
  it('loads the shipped data/sla.json with the DESIGN defaults', async () => {
    const cfg = await loadSlaConfig(join(process.cwd(), 'data/sla.json'));
    expect(cfg.warnAt).toBe(0.75);
    expect(cfg.policies.P1).toEqual({ respondMinutes: 15, resolveMinutes: 240, calendar: '24x7' });
    expect(cfg.policies.P3.resolveMinutes).toBe(3 * 480);
    expect(cfg.policies.P4.resolveMinutes).toBe(5 * 480);
  });

  it('names file and field when a policy is bad', () => {
    try {
      parseSlaConfig(
        {
          policies: {
            ...DEFAULT_SLA_CONFIG.policies,
            P2: { respondMinutes: -5, resolveMinutes: 480, calendar: 'office' },
          },
        },
        'data/sla.json',
      );
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('data_invalid');
      expect((e as Error).message).toContain('data/sla.json: policies.P2.respondMinutes:');
    }
    expect(() =>
      parseSlaConfig(
        {
          policies: {
            ...DEFAULT_SLA_CONFIG.policies,
            P2: { respondMinutes: 5, resolveMinutes: 480, calendar: 'office' },
          },
        },
        'x.json',
      ),
    ).toThrow('x.json: policies.P2.calendar: unknown calendar "office" (known: 24x7)');
  });

  it('applies category overrides field by field, case-insensitively', () => {
    const cfg: SlaConfig = {
      ...DEFAULT_SLA_CONFIG,
      categories: { Security: { P2: { calendar: '24x7', resolveMinutes: 240 } } },
    };
    expect(resolveSlaTarget(cfg, 'P2', 'security')).toMatchObject({
      respondMinutes: 30,
      resolveMinutes: 240,
      calendarName: '24x7',
      calendar: '24x7',
    });
    expect(resolveSlaTarget(cfg, 'P2', 'network')).toMatchObject({
      resolveMinutes: 480,
      calendarName: 'business',
    });
    expect(resolveSlaTarget(cfg, 'P3', 'security')).toMatchObject({ resolveMinutes: 1440 });
  });
});

describe('computeSla: running clocks', () => {
  it('P3 running: elapsed, due time projected from now', () => {
    const r = sla('P3', [ev('created', MON('09:00'), null, 'new')], MON('11:00'));
    expect(r.response).toMatchObject({
      targetMinutes: 240,
      elapsedMinutes: 120,
      state: 'running',
      dueAt: MON('13:00'),
      metAt: null,
      warning: false,
    });
    // 1440 business minutes from Monday 09:00 = Wednesday 17:00
    expect(r.resolution).toMatchObject({
      targetMinutes: 1440,
      elapsedMinutes: 120,
      remainingMinutes: 1320,
      dueAt: '2026-11-25T17:00:00.000Z',
      state: 'running',
    });
  });

  it('time outside business hours does not count', () => {
    const r = sla('P4', [], '2026-11-24T08:00:00.000Z');
    expect(r.resolution.elapsedMinutes).toBe(480);
  });

  it('P1 counts 24x7 on a weekend and breaches the response after 15 minutes', () => {
    const sat = '2026-11-21T10:00:00.000Z';
    const r = computeSla({
      createdAt: sat,
      events: [],
      priority: 'P1',
      config: DEFAULT_SLA_CONFIG,
      now: '2026-11-21T12:30:00.000Z',
    });
    expect(r.calendarName).toBe('24x7');
    expect(r.response).toMatchObject({
      breached: true,
      breachedAt: '2026-11-21T10:15:00.000Z',
      state: 'breached',
      dueAt: '2026-11-21T10:15:00.000Z',
    });
    expect(r.resolution).toMatchObject({
      elapsedMinutes: 150,
      dueAt: '2026-11-21T14:00:00.000Z',
      warning: false,
      state: 'running',
    });
  });
});

describe('computeSla: warning and breach', () => {
  it('warns at exactly 75 % and not a minute before', () => {
    // P2 resolve 480: 75 % = 360 minutes = Monday 15:00
    const before = sla('P2', [], MON('14:59')).resolution;
    expect(before.warning).toBe(false);
    expect(before.nextChangeAt).toBe(MON('15:00'));
    const r = sla('P2', [], MON('15:00')).resolution;
    expect(r.warning).toBe(true);
    expect(r.state).toBe('running');
    expect(r.nextChangeAt).toBe(MON('17:00'));
  });

  it('honours a custom warnAt share', () => {
    const r = sla('P2', [], MON('13:00'), { config: { ...DEFAULT_SLA_CONFIG, warnAt: 0.5 } }).resolution;
    expect(r.warning).toBe(true);
  });

  it('breaches at the target and keeps the breach instant', () => {
    const r = sla('P2', [], MON('17:30'));
    expect(r.response).toMatchObject({ breached: true, breachedAt: MON('09:30') });
    expect(r.resolution).toMatchObject({
      elapsedMinutes: 480,
      breached: true,
      breachedAt: MON('17:00'),
      dueAt: MON('17:00'),
      state: 'breached',
      warning: false,
    });
  });

  it('a clock met exactly at its due time is met, not breached', () => {
    const r = sla('P2', [ev('state_changed', MON('09:30'), 'new', 'in_progress')], MON('10:00'));
    expect(r.response).toMatchObject({ breached: false, metAt: MON('09:30'), state: 'met' });
  });

  it('met after the due time stays breached with metAt set', () => {
    const r = sla('P2', [ev('state_changed', MON('09:45'), 'new', 'in_progress')], MON('10:00'));
    expect(r.response).toMatchObject({
      breached: true,
      breachedAt: MON('09:30'),
      metAt: MON('09:45'),
      state: 'breached',
    });
  });
});

describe('computeSla: response met by each kind of event', () => {
  const at = MON('09:10');
  it.each<[string, TicketEvent]>([
    ['state_changed to in_progress', ev('state_changed', at, 'new', 'in_progress')],
    ['assigned to a person', ev('assigned', at, null, null, { assigneeId: 7, groupId: 2 })],
    ['owner_changed to an agent', ev('owner_changed', at, 'queue', 'agent:7')],
    ['public agent comment', ev('commented', at, null, null, { byAgent: true }, 7)],
    ['state_changed to resolved', ev('state_changed', at, 'new', 'resolved')],
  ])('%s', (_name, event) => {
    const r = sla('P2', [event], MON('10:00'));
    expect(r.response).toMatchObject({
      metAt: at,
      elapsedMinutes: 10,
      state: 'met',
      breached: false,
      warning: false,
    });
    expect(r.response.dueAt).toBe(MON('09:30'));
  });

  it.each<[string, TicketEvent]>([
    ['assigned to a group only', ev('assigned', at, null, null, { groupId: 2, assigneeId: null })],
    ['automatic dispatch', ev('assigned', at, null, '7', { assigneeId: 7, auto: true }, null)],
    ['owner_changed to the queue', ev('owner_changed', at, 'bot', 'queue')],
    ['internal note', ev('commented', at, null, null, { byAgent: true, internal: true }, 7)],
    ['requester comment', ev('commented', at, null, null, { byAgent: false }, 99)],
    ['agent flag but written by the requester', ev('commented', at, null, null, { byAgent: true }, 99)],
    ['state_changed to assigned', ev('state_changed', at, 'new', 'assigned')],
    ['field change', ev('field_changed', at, 'a', 'b')],
  ])('not by %s', (_name, event) => {
    expect(isResponseEvent(event, 99)).toBe(false);
    expect(sla('P2', [event], MON('09:20')).response.metAt).toBeNull();
  });
});

describe('computeSla: pause and re-target', () => {
  const events = [
    ev('created', MON('09:00'), null, 'new'),
    ev('state_changed', MON('10:00'), 'new', 'in_progress'),
    ev('state_changed', MON('12:00'), 'in_progress', 'pending', { reason: 'requester' }),
    ev('state_changed', TUE('10:00'), 'pending', 'in_progress'),
    ev('priority_changed', TUE('11:00'), 'P3', 'P2'),
  ];

  it('pending pauses the resolution clock, not the response clock', () => {
    const r = sla('P3', events.slice(0, 3), MON('15:00'));
    expect(r.resolution).toMatchObject({
      elapsedMinutes: 180,
      pausedMinutes: 180,
      state: 'paused',
      dueAt: null,
    });
    expect(r.response).toMatchObject({ state: 'met', metAt: MON('10:00') });
  });

  it('a priority change re-targets and keeps elapsed and paused time', () => {
    // resolution: Mon 09–12 = 180, paused Mon 12–17 + Tue 09–10 = 360, running Tue 10–13 = 180 → 360
    const r = sla('P2', events, TUE('13:00'));
    expect(r.priority).toBe('P2');
    expect(r.resolution).toMatchObject({
      targetMinutes: 480,
      elapsedMinutes: 360,
      pausedMinutes: 360,
      remainingMinutes: 120,
      warning: true,
      breached: false,
      state: 'running',
      dueAt: TUE('15:00'),
    });
    // the response was met under P3 (60 min of 240) and stays met after re-targeting to P2's 30
    expect(r.response).toMatchObject({ state: 'met', breached: false, targetMinutes: 30 });
  });

  it('derives the initial priority from the first change, so the clock ran on P3 before', () => {
    const r = sla('P2', events, TUE('10:30'));
    expect(r.priority).toBe('P3');
    expect(r.resolution).toMatchObject({ targetMinutes: 1440, elapsedMinutes: 210 });
  });

  it('raising the priority past the elapsed time breaches at the change', () => {
    const r = sla('P2', [ev('priority_changed', TUE('10:00'), 'P3', 'P2')], TUE('10:30'));
    // resolution elapsed 540 at the change > 480
    expect(r.resolution).toMatchObject({ breached: true, breachedAt: TUE('10:00'), elapsedMinutes: 570 });
    // response: P3 240 min reached Monday 13:00, before the change
    expect(r.response.breachedAt).toBe(MON('13:00'));
  });

  it('a breach is sticky when the priority is lowered afterwards', () => {
    const r = sla('P4', [ev('priority_changed', TUE('10:00'), 'P2', 'P4')], TUE('10:30'));
    expect(r.resolution).toMatchObject({
      targetMinutes: 2400,
      breached: true,
      breachedAt: MON('17:00'),
      state: 'breached',
    });
  });

  it('switches calendar with the priority: P1 minutes count 24x7, later P2 minutes in business hours', () => {
    // P1 from Mon 09:00 to Mon 10:00 (60), P2 afterwards; at Mon 20:00, P2 adds 10:00–17:00 = 420 → 480 = breach at 17:00
    const r = sla('P2', [ev('priority_changed', MON('10:00'), 'P1', 'P2')], MON('20:00'));
    expect(r.resolution).toMatchObject({ elapsedMinutes: 480, breachedAt: MON('17:00') });
  });
});

describe('computeSla: resolve, reopen, cancel', () => {
  it('resolution is met at resolved and stays met through closed', () => {
    const events = [
      ev('state_changed', MON('10:00'), 'new', 'in_progress'),
      ev('state_changed', MON('11:00'), 'in_progress', 'resolved'),
      ev('state_changed', TUE('11:00'), 'resolved', 'closed'),
    ];
    const r = sla('P3', events, '2026-11-30T12:00:00.000Z');
    expect(r.resolution).toMatchObject({
      metAt: MON('11:00'),
      elapsedMinutes: 120,
      state: 'met',
      breached: false,
      warning: false,
    });
    expect(r.resolution.dueAt).toBe('2026-11-25T17:00:00.000Z');
  });

  it('a reopen restarts the resolution clock, keeping elapsed and not counting the resolved time', () => {
    const events = [
      ev('state_changed', MON('10:00'), 'new', 'in_progress'),
      ev('state_changed', MON('11:00'), 'in_progress', 'resolved'),
      ev('state_changed', TUE('09:00'), 'resolved', 'in_progress'),
    ];
    const r = sla('P3', events, TUE('10:00'));
    expect(r.resolution).toMatchObject({
      metAt: null,
      elapsedMinutes: 180,
      state: 'running',
      remainingMinutes: 1260,
    });
    expect(r.response.metAt).toBe(MON('10:00'));
  });

  it('new → resolved at once meets both clocks', () => {
    const r = sla('P4', [ev('state_changed', MON('09:05'), 'new', 'resolved')], MON('12:00'));
    expect(r.response.metAt).toBe(MON('09:05'));
    expect(r.resolution.metAt).toBe(MON('09:05'));
  });

  it('cancel stops both clocks', () => {
    const r = sla('P2', [ev('state_changed', MON('09:10'), 'new', 'cancelled')], TUE('12:00'));
    expect(r.response).toMatchObject({
      state: 'stopped',
      elapsedMinutes: 10,
      dueAt: null,
      breached: false,
      warning: false,
    });
    expect(r.resolution).toMatchObject({ state: 'stopped', elapsedMinutes: 10 });
  });

  it('sorts events itself', () => {
    const events = [
      ev('state_changed', MON('11:00'), 'in_progress', 'resolved'),
      ev('state_changed', MON('10:00'), 'new', 'in_progress'),
    ];
    const r = sla('P3', events, MON('12:00'));
    expect(r.resolution).toMatchObject({ metAt: MON('11:00'), elapsedMinutes: 120 });
    expect(r.response).toMatchObject({ metAt: MON('10:00') });
  });

  it('ignores events after now: the state as it was at that time', () => {
    const events = [
      ev('state_changed', MON('10:00'), 'new', 'in_progress'),
      ev('state_changed', MON('11:00'), 'in_progress', 'resolved'),
    ];
    const r = sla('P3', events, MON('10:30'));
    expect(r.resolution).toMatchObject({ metAt: null, elapsedMinutes: 90, state: 'running' });
  });

  it('replays 25,000 tickets quickly', () => {
    const t0 = performance.now();
    let breaches = 0;
    for (let i = 0; i < 25_000; i++) {
      const created = new Date(Date.parse('2026-01-05T08:00:00Z') + i * 1_234_567).toISOString();
      const plus = (min: number): string => new Date(Date.parse(created) + min * 60_000).toISOString();
      const r = computeSla({
        createdAt: created,
        priority: (['P1', 'P2', 'P3', 'P4'] as const)[i % 4] ?? 'P3',
        config: DEFAULT_SLA_CONFIG,
        now: plus(20_000),
        events: [
          ev('created', created, null, 'new'),
          ev('state_changed', plus(20), 'new', 'in_progress'),
          ev('state_changed', plus(200), 'in_progress', 'pending', { reason: 'requester' }),
          ev('state_changed', plus(1500), 'pending', 'in_progress'),
          ev('state_changed', plus(3000), 'in_progress', 'resolved'),
        ],
      });
      if (r.resolution.breached) breaches++;
    }
    expect(breaches).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

describe('computeSla on a Berlin calendar (DST + holiday)', () => {
  const config = parseSlaConfig({
    calendars: {
      business: {
        timeZone: 'Europe/Berlin',
        weekly: {
          mon: [['09:00', '17:00']],
          tue: [['09:00', '17:00']],
          wed: [['09:00', '17:00']],
          thu: [['09:00', '17:00']],
          fri: [['09:00', '17:00']],
        },
        holidays: ['2026-03-30'],
      },
    },
    policies: DEFAULT_SLA_CONFIG.policies,
  });

  it('P3 due time: Thu 60 + Fri 480 + (weekend, DST, holiday Monday) + Tue 480 + Wed 420 min', () => {
    // created Thu 26 Mar 16:00 CET = 15:00Z; due Wed 1 Apr 16:00 CEST = 14:00Z
    const r = computeSla({
      createdAt: '2026-03-26T15:00:00.000Z',
      events: [],
      priority: 'P3',
      config,
      now: '2026-03-26T15:00:00.000Z',
    });
    expect(r.resolution.dueAt).toBe('2026-04-01T14:00:00.000Z');
    const later = computeSla({
      createdAt: '2026-03-26T15:00:00.000Z',
      events: [],
      priority: 'P3',
      config,
      now: '2026-03-31T07:30:00.000Z',
    });
    // Tue 31 Mar 09:30 CEST: 60 + 480 + 30
    expect(later.resolution.elapsedMinutes).toBe(570);
    expect(later.resolution.dueAt).toBe('2026-04-01T14:00:00.000Z');
  });

  it('pausing over the DST weekend counts paused business minutes only', () => {
    const events = [
      ev('state_changed', '2026-03-27T10:00:00.000Z', 'new', 'in_progress'),
      ev('state_changed', '2026-03-27T11:00:00.000Z', 'in_progress', 'pending', { reason: 'vendor' }),
      ev('state_changed', '2026-03-31T08:00:00.000Z', 'pending', 'in_progress'),
    ];
    // created Fri 27 Mar 09:00 CET = 08:00Z; running 09:00–12:00 CET = 180; paused 12:00–17:00 Fri = 300,
    // Mon holiday, Tue 09:00–10:00 CEST = 60 → 360; running again Tue 10:00–11:00 CEST = 60
    const r = computeSla({
      createdAt: '2026-03-27T08:00:00.000Z',
      events,
      priority: 'P3',
      config,
      now: '2026-03-31T09:00:00.000Z',
    });
    expect(r.resolution).toMatchObject({ elapsedMinutes: 240, pausedMinutes: 360, state: 'running' });
  });
});
