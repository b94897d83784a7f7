import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors.js';
import { voteOutcome } from '../../../src/itsm/approvals.js';
import {
  impactedBy,
  myAssetTypes,
  parseAssetCsv,
  parseCsv,
  pickOwnedAsset,
  warrantyStatus,
} from '../../../src/itsm/assets.js';
import { parseItilConfig } from '../../../src/itsm/practices-config.js';
import { defaultKeywords, findClusters, knownErrorScore } from '../../../src/itsm/problems.js';
import { blackoutClash, riskScore } from '../../../src/itsm/risk.js';
import { computeSla, DEFAULT_SLA_CONFIG, parseSlaConfig, slaConfigForGroup } from '../../../src/itsm/sla.js';
import { dueNotices } from '../../../src/itsm/sla-sweep.js';
import type { Asset, TicketEvent } from '../../../src/itsm/types.js';

describe('CAB and approval vote policies', () => {
  it.each([
    ['any', 3, 1, 0, 'approved'],
    ['any', 3, 0, 2, 'pending'],
    ['any', 3, 0, 3, 'rejected'],
    ['all', 3, 2, 0, 'pending'],
    ['all', 3, 3, 0, 'approved'],
    ['all', 3, 2, 1, 'rejected'],
    ['majority', 3, 2, 0, 'approved'],
    ['majority', 3, 1, 1, 'pending'],
    ['majority', 3, 1, 2, 'rejected'],
    ['majority', 4, 2, 0, 'pending'],
    ['majority', 4, 2, 2, 'rejected'],
    ['majority', 4, 3, 1, 'approved'],
    ['any', 0, 0, 0, 'pending'],
  ] as const)('%s of %i with %i yes / %i no → %s', (policy, total, yes, no, expected) => {
    expect(voteOutcome(policy, total, yes, no)).toBe(expected);
  });
});

describe('change risk', () => {
  it('explains every contribution and levels the score', () => {
    const low = riskScore({
      type: 'standard',
      impact: 'low',
      urgency: 'low',
      assets: [{ tag: 'W', criticality: 'low' }],
      collisions: [],
    });
    expect([low.score, low.level]).toEqual([7, 'low']);
    const high = riskScore({
      type: 'emergency',
      impact: 'high',
      urgency: 'high',
      assets: [
        { tag: 'VPN', criticality: 'critical' },
        { tag: 'FW', criticality: 'high' },
      ],
      collisions: [{ number: 'CHG0000002', sharedAssets: ['VPN'] }],
    });
    expect(high.level).toBe('high');
    expect(high.score).toBe(100);
    expect(high.reasons.join('\n')).toMatch(
      /impact high \(\+30\)[\s\S]*VPN is critical \(\+30\)[\s\S]*2 assets[\s\S]*CHG0000002, sharing VPN \(\+20\)[\s\S]*emergency/,
    );
  });

  it('counts collisions without shared assets for less', () => {
    const base = {
      type: 'normal' as const,
      impact: 'medium' as const,
      urgency: 'medium' as const,
      assets: [],
    };
    const a = riskScore({ ...base, collisions: [{ number: 'CHG1', sharedAssets: [] }] });
    const b = riskScore({ ...base, collisions: [{ number: 'CHG1', sharedAssets: ['X'] }] });
    expect(b.score - a.score).toBe(10);
  });

  it('refuses blackout windows unless the type is allowed', () => {
    const bo = [
      {
        name: 'freeze',
        start: '2026-12-20T00:00:00Z',
        end: '2027-01-03T00:00:00Z',
        reason: '',
        allow: ['emergency' as const],
      },
    ];
    expect(blackoutClash('2026-12-19T22:00:00Z', '2026-12-20T01:00:00Z', 'normal', bo)?.name).toBe('freeze');
    expect(blackoutClash('2026-12-19T22:00:00Z', '2026-12-20T00:00:00Z', 'normal', bo)).toBeNull(); // ends as it starts
    expect(blackoutClash('2026-12-24T22:00:00Z', '2026-12-24T23:00:00Z', 'emergency', bo)).toBeNull();
  });
});

describe('problem rules', () => {
  const at = (m: number) => new Date(Date.parse('2026-03-02T10:00:00Z') + m * 60_000).toISOString();
  it('clusters similar reports inside the window only', () => {
    const items = [
      { id: 1, text: 'VPN disconnects every hour', createdAt: at(0) },
      { id: 2, text: 'vpn keeps disconnecting', createdAt: at(5) },
      { id: 3, text: 'Printer out of toner', createdAt: at(6) },
      { id: 4, text: 'VPN disconnects again', createdAt: at(10) },
      { id: 5, text: 'VPN disconnects', createdAt: at(90) },
    ];
    expect(findClusters(items, { minSize: 3, windowMinutes: 30, similarity: 0.2 })).toEqual([[1, 2, 4]]);
    expect(findClusters(items, { minSize: 4, windowMinutes: 30, similarity: 0.2 })).toEqual([]);
  });

  it('matches known errors by keyword share', () => {
    expect(knownErrorScore(['vpn', 'disconnect'], 'My VPN disconnects all the time')).toBe(1);
    expect(knownErrorScore(['vpn', 'disconnect'], 'VPN is slow')).toBe(0.5);
    expect(knownErrorScore([], 'anything')).toBe(0);
    expect(defaultKeywords('Outlook crashes when opening calendar')).toEqual([
      'outlook',
      'crash',
      'open',
      'calendar',
    ]);
  });
});

describe('assets rules', () => {
  const asset = (id: number, type: string, status: Asset['status']): Asset => ({
    id,
    tag: `A-${id}`,
    type,
    name: type,
    ownerId: 1,
    status,
    location: null,
    warrantyEnd: null,
    criticality: 'medium',
  });

  it('understands "my laptop" and friends, not other people\'s devices', () => {
    expect(myAssetTypes('my laptop is broken')).toEqual(['laptop']);
    expect(myAssetTypes('My new work MacBook will not charge')).toEqual(['laptop']);
    expect(myAssetTypes('my computer is slow')).toEqual(['laptop', 'desktop']);
    expect(myAssetTypes('my second monitor flickers')).toEqual(['monitor']);
    expect(myAssetTypes('the printer on floor 3 is jammed')).toBeNull();
    expect(myAssetTypes('my phone lost its email')).toEqual(['phone', 'mobile']);
  });

  it('picks the in-use asset over stock and never a retired one', () => {
    expect(
      pickOwnedAsset(
        [asset(1, 'laptop', 'retired'), asset(2, 'laptop', 'in_stock'), asset(3, 'laptop', 'in_use')],
        ['laptop'],
      )?.id,
    ).toBe(3);
    expect(pickOwnedAsset([asset(1, 'laptop', 'retired')], ['laptop'])).toBeNull();
    expect(pickOwnedAsset([asset(4, 'desktop', 'in_use')], ['laptop', 'desktop'])?.id).toBe(4);
  });

  it('states the warranty', () => {
    expect(warrantyStatus({ tag: 'L', warrantyEnd: '2026-01-01' }, '2026-03-02T10:00:00Z').state).toBe(
      'expired',
    );
    expect(warrantyStatus({ tag: 'L', warrantyEnd: '2026-03-20' }, '2026-03-02T10:00:00Z')).toEqual({
      state: 'expiring',
      text: 'L: in warranty until 2026-03-20 (18 days left)',
    });
    expect(warrantyStatus({ tag: 'L', warrantyEnd: '2028-01-01' }, '2026-03-02T10:00:00Z').state).toBe(
      'in_warranty',
    );
    expect(warrantyStatus({ tag: 'L', warrantyEnd: null }, '2026-03-02T10:00:00Z').state).toBe('unknown');
  });

  it('walks impact transitively and survives cycles', () => {
    const rel = [
      { fromId: 2, toId: 1, type: 'runs_on' as const },
      { fromId: 3, toId: 2, type: 'depends_on' as const },
      { fromId: 1, toId: 3, type: 'depends_on' as const },
      { fromId: 4, toId: 9, type: 'runs_on' as const },
    ];
    expect(impactedBy(1, rel)).toEqual([2, 3]);
    expect(impactedBy(9, rel)).toEqual([4]);
  });

  it('parses RFC 4180 CSV and names line and column on errors', () => {
    expect(parseCsv('a,b\r\n"x, ""y""",2\n"multi\nline",3\n')).toEqual([
      ['a', 'b'],
      ['x, "y"', '2'],
      ['multi\nline', '3'],
    ]);
    const rows = parseAssetCsv(
      'Tag,Type,Name,Warranty End,Runs On\nL-1,Laptop,T14,2027-01-01,S-1;S-2\n',
      'a.csv',
    );
    expect(rows[0]).toMatchObject({
      tag: 'L-1',
      type: 'laptop',
      warranty_end: '2027-01-01',
      runs_on: ['S-1', 'S-2'],
      status: 'in_use',
      criticality: 'medium',
    });
    const err = (() => {
      try {
        parseAssetCsv('tag,type,name,warranty_end\nL-1,laptop,x,31/12/2027', 'a.csv');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(isAppError(err) && err.message).toBe(
      'a.csv: line 2: warranty_end: must be a date yyyy-mm-dd or empty',
    );
    expect(() => parseAssetCsv('type,name\nlaptop,x', 'a.csv')).toThrow(
      /line 1: the header has no "tag" column/,
    );
    expect(() => parseAssetCsv('tag,type,name\nA,laptop,x\nA,laptop,y', 'a.csv')).toThrow(
      /line 3: tag: "A" already appears on line 2/,
    );
  });
});

describe('itil.json', () => {
  it('has defaults for everything and names the bad field', () => {
    const cfg = parseItilConfig({});
    expect(cfg.sla.sweepSeconds).toBe(60);
    expect(cfg.changes.cab.policy).toBe('majority');
    expect(() =>
      parseItilConfig(
        {
          changes: { blackouts: [{ name: 'x', start: '2026-01-02T00:00:00Z', end: '2026-01-01T00:00:00Z' }] },
        },
        'itil.json',
      ),
    ).toThrow(/itil\.json: changes\.blackouts\.0\.end: end must be after start/);
    expect(() => parseItilConfig({ changes: { cab: { policy: 'most' } } }, 'itil.json')).toThrow(
      /changes\.cab\.policy/,
    );
    expect(() => parseItilConfig({ slaa: {} }, 'itil.json')).toThrow(/slaa/);
  });

  it("takes a board channel in the triage channels' shape and refuses an empty or misspelt one", () => {
    expect(parseItilConfig({}).changes.cab.channel).toBeUndefined();
    const teams = { teamId: '19:t@thread.tacv2', channelId: '19:cab@thread.tacv2' };
    const cfg = parseItilConfig({
      changes: { cab: { channel: { slack: { channelId: 'C0CAB' } } }, emergencyCab: { channel: { teams } } },
    });
    expect(cfg.changes.cab.channel).toEqual({ slack: { channelId: 'C0CAB' } });
    expect(cfg.changes.emergencyCab.channel).toEqual({ teams });
    expect(() => parseItilConfig({ changes: { cab: { channel: {} } } }, 'itil.json')).toThrow(
      /itil\.json: changes\.cab\.channel: name a slack channel/,
    );
    expect(() =>
      parseItilConfig({ changes: { cab: { channel: { slak: { channelId: 'C0CAB' } } } } }, 'itil.json'),
    ).toThrow(/slak/);
  });
});

describe('SLA notices', () => {
  const created = '2026-03-02T10:00:00.000Z'; // Monday, business hours (UTC 09-17)
  const ev = (
    seq: number,
    at: string,
    type: TicketEvent['type'],
    from: string | null,
    to: string | null,
    data: Record<string, unknown> = {},
  ): TicketEvent => ({ ticketId: 1, seq, at, actorId: 1, type, from, to, reason: null, data });
  const sla = (events: TicketEvent[], now: string, priority: 'P1' | 'P2' | 'P3' = 'P3') =>
    computeSla({ createdAt: created, events, priority, config: DEFAULT_SLA_CONFIG, now });

  it('warns at 75 % and breaches once per clock; keys are stable', () => {
    const events = [ev(1, created, 'created', null, 'new', { priority: 'P3' })];
    expect(dueNotices({ id: 1 }, sla(events, '2026-03-02T12:00:00Z'))).toEqual([]);
    const warn = dueNotices({ id: 1 }, sla(events, '2026-03-02T13:00:00Z')); // 180 of 240 response minutes
    expect(warn.map((n) => n.key)).toEqual(['sla:1:response:warning:P3']);
    const breach = dueNotices({ id: 1 }, sla(events, '2026-03-03T10:00:00Z'));
    expect(breach.map((n) => n.key)).toEqual(['sla:1:response:breach']);
    expect(breach[0]?.dueAt).toBe('2026-03-02T14:00:00.000Z');
  });

  it('does not count a night or a weekend: Friday afternoon P3 is due Monday', () => {
    const fri = '2026-03-06T15:00:00.000Z';
    const s = computeSla({
      createdAt: fri,
      events: [ev(1, fri, 'created', null, 'new', { priority: 'P3' })],
      priority: 'P3',
      config: DEFAULT_SLA_CONFIG,
      now: '2026-03-08T12:00:00Z',
    });
    expect(dueNotices({ id: 2 }, s)).toEqual([]);
    expect(s.response.dueAt).toBe('2026-03-09T11:00:00.000Z');
  });

  it('raising the priority re-targets without losing elapsed time and warns under the new key', () => {
    const events = [
      ev(1, created, 'created', null, 'new', { priority: 'P3' }),
      ev(2, '2026-03-02T10:10:00Z', 'state_changed', 'new', 'in_progress'),
      ev(3, '2026-03-02T10:20:00Z', 'state_changed', 'in_progress', 'pending', {
        pendingReason: 'requester',
      }),
      ev(4, '2026-03-02T15:00:00Z', 'state_changed', 'pending', 'in_progress'),
      ev(5, '2026-03-02T15:05:00Z', 'priority_changed', 'P3', 'P1'),
    ];
    const s = sla(events, '2026-03-02T18:00:00Z', 'P1'); // P1 24×7: 20 + 5 + (15:05→18:00 = 175) = 200 of 240
    expect(s.resolution.pausedMinutes).toBeGreaterThan(0);
    expect(dueNotices({ id: 3 }, s).map((n) => n.key)).toEqual(['sla:3:resolution:warning:P1']);
  });

  it('says nothing about a response that was late but is given (the sweeper only scans open tickets)', () => {
    const late = [
      ev(1, created, 'created', null, 'new', { priority: 'P1' }),
      ev(2, '2026-03-02T10:30:00Z', 'state_changed', 'new', 'in_progress'),
    ];
    const s = sla(late, '2026-03-02T10:40:00Z', 'P1');
    expect(s.response.breached).toBe(true);
    expect(dueNotices({ id: 5 }, s)).toEqual([]);
  });
});

describe('group calendars', () => {
  const day: Array<[string, string]> = [['08:00', '16:00']];
  const cfg = parseSlaConfig({
    policies: DEFAULT_SLA_CONFIG.policies,
    calendars: {
      business: DEFAULT_SLA_CONFIG.calendars.business,
      berlin: {
        timeZone: 'Europe/Berlin',
        weekly: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: [], sun: [] },
        holidays: ['2026-04-03'],
      },
    },
  });

  it('moves business-hours policies to the group calendar and keeps 24x7', () => {
    const g = slaConfigForGroup(cfg, 'berlin');
    expect([g.policies.P1.calendar, g.policies.P2.calendar, g.policies.P4.calendar]).toEqual([
      '24x7',
      'berlin',
      'berlin',
    ]);
    expect(slaConfigForGroup(cfg, 'nowhere')).toBe(cfg);
    expect(slaConfigForGroup(cfg, null)).toBe(cfg);
  });

  it('counts Berlin hours across the spring DST change and skips its holiday', () => {
    const g = slaConfigForGroup(cfg, 'berlin');
    // Thu 2 Apr 2026 15:00 Berlin (13:00 UTC), P3 responds in 240 business minutes: 1 h Thursday,
    // Good Friday is a holiday, the weekend is closed, so 3 h on Monday 6 Apr from 08:00 CEST (06:00 UTC).
    const created = '2026-04-02T13:00:00.000Z';
    const s = computeSla({ createdAt: created, events: [], priority: 'P3', config: g, now: created });
    expect(s.response.dueAt).toBe('2026-04-06T09:00:00.000Z');
    // Fri 27 Mar 15:00 CET (14:00 UTC): 1 h Friday, DST starts Sunday 29 Mar, Monday 08:00 CEST = 06:00 UTC.
    const before = '2026-03-27T14:00:00.000Z';
    expect(
      computeSla({ createdAt: before, events: [], priority: 'P3', config: g, now: before }).response.dueAt,
    ).toBe('2026-03-30T09:00:00.000Z');
  });
});
