/**
 * Issue 18 item 10: change risk follows the CMDB (a server a critical service depends on scores high),
 * standard changes come only from the catalogue, and a risk above the template's ceiling needs the CAB.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { cmdbDependents, standardNeedsCab, standardTemplate } from '../../../src/itsm/change-risk.js';
import { parseItilConfig } from '../../../src/itsm/practices-config.js';
import { riskScore } from '../../../src/itsm/risk.js';
import type { Asset, AssetRelation, ChangeRecord, Ticket } from '../../../src/itsm/types.js';

const asset = (id: number, tag: string, type: string, criticality: Asset['criticality']): Asset =>
  ({ id, tag, type, name: `${type} ${tag}`, criticality }) as Asset;
const server = asset(1, 'SRV-1', 'server', 'low');
const db = asset(2, 'DB-1', 'database', 'medium');
const payroll = asset(3, 'SV-PAY', 'service', 'critical');
const rel = (fromId: number, toId: number, type: AssetRelation['type']): AssetRelation => ({
  fromId,
  toId,
  type,
});
// payroll depends_on db, db runs_on server.
const relations = [rel(3, 2, 'depends_on'), rel(2, 1, 'runs_on')];

describe('change risk over the CMDB', () => {
  it('finds the critical service that transitively depends on the changed server', () => {
    expect(cmdbDependents([server], [server, db, payroll], relations)).toEqual([
      { tag: 'DB-1', name: 'database DB-1', criticality: 'medium', via: 'SRV-1' },
      { tag: 'SV-PAY', name: 'service SV-PAY', criticality: 'critical', via: 'SRV-1' },
    ]);
  });

  it('scores a medium change on that server high, where the server alone scored low', () => {
    const base = {
      type: 'normal' as const,
      impact: 'medium' as const,
      urgency: 'medium' as const,
      assets: [{ tag: 'SRV-1', criticality: 'low' as const }],
      collisions: [],
    };
    const alone = riskScore(base);
    expect([alone.score, alone.level]).toEqual([23, 'low']);
    const withCmdb = riskScore({
      ...base,
      dependents: cmdbDependents([server], [server, db, payroll], relations),
    });
    expect(withCmdb.level).toBe('high');
    expect(withCmdb.score).toBeGreaterThanOrEqual(60);
    expect(withCmdb.reasons.join('\n')).toMatch(/critical SV-PAY \(service SV-PAY\) depends on SRV-1/);
  });
});

describe('standard change catalogue', () => {
  const cfg = parseItilConfig({
    changes: { standardCatalogue: [{ id: 'os-patch', title: 'OS patches', riskCeiling: 40 }] },
  });
  const catalogue = cfg.changes.standardCatalogue;

  it('refuses a standard change without a template, or with one not in the catalogue', () => {
    const codeOf = (id: string | null) => {
      try {
        standardTemplate(catalogue, id);
        return 'ok';
      } catch (e) {
        return e instanceof AppError ? `${e.code}:${e.field}` : 'other';
      }
    };
    expect(codeOf(null)).toBe('validation_failed:template');
    expect(codeOf('db-upgrade')).toBe('validation_failed:template');
    expect(standardTemplate(catalogue, 'OS-Patch')).toMatchObject({
      impact: 'low',
      urgency: 'low',
      riskCeiling: 40,
    });
  });

  it('pre-approves within the ceiling; above it (or without a template) the CAB votes', () => {
    const t = { fields: { standardTemplate: 'os-patch' } } as unknown as Ticket;
    const c = (riskScore: number) => ({ riskScore }) as ChangeRecord;
    expect(standardNeedsCab(t, c(40), catalogue)).toBeNull();
    expect(standardNeedsCab(t, c(65), catalogue)).toMatch(/risk 65 is above the ceiling 40/);
    expect(standardNeedsCab({ fields: {} } as unknown as Ticket, c(5), catalogue)).toMatch(
      /without a catalogue template/,
    );
  });

  it('rejects a malformed catalogue entry with the field named', () => {
    expect(() => parseItilConfig({ changes: { standardCatalogue: [{ id: 'Bad Id', title: 'x' }] } })).toThrow(
      /standardCatalogue\.0\.id/,
    );
  });
});
