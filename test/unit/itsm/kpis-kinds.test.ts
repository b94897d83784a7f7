/**
 * Issue 18 item 11: incidents and requests are the tickets; problems and changes get their own figures;
 * "resolved by AI" comes from who acted in the events, not from who the requester is.
 */
import { describe, expect, it } from 'vitest';
import { formatReportTable } from '../../../src/itsm/kpis/format.js';
import { buildKpiReport } from '../../../src/itsm/kpis/report.js';
import type { KpiTicket } from '../../../src/itsm/kpis/types.js';
import { DEFAULT_SLA_CONFIG } from '../../../src/itsm/sla.js';
import type { TicketEvent, TicketEventType } from '../../../src/itsm/types.js';

const NOW = '2026-03-10T00:00:00.000Z';
const PERIOD = { since: '2026-03-01T00:00:00.000Z', until: NOW };
const EMPLOYEE = 100;
const AGENT = 10;

type E = Partial<Omit<TicketEvent, 'type' | 'at'>>;
const log = (...evs: [TicketEventType, string, E?][]): TicketEvent[] =>
  evs.map(([type, at, e], i) => ({
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

const ticket = (
  n: number,
  kind: string,
  requesterId: number,
  state: string,
  events: TicketEvent[],
): KpiTicket => ({
  id: n,
  number: `${kind === 'problem' ? 'PRB' : kind === 'change' ? 'CHG' : kind === 'request' ? 'REQ' : 'INC'}${String(n).padStart(7, '0')}`,
  title: `t${n}`,
  kind,
  state,
  priority: 'P3',
  category: null,
  group: 'service-desk',
  channel: 'slack',
  requesterId,
  assigneeId: null,
  createdAt: events[0]?.at ?? NOW,
  resolvedAt: null,
  closedAt: null,
  events,
});

const selfResolved = (n: number, kind: string) =>
  ticket(
    n,
    kind,
    EMPLOYEE,
    'resolved',
    log(
      ['created', '03-02T09:00', { actorId: EMPLOYEE, to: 'new', data: { intent: 'how_to' } }],
      ['state_changed', '03-02T09:05', { actorId: EMPLOYEE, from: 'new', to: 'resolved' }],
    ),
  );
// An agent opens a problem over REST (so is its requester) and resolves it: work by the desk.
const problem = ticket(
  3,
  'problem',
  AGENT,
  'resolved',
  log(
    ['created', '03-03T09:00', { actorId: AGENT, to: 'new' }],
    ['state_changed', '03-03T12:00', { actorId: AGENT, from: 'new', to: 'resolved' }],
  ),
);
// An agent's own incident, resolved by themself: not AI either (staff acted), whatever the requester.
const agentsOwn = ticket(
  4,
  'incident',
  AGENT,
  'resolved',
  log(
    ['created', '03-04T09:00', { actorId: AGENT, to: 'new' }],
    ['state_changed', '03-04T09:30', { actorId: AGENT, from: 'new', to: 'resolved' }],
  ),
);
const changes = [5, 6, 7].map((n) =>
  ticket(
    n,
    'change',
    AGENT,
    n === 5 ? 'closed' : 'new',
    log(
      ['created', '03-05T09:00', { actorId: AGENT, to: 'new' }],
      ...(n === 5
        ? ([['state_changed', '03-05T11:00', { actorId: AGENT, from: 'new', to: 'closed' }]] as [
            TicketEventType,
            string,
            E,
          ][])
        : []),
    ),
  ),
);

describe('KPIs by kind (issue 18 item 11)', () => {
  const report = buildKpiReport(
    {
      tickets: [selfResolved(1, 'incident'), selfResolved(2, 'request'), problem, agentsOwn, ...changes],
      kbAnswers: [],
      agentNames: new Map([[AGENT, 'Judy']]),
    },
    { now: NOW, period: PERIOD, sla: DEFAULT_SLA_CONFIG },
  );

  it('counts only incidents and requests as tickets', () => {
    expect(report.overall.tickets).toBe(3);
    expect(report.byGroup.map((g) => g.tickets)).toEqual([3]);
  });

  it('gives problems and changes figures of their own', () => {
    expect(report.problems).toMatchObject({ opened: 1, open: 0, resolved: 1, meanResolveMinutes: 180 });
    expect(report.changes).toMatchObject({ opened: 3, open: 2, resolved: 1, meanResolveMinutes: 120 });
    expect(formatReportTable(report)).toMatch(/problems: 1 opened · 0 open now · 1 resolved/);
    expect(formatReportTable(report)).toMatch(/changes: 3 opened · 2 open now · 1 completed/);
  });

  it('attributes AI resolution from the events: the staff requester resolving is human work', () => {
    // 2 of the 3 resolved tickets were resolved by the employee the bot was helping.
    expect(report.overall.aiResolved).toMatchObject({ num: 2, den: 3 });
  });
});
