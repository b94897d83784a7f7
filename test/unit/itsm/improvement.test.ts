/** Issue 18 item 12: the register's rules (states, who may, owners told) and its evaluation schedule. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { createImprovementService, evaluationSchedule } from '../../../src/itsm/improvement.js';
import type { ImprovementStore } from '../../../src/itsm/ports.js';
import type { Improvement, Person } from '../../../src/itsm/types.js';

const person = (id: number, role: Person['role']): Person =>
  ({ id, email: `p${id}@example.com`, displayName: `P${id}`, role, active: true }) as Person;
const manager = person(1, 'manager');
const owner = person(2, 'agent');
const other = person(3, 'agent');

function memoryStore(items: Improvement[]): ImprovementStore & { events: unknown[] } {
  const events: unknown[] = [];
  return {
    events,
    async improvementItems(f = {}) {
      return items.filter((i) => !f.status || i.status === f.status);
    },
    async improvementItem(id) {
      return items.find((i) => i.id === id) ?? null;
    },
    async updateImprovement(id, expect, change, event) {
      const i = items.find((x) => x.id === id);
      if (!i || i.status !== expect) return false;
      Object.assign(
        i,
        change.status ? { status: change.status } : {},
        change.ownerId !== undefined ? { ownerId: change.ownerId } : {},
      );
      events.push(event);
      return true;
    },
    async recordBreaches() {
      return { opened: 0, updated: 0 };
    },
  };
}

const item = (): Improvement => ({
  id: 7,
  key: 'k',
  kpi: 'fcr',
  scopeKind: 'desk',
  scope: 'all',
  title: 'FCR below target',
  status: 'open',
  ownerId: owner.id,
  evidence: {},
  links: {},
  openedAt: 'x',
  updatedAt: 'x',
  closedAt: null,
});

describe('improvement register rules', () => {
  const setup = () => {
    const store = memoryStore([item()]);
    const told: Array<{ to: number; text: string }> = [];
    const svc = createImprovementService({
      store,
      kpis: { report: async () => ({}) as never, breaches: () => [] },
      personById: async (id) => [manager, owner, other].find((p) => p.id === id) ?? null,
      personByEmail: async (e) => [manager, owner, other].find((p) => p.email === e) ?? null,
      notify: async (to, text) => {
        told.push({ to, text });
        return true;
      },
    });
    return { store, told, svc };
  };
  const code = async (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e) => (e instanceof AppError ? e.code : 'other'),
    );

  it('the owner moves it; another agent may not; the owner hears when a manager moves it', async () => {
    const { svc, told, store } = setup();
    expect(await code(svc.move(7, 'in_progress', other, null, 'T1'))).toBe('forbidden');
    expect((await svc.move(7, 'in_progress', owner, 'on it', 'T1')).status).toBe('in_progress');
    expect(told).toEqual([]);
    expect((await svc.move(7, 'dismissed', manager, 'target changed', 'T2')).status).toBe('dismissed');
    expect(told).toEqual([
      {
        to: owner.id,
        text: expect.stringMatching(/moved your improvement #7 .* to dismissed: target changed/),
      },
    ]);
    expect(await code(svc.move(7, 'done', manager, null, 'T3'))).toBe('illegal_transition');
    expect((await svc.move(7, 'open', manager, null, 'T3')).status).toBe('open');
    expect(store.events).toHaveLength(3);
  });

  it('only managers hand items over, to active desk staff; the new owner is told', async () => {
    const { svc, told } = setup();
    expect(await code(svc.assign(7, other.email, owner, null, 'T1'))).toBe('forbidden');
    expect(await code(svc.assign(7, 'nobody@example.com', manager, null, 'T1'))).toBe('validation_failed');
    expect((await svc.assign(7, other.email, manager, null, 'T1')).ownerId).toBe(other.id);
    expect(told.map((t) => t.to)).toEqual([other.id]);
  });
});

describe('evaluation schedule', () => {
  it('runs on the first tick, then once per period; 0 turns it off', async () => {
    const runs: string[] = [];
    const tick = evaluationSchedule(24, async (at) => {
      runs.push(at);
    });
    for (const at of [
      '2026-03-01T00:00:00Z',
      '2026-03-01T12:00:00Z',
      '2026-03-02T00:00:00Z',
      '2026-03-02T06:00:00Z',
    ])
      await tick(at);
    expect(runs).toEqual(['2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z']);
    const off = evaluationSchedule(0, async () => {
      throw new Error('must not run');
    });
    expect(await off('2026-03-01T00:00:00Z')).toBe(false);
  });
});
