/**
 * KPI formulas on a hand-built event log whose answers are worked out by hand in the comments.
 * SLA config is 24×7 everywhere so calendar and business minutes differ only by pending time.
 */
import { describe, expect, it } from 'vitest';
import { ticketFacts } from '../../../src/itsm/kpis/facts.js';
import { buildKpiSummary, formatReportCsv, formatReportTable } from '../../../src/itsm/kpis/format.js';
import { backlogByAge, deflection, fcrRate, mtta, reopenRate } from '../../../src/itsm/kpis/formulas.js';
import { bucketStart, buildKpiReport, parseSince } from '../../../src/itsm/kpis/report.js';
import { evaluateTargets, parseKpiTargets } from '../../../src/itsm/kpis/targets.js';
import type { KpiKbAnswer, KpiTicket } from '../../../src/itsm/kpis/types.js';
import type { SlaConfig } from '../../../src/itsm/sla.js';
import type { TicketEvent, TicketEventType } from '../../../src/itsm/types.js';

const all24: SlaConfig = {
  warnAt: 0.75,
  calendars: {},
  policies: {
    P1: { respondMinutes: 15, resolveMinutes: 240, calendar: '24x7' },
    P2: { respondMinutes: 30, resolveMinutes: 480, calendar: '24x7' },
    P3: { respondMinutes: 240, resolveMinutes: 1440, calendar: '24x7' },
    P4: { respondMinutes: 480, resolveMinutes: 2400, calendar: '24x7' },
  },
  categories: {},
};

const NOW = '2026-03-10T00:00:00.000Z';
const PERIOD = { since: '2026-03-01T00:00:00.000Z', until: NOW };
const REQ = 100;
const AGENT = 10;
const AGENT2 = 11;

type E = Partial<Omit<TicketEvent, 'type' | 'at'>>;
function log(...evs: [TicketEventType, string, E?][]): TicketEvent[] {
  return evs.map(([type, at, e], i) => ({
    ticketId: 0,
    seq: i + 1,
    at: `2026-${at}:00.000Z`,
    actorId: null,
    type,
    from: null,
    to: null,
    reason: null,
    data: {},
    ...e,
  }));
}

function ticket(n: number, p: Partial<KpiTicket> & { events: TicketEvent[] }): KpiTicket {
  return {
    id: n,
    number: `INC${String(n).padStart(7, '0')}`,
    title: `ticket ${n}`,
    kind: 'incident',
    state: 'new',
    priority: 'P3',
    category: 'access',
    group: 'sd',
    channel: 'slack',
    requesterId: REQ,
    assigneeId: null,
    createdAt: p.events[0]?.at ?? NOW,
    resolvedAt: null,
    closedAt: null,
    ...p,
  };
}

// T1: human-resolved at first contact. MTTA 30, MTTR 120, both SLAs met, rated 5.
const t1 = ticket(1, {
  state: 'resolved',
  assigneeId: AGENT,
  events: log(
    ['created', '03-02T09:00', { actorId: REQ, to: 'new', data: { priority: 'P3', channel: 'slack' } }],
    ['assigned', '03-02T09:00', { to: String(AGENT), data: { group: 'sd', assigneeId: AGENT, auto: true } }],
    ['state_changed', '03-02T09:00', { from: 'new', to: 'assigned' }],
    ['state_changed', '03-02T09:30', { actorId: AGENT, from: 'assigned', to: 'in_progress' }],
    ['state_changed', '03-02T11:00', { actorId: AGENT, from: 'in_progress', to: 'resolved' }],
    ['rated', '03-02T12:00', { actorId: REQ, to: '5', data: { score: 5 } }],
  ),
});

// T2: bot-opened (intent), handed off for lack of an article, claimed after 10 min, moved to group net by
// hand (a correction and a reassignment), 2 h pending, resolved, reopened, resolved again.
// Calendar MTTR 03-03 10:00 → 03-05 12:00 = 3000 min; business = 1500 - 120 pending + 180 after reopen = 1560 > 1440: breached.
const t2 = ticket(2, {
  state: 'resolved',
  group: 'net',
  channel: 'teams',
  assigneeId: AGENT2,
  events: log(
    [
      'created',
      '03-03T10:00',
      { actorId: REQ, to: 'new', data: { priority: 'P3', intent: 'password_reset', confidence: 0.4 } },
    ],
    [
      'owner_changed',
      '03-03T10:00',
      { from: 'bot', to: 'queue', reason: 'no knowledge article answers the question' },
    ],
    ['owner_changed', '03-03T10:10', { actorId: AGENT2, from: 'queue', to: `agent:${AGENT2}` }],
    ['assigned', '03-03T10:00', { to: null, data: { group: 'sd', auto: true } }],
    [
      'assigned',
      '03-03T10:15',
      { actorId: AGENT2, to: String(AGENT2), data: { group: 'net', assigneeId: AGENT2 } },
    ],
    ['state_changed', '03-03T10:20', { actorId: AGENT2, from: 'new', to: 'in_progress' }],
    [
      'state_changed',
      '03-03T11:00',
      { actorId: AGENT2, from: 'in_progress', to: 'pending', data: { pendingReason: 'requester' } },
    ],
    ['state_changed', '03-03T13:00', { actorId: REQ, from: 'pending', to: 'in_progress' }],
    ['state_changed', '03-04T11:00', { actorId: AGENT2, from: 'in_progress', to: 'resolved' }],
    ['state_changed', '03-05T09:00', { actorId: REQ, from: 'resolved', to: 'in_progress' }],
    ['state_changed', '03-05T12:00', { actorId: AGENT2, from: 'in_progress', to: 'resolved' }],
    ['rated', '03-05T13:00', { actorId: REQ, to: '2', data: { score: 2 } }],
  ),
});
// Events are stored in (at, seq) order.
(t2.events as TicketEvent[]).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq));

// T3: resolved by the requester after a bot answer, nobody from the desk involved: AI-resolved, rated 4.
const t3 = ticket(3, {
  state: 'resolved',
  events: log(
    ['created', '03-04T08:00', { actorId: REQ, to: 'new', data: { priority: 'P3', intent: 'how_to' } }],
    ['state_changed', '03-04T08:05', { actorId: REQ, from: 'new', to: 'resolved' }],
    ['rated', '03-04T08:06', { actorId: REQ, to: '4', data: { score: 4 } }],
  ),
});

// T4: open 2 days with no response: both clocks breached (240 and 1440 min < 2880).
const t4 = ticket(4, {
  state: 'assigned',
  channel: 'api',
  assigneeId: AGENT,
  events: log(
    ['created', '03-08T00:00', { actorId: REQ, to: 'new', data: { priority: 'P3' } }],
    ['assigned', '03-08T00:00', { to: String(AGENT), data: { group: 'sd', assigneeId: AGENT, auto: true } }],
    ['state_changed', '03-08T00:00', { from: 'new', to: 'assigned' }],
  ),
});

// T5: created before the period and still open: only in the backlog (>30 d).
const t5 = ticket(5, {
  group: 'net',
  events: log(['created', '02-01T00:00', { actorId: REQ, to: 'new', data: { priority: 'P3' } }]),
});

// T6: cancelled by the requester: in the cohort, no SLA verdict.
const t6 = ticket(6, {
  state: 'cancelled',
  channel: 'teams',
  events: log(
    ['created', '03-09T00:00', { actorId: REQ, to: 'new', data: { priority: 'P3' } }],
    ['state_changed', '03-09T00:10', { actorId: REQ, from: 'new', to: 'cancelled' }],
  ),
});

const tickets = [t1, t2, t3, t4, t5, t6];

function kb(
  id: number,
  personId: number,
  day: string,
  outcome: KpiKbAnswer['outcome'],
  articleId = 'kb-x',
  intent: string | null = 'how_to',
): KpiKbAnswer {
  const at = `2026-${day}:00.000Z`;
  return {
    id,
    personId,
    articleId,
    intent,
    platform: 'slack',
    answeredAt: at,
    outcome,
    outcomeAt: outcome === 'none' ? null : at,
  };
}
const answers: KpiKbAnswer[] = [
  kb(1, 200, '03-02T10:00', 'accepted', 'kb-vpn', 'vpn'), // verified
  kb(2, 201, '03-03T10:00', 'accepted', 'kb-pw', 'pw'), // came back: same article next day
  kb(3, 201, '03-04T10:00', 'rejected', 'kb-pw', 'pw'),
  kb(4, 202, '03-08T10:00', 'accepted', 'kb-mail', 'mail'), // window ends 03-11 > now: pending
  kb(5, REQ, '03-04T07:00', 'accepted', 'kb-howto', 'how_to'), // came back: T3 opened with intent how_to an hour later
];

const report = buildKpiReport(
  { tickets, kbAnswers: answers, agentNames: new Map([[AGENT, 'Grace']]) },
  { now: NOW, period: PERIOD, sla: all24 },
);

describe('ticket facts', () => {
  it('derives response, resolution, reopen, reassignment and AI-resolution from the log', () => {
    const f2 = ticketFacts(t2, { sla: all24, now: NOW, period: PERIOD });
    expect(f2).toMatchObject({
      responseMinutes: 10,
      resolveMinutes: 3000,
      resolveBusinessMinutes: 1560,
      reopens: 1,
      groupChanges: 1,
      humanTouched: true,
      aiResolved: false,
      botDecided: true,
      botCorrected: true,
      responseSlaMet: true,
      resolutionSlaMet: false,
      rating: 2,
    });
    const f3 = ticketFacts(t3, { sla: all24, now: NOW, period: PERIOD });
    expect(f3).toMatchObject({
      aiResolved: true,
      humanTouched: false,
      responseMinutes: 5,
      botCorrected: false,
    });
    const f6 = ticketFacts(t6, { sla: all24, now: NOW, period: PERIOD });
    expect(f6).toMatchObject({ responseSlaMet: null, resolutionSlaMet: null, resolved: false, open: false });
  });
});

describe('reassignments', () => {
  it('a claim after automatic dispatch is a pick-up; handing it to a colleague is a reassignment', () => {
    const events = log(
      ['created', '03-02T09:00', { actorId: REQ, to: 'new', data: { priority: 'P3' } }],
      [
        'assigned',
        '03-02T09:00',
        { to: String(AGENT), data: { group: 'sd', assigneeId: AGENT, auto: true } },
      ],
      ['assigned', '03-02T09:10', { actorId: AGENT2, to: String(AGENT2), data: { assigneeId: AGENT2 } }],
      ['state_changed', '03-02T09:20', { actorId: AGENT2, from: 'assigned', to: 'resolved' }],
    );
    expect(ticketFacts(ticket(9, { events }), { sla: all24, now: NOW, period: PERIOD })).toMatchObject({
      reassignments: 0,
      groupChanges: 0,
    });
    const handed = [
      ...events.slice(0, 3),
      ...log(['assigned', '03-02T09:15', { actorId: AGENT2, to: '12', data: { assigneeId: 12 } }]),
      events[3] as TicketEvent,
    ];
    expect(
      ticketFacts(ticket(9, { events: handed }), { sla: all24, now: NOW, period: PERIOD }),
    ).toMatchObject({ reassignments: 1, groupChanges: 0 });
  });
});

describe('KPI formulas on the hand-built log', () => {
  it('MTTA = mean(30, 10, 5) = 15 over the 3 cohort tickets with a response', () => {
    expect(report.overall.mtta).toEqual({ mean: 15, median: 10, n: 3 });
  });
  it('MTTR calendar = mean(120, 3000, 5); business = mean(120, 1560, 5)', () => {
    expect(report.overall.mttr.mean).toBeCloseTo(3125 / 3, 6);
    expect(report.overall.mttrBusiness.mean).toBeCloseTo(1685 / 3, 6);
  });
  it('SLA response 3/4 (T6 undecided), resolution 2/4', () => {
    expect(report.overall.slaResponse).toEqual({ value: 0.75, num: 3, den: 4 });
    expect(report.overall.slaResolution).toEqual({ value: 0.5, num: 2, den: 4 });
  });
  it('FCR 2/3, reopen 1/3, AI-resolved 1/3, bot accuracy 1/2', () => {
    expect(report.overall.fcr).toMatchObject({ num: 2, den: 3 });
    expect(report.overall.reopen).toMatchObject({ num: 1, den: 3 });
    expect(report.overall.aiResolved).toMatchObject({ num: 1, den: 3 });
    expect(report.overall.botAccuracy).toMatchObject({ num: 1, den: 2 });
  });
  it('cohort is the 5 tickets created in the period; backlog counts the 2 open ones by age', () => {
    expect(report.overall.tickets).toBe(5);
    expect(report.overall.open).toBe(2);
    expect(report.backlogByAge).toEqual([
      { bucket: '<1d', count: 0 },
      { bucket: '1-3d', count: 1 },
      { bucket: '3-7d', count: 0 },
      { bucket: '7-30d', count: 0 },
      { bucket: '>30d', count: 1 },
    ]);
  });
  it('CSAT split into AI- and human-resolved', () => {
    expect(report.csat.all.mean).toBeCloseTo(11 / 3, 6);
    expect(report.csat.all.satisfied).toMatchObject({ num: 2, den: 3 });
    expect(report.csat.ai).toMatchObject({ mean: 4, n: 1 });
    expect(report.csat.human).toMatchObject({ mean: 3.5, n: 2 });
  });
  it('volume by channel, handoffs by reason, agent load, knowledge gaps', () => {
    expect(report.volumeByChannel).toEqual({ slack: 2, teams: 2, api: 1 });
    expect(report.handoffsByReason).toEqual({ 'no knowledge article answers the question': 1 });
    expect(report.agentLoad).toEqual([
      { agentId: AGENT, name: 'Grace', open: 1, resolved: 1 },
      { agentId: AGENT2, name: `#${AGENT2}`, open: 0, resolved: 1 },
    ]);
    expect(report.knowledgeGaps).toEqual([
      { category: 'access', intent: 'password_reset', count: 1, examples: ['INC0000002'] },
    ]);
  });
  it('verified deflection: 1 verified, 2 came back, 1 pending; rate = 1 / (1 + 5 tickets)', () => {
    expect(report.deflection).toMatchObject({ verified: 1, returned: 2, pending: 1, answered: 5 });
    expect(report.deflection?.acceptance).toMatchObject({ num: 4, den: 5 });
    expect(report.deflection?.rate).toMatchObject({ num: 1, den: 6 });
    // A shorter window lets the pending one through; a longer one still sees both returns.
    const d1 = deflection(answers, tickets, {
      since: PERIOD.since,
      until: NOW,
      now: NOW,
      windowDays: 1,
      ticketsOpened: 5,
    });
    expect(d1).toMatchObject({ verified: 2, pending: 0, returned: 2 });
  });
  it('slices by group use the current group', () => {
    const sd = report.byGroup.find((g) => g.key === 'sd');
    const net = report.byGroup.find((g) => g.key === 'net');
    expect(sd).toMatchObject({ tickets: 4, open: 1 });
    expect(net).toMatchObject({ tickets: 1, open: 1 });
    const only = buildKpiReport(
      { tickets, kbAnswers: answers },
      { now: NOW, period: PERIOD, sla: all24, group: 'net' },
    );
    expect(only.overall.tickets).toBe(1);
    expect(only.deflection).toBeNull();
  });
  it('trend by day: T1 on 03-02 resolved in 120 min with SLA met', () => {
    expect(report.trend.unit).toBe('day');
    expect(report.trend.points.find((p) => p.start === '2026-03-02')).toMatchObject({
      tickets: 1,
      mttrMinutes: 120,
      slaResolution: 1,
      deflected: 1,
    });
  });
  it('empty inputs give nulls, not NaN', () => {
    const r = buildKpiReport({ tickets: [], kbAnswers: [] }, { now: NOW, period: PERIOD, sla: all24 });
    expect(r.overall.mtta.mean).toBeNull();
    expect(r.overall.fcr.value).toBeNull();
    expect(JSON.stringify(r)).not.toContain('NaN');
    expect(mtta([]).n).toBe(0);
    expect(fcrRate([]).value).toBeNull();
    expect(reopenRate([]).value).toBeNull();
    expect(backlogByAge([]).every((b) => b.count === 0)).toBe(true);
  });
});

describe('periods, targets and renderings', () => {
  it('parses --since', () => {
    expect(parseSince('30d', NOW).since).toBe('2026-02-08T00:00:00.000Z');
    expect(parseSince('2w', NOW).since).toBe('2026-02-24T00:00:00.000Z');
    expect(parseSince('all', NOW).since).toBeNull();
    expect(parseSince('month', '2026-03-17T08:00:00.000Z').since).toBe('2026-03-01T00:00:00.000Z');
    expect(parseSince('2026-01-31', NOW).since).toBe('2026-01-31T00:00:00.000Z');
    expect(() => parseSince('yesterday', NOW)).toThrow(/--since must be a span like 30d/);
    expect(bucketStart('2026-03-05T10:00:00Z', 'week')).toBe('2026-03-02');
  });
  it('opens a breach per scope that misses its target on enough cases', () => {
    const targets = parseKpiTargets({
      minSample: 2,
      targets: [
        { kpi: 'slaResolution', min: 0.9, scopes: ['desk', 'group'] },
        { kpi: 'mtta', max: 60 },
      ],
    });
    const b = evaluateTargets(report, targets);
    expect(b.map((x) => x.key)).toEqual(['slaResolution:desk:all', 'slaResolution:group:sd']);
    expect(b[0]?.title).toContain('slaResolution 50.0% for the desk (target ≥ 90.0%, n=4)');
    expect(() => parseKpiTargets({ targets: [{ kpi: 'fcr' }] })).toThrow(/needs "min" or "max"/);
  });
  it('renders table, CSV and the manager summary', () => {
    const table = formatReportTable(report);
    expect(table).toContain('SLA response 75.0% (3/4)');
    const csv = formatReportCsv(report).split('\n');
    expect(csv[0]).toBe(
      'slice,key,tickets,open,mtta_min,mttr_min,mttr_business_min,sla_response,sla_resolution,fcr,reopen_rate,csat,ai_resolved,bot_accuracy',
    );
    expect(csv[1]).toMatch(/^overall,all,5,2,15,/);
    const summary = buildKpiSummary(
      report,
      evaluateTargets(
        report,
        parseKpiTargets({ minSample: 2, targets: [{ kpi: 'slaResolution', min: 0.9 }] }),
      ),
    );
    expect(summary).toContain('SLA: response 75.0%, resolution 50.0%');
    expect(summary).toContain('To fix (2 targets missed)');
    expect(summary.split('\n').length).toBeLessThanOrEqual(12);
  });
});

describe('SLA verdicts in the KPIs follow the group calendar', () => {
  const nineToFive: [string, string][] = [['09:00', '17:00']];
  const allDay: [string, string][] = [['00:00', '23:59']];
  const office: SlaConfig = {
    warnAt: 0.75,
    calendars: {
      office: {
        timeZone: 'UTC',
        weekly: {
          mon: nineToFive,
          tue: nineToFive,
          wed: nineToFive,
          thu: nineToFive,
          fri: nineToFive,
          sat: [],
          sun: [],
        },
        holidays: [],
      },
      allweek: {
        timeZone: 'UTC',
        weekly: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay },
        holidays: [],
      },
    },
    policies: { ...all24.policies, P3: { respondMinutes: 240, resolveMinutes: 1440, calendar: 'office' } },
    categories: {},
  };
  // Opened on Saturday 10:00, first response 6 hours later.
  const weekend = (groupCalendar: string | null) =>
    ticket(40, {
      groupCalendar,
      events: log(
        ['created', '03-07T10:00', { actorId: REQ, to: 'new', data: { priority: 'P3' } }],
        ['assigned', '03-07T16:00', { actorId: AGENT, to: String(AGENT) }],
        ['state_changed', '03-07T16:00', { actorId: AGENT, from: 'new', to: 'in_progress' }],
      ),
    });

  it('counts office hours for a group without its own calendar, the group’s hours for one with', () => {
    const global = ticketFacts(weekend(null), { sla: office, now: NOW, period: PERIOD });
    const ownHours = ticketFacts(weekend('allweek'), { sla: office, now: NOW, period: PERIOD });
    expect(global.responseSlaMet).toBe(true); // no office minutes passed over the weekend
    expect(ownHours.responseSlaMet).toBe(false); // six of the group's hours passed
  });
});
