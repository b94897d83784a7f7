import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors.js';
import {
  type AgentCandidate,
  chooseAgent,
  loadRulesConfig,
  parseRulesConfig,
  type RulesConfig,
  routeToGroup,
} from '../../../src/itsm/dispatch.js';

describe('routeToGroup with the shipped data/rules.json', async () => {
  const rules = await loadRulesConfig(join(process.cwd(), 'data/rules.json'));

  it.each([
    ['VPN keeps dropping', 'infra', 'keyword "vpn"'],
    ['Is this email phishing?', 'infra', 'keyword "phishing"'],
    ['No wifi on floor 3', 'infra', 'keyword "wifi"'],
    ['The printers on 2nd floor are jammed', 'workplace', 'keyword "printer"'],
    ['My laptop will not boot', 'workplace', 'keyword "laptop"'],
    ['Second monitor flickers', 'workplace', 'keyword "monitor"'],
    ['How do I change my password?', 'service-desk', 'default group'],
  ])('%j → %s', (title, group, why) => {
    const d = routeToGroup({ kind: 'incident', title }, rules);
    expect(d.group).toBe(group);
    expect(d.reason).toContain(why);
  });

  it('category beats keywords when its rule comes first', () => {
    const d = routeToGroup({ category: 'Security', title: 'my laptop was stolen' }, rules);
    expect(d).toMatchObject({ group: 'infra', ruleIndex: 0 });
    expect(d.reason).toContain('category "security"');
  });

  it('matches whole words only', () => {
    expect(routeToGroup({ title: 'vpnx client', description: 'the blueprint is fine' }, rules).group).toBe(
      'service-desk',
    );
  });

  it('searches description and extra text too', () => {
    expect(routeToGroup({ title: 'Help', description: 'cannot reach the internet' }, rules).group).toBe(
      'infra',
    );
    expect(routeToGroup({ title: 'Help', text: 'my docking station is dead' }, rules).group).toBe(
      'workplace',
    );
  });
});

describe('routeToGroup: conditions combine with AND', () => {
  const rules: RulesConfig = {
    defaultGroup: 'service-desk',
    rules: [
      {
        name: 'access requests',
        match: { kind: ['service_request'], keywords: ['access'] },
        group: 'identity',
      },
    ],
  };
  it('needs both kind and keyword', () => {
    expect(routeToGroup({ kind: 'service_request', title: 'Access to Jira' }, rules)).toMatchObject({
      group: 'identity',
      reason: 'rule "access requests" matched kind service_request and keyword "access" → identity',
    });
    expect(routeToGroup({ kind: 'incident', title: 'Access to Jira' }, rules)).toMatchObject({
      group: 'service-desk',
      ruleIndex: null,
    });
  });
  it('multi-word keywords tolerate spacing', () => {
    const r = parseRulesConfig({
      defaultGroup: 'a',
      rules: [{ match: { keywords: ['docking station'] }, group: 'b' }],
    });
    expect(routeToGroup({ title: 'Docking   stations broken' }, r).group).toBe('b');
  });
});

describe('rules schema', () => {
  it('names file and field', () => {
    try {
      parseRulesConfig(
        { defaultGroup: 'Service Desk', rules: [{ match: {}, group: 'infra' }] },
        'data/rules.json',
      );
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('data_invalid');
      const msg = (e as Error).message;
      expect(msg).toContain('data/rules.json: defaultGroup: expected a lowercase slug');
      expect(msg).toContain('rules.0.match: a rule needs at least one of category, keywords, kind');
    }
  });
});

describe('chooseAgent', () => {
  const base: AgentCandidate[] = [
    { userId: 3, openCount: 2, away: false, lastAssignedAt: '2026-11-24T09:00:00Z' },
    { userId: 1, openCount: 1, away: false, lastAssignedAt: '2026-11-24T08:00:00Z' },
    { userId: 2, openCount: 1, away: false, lastAssignedAt: '2026-11-24T07:00:00Z' },
  ];

  it('least_load picks the fewest open tickets, ties by least recently assigned', () => {
    const c = chooseAgent(base, { strategy: 'least_load' });
    expect(c.userId).toBe(2);
    expect(c.reason).toContain('least open tickets (1)');
    expect(c.reason).toContain('tie with 1 other(s) broken by rotation');
  });

  it('ties on time fall back to the lowest id, and never-assigned comes first', () => {
    const same = base.map((a) => ({ ...a, openCount: 0, lastAssignedAt: '2026-11-24T08:00:00Z' }));
    expect(chooseAgent(same, { strategy: 'least_load' }).userId).toBe(1);
    const fresh = [...same, { userId: 9, openCount: 0, away: false, lastAssignedAt: null }];
    expect(chooseAgent(fresh, { strategy: 'least_load' }).userId).toBe(9);
  });

  it('skips away agents and agents at capacity, and says so', () => {
    const c = chooseAgent(
      [
        { userId: 1, openCount: 0, away: true },
        { userId: 2, openCount: 5, away: false, capacity: 5 },
        { userId: 3, openCount: 7, away: false, capacity: 10 },
      ],
      { strategy: 'least_load' },
    );
    expect(c.userId).toBe(3);
    expect(c.reason).toContain('skipped: 1 away, 2 at capacity 5/5');
  });

  it('round_robin ignores load', () => {
    const c = chooseAgent(base, { strategy: 'round_robin' });
    expect(c.userId).toBe(2);
    const c2 = chooseAgent(
      base.map((a) => (a.userId === 2 ? { ...a, openCount: 50 } : a)),
      { strategy: 'round_robin' },
    );
    expect(c2.userId).toBe(2);
    expect(c2.reason).toContain('next in rotation');
  });

  it('skills requires all skills, case-insensitively, then least load', () => {
    const agents: AgentCandidate[] = [
      { userId: 1, openCount: 0, away: false, skills: ['windows'] },
      { userId: 2, openCount: 4, away: false, skills: ['Network', 'VPN'] },
      { userId: 3, openCount: 2, away: false, skills: ['network', 'vpn', 'linux'] },
    ];
    const c = chooseAgent(agents, { strategy: 'skills', requiredSkills: ['network', 'VPN'] });
    expect(c.userId).toBe(3);
    expect(c.reason).toContain('with skills network, vpn');
    expect(chooseAgent(agents, { strategy: 'skills', requiredSkills: ['mainframe'] })).toEqual({
      userId: null,
      reason: 'no available agent has the skills mainframe',
    });
  });

  it('returns null with a reason when nobody is available', () => {
    expect(chooseAgent([], { strategy: 'least_load' })).toEqual({
      userId: null,
      reason: 'the group has no agents',
    });
    const c = chooseAgent([{ userId: 'U1', openCount: 0, away: true }], { strategy: 'round_robin' });
    expect(c.userId).toBeNull();
    expect(c.reason).toContain('all are away or at capacity (skipped: U1 away)');
  });
});
