import { describe, expect, it } from 'vitest';
import { type AppError, isAppError } from '../../../src/errors.js';
import {
  allowedTargets,
  allowedTransitions,
  assertTransition,
  canReopen,
  checkTransition,
  isFinalState,
  isOpenState,
  reopenDeadline,
} from '../../../src/itsm/lifecycle.js';
import { TICKET_STATES, type TicketState } from '../../../src/itsm/types.js';

const now = '2026-11-24T10:00:00.000Z';

function errorOf(fn: () => void): AppError {
  try {
    fn();
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

describe('transition table', () => {
  it.each<[TicketState, TicketState[]]>([
    ['new', ['assigned', 'in_progress', 'resolved', 'cancelled']],
    ['assigned', ['in_progress', 'pending', 'resolved', 'cancelled']],
    ['in_progress', ['pending', 'resolved', 'assigned', 'cancelled']],
    ['pending', ['in_progress', 'resolved', 'cancelled']],
    ['resolved', ['in_progress', 'closed']],
    ['closed', []],
    ['cancelled', []],
  ])('%s → %j', (from, to) => {
    expect(allowedTargets(from)).toEqual(to);
  });

  it('allows every listed move and refuses every other', () => {
    for (const from of TICKET_STATES) {
      for (const to of TICKET_STATES) {
        const ok = checkTransition(from, to, { now, pendingReason: 'requester', resolvedAt: now }).ok;
        expect(ok, `${from} → ${to}`).toBe(allowedTargets(from).includes(to));
      }
    }
  });

  it('cancel is possible from every open state and from no other', () => {
    for (const s of TICKET_STATES) expect(allowedTargets(s).includes('cancelled')).toBe(isOpenState(s));
  });

  it('labels the reopen move', () => {
    expect(allowedTransitions('resolved')).toContainEqual({ to: 'in_progress', label: 'reopen' });
  });

  it('final states', () => {
    expect(isFinalState('closed')).toBe(true);
    expect(isFinalState('cancelled')).toBe(true);
    expect(isFinalState('resolved')).toBe(false);
  });
});

describe('assertTransition', () => {
  it('names the allowed moves in the message', () => {
    const e = errorOf(() => assertTransition('resolved', 'new', { now, ticketNumber: 'INC0000123' }));
    expect(e.code).toBe('illegal_transition');
    expect(e.message).toBe(
      'Cannot move INC0000123 from resolved to new. Allowed: in_progress (reopen), closed',
    );
    expect(e.details?.allowed).toEqual(['in_progress', 'closed']);
  });

  it('says a final state has no way out', () => {
    const e = errorOf(() => assertTransition('closed', 'in_progress', { now }));
    expect(e.code).toBe('illegal_transition');
    expect(e.message).toBe(
      'Cannot move the ticket from closed to in_progress. closed is final; nothing can follow it',
    );
  });

  it('refuses new → pending and names the alternatives', () => {
    const e = errorOf(() => assertTransition('new', 'pending', { now, pendingReason: 'requester' }));
    expect(e.message).toContain('Allowed: assigned, in_progress, resolved, cancelled');
  });

  it('pending needs a known reason', () => {
    const missing = errorOf(() => assertTransition('in_progress', 'pending', { now }));
    expect(missing.code).toBe('validation_failed');
    expect(missing.field).toBe('pendingReason');
    expect(missing.message).toContain('requester, vendor, change, approval');
    const bad = errorOf(() => assertTransition('assigned', 'pending', { now, pendingReason: 'lunch' }));
    expect(bad.message).toContain('(got "lunch")');
    expect(() => assertTransition('assigned', 'pending', { now, pendingReason: 'vendor' })).not.toThrow();
  });

  it('reopens inside the window (default 7 days, inclusive)', () => {
    const resolvedAt = '2026-11-17T10:00:00.000Z';
    expect(() => assertTransition('resolved', 'in_progress', { now, resolvedAt })).not.toThrow();
  });

  it('refuses a reopen outside the window and says what to do', () => {
    const resolvedAt = '2026-11-17T09:59:59.000Z';
    const e = errorOf(() =>
      assertTransition('resolved', 'in_progress', { now, resolvedAt, ticketNumber: 'REQ0000042' }),
    );
    expect(e.code).toBe('illegal_transition');
    expect(e.message).toContain('more than 7 days ago');
    expect(e.message).toContain('Open a new ticket');
    expect(e.message).toContain('Allowed: closed');
  });

  it('honours a custom reopen window', () => {
    const resolvedAt = '2026-11-20T10:00:00.000Z';
    expect(checkTransition('resolved', 'in_progress', { now, resolvedAt, reopenWindowDays: 3 }).ok).toBe(
      false,
    );
    expect(checkTransition('resolved', 'in_progress', { now, resolvedAt, reopenWindowDays: 4 }).ok).toBe(
      true,
    );
    expect(checkTransition('resolved', 'in_progress', { now, resolvedAt, reopenWindowDays: 2 }).ok).toBe(
      false,
    );
  });

  it('allows the shortcuts people take', () => {
    for (const [from, to] of [
      ['new', 'in_progress'],
      ['new', 'resolved'],
      ['assigned', 'pending'],
      ['in_progress', 'resolved'],
      ['pending', 'resolved'],
      ['pending', 'in_progress'],
    ] as const) {
      expect(() => assertTransition(from, to, { now, pendingReason: 'requester' })).not.toThrow();
    }
  });
});

describe('reopen window helpers', () => {
  it('reopenDeadline adds whole days', () => {
    expect(reopenDeadline('2026-11-17T10:00:00.000Z')).toBe('2026-11-24T10:00:00.000Z');
    expect(reopenDeadline('2026-11-17T10:00:00.000Z', 1)).toBe('2026-11-18T10:00:00.000Z');
  });
  it('canReopen', () => {
    expect(canReopen('2026-11-17T10:00:00.000Z', now)).toBe(true);
    expect(canReopen('2026-11-17T10:00:00.000Z', '2026-11-24T10:00:00.001Z')).toBe(false);
    expect(canReopen(new Date('2026-11-20T00:00:00Z'), new Date(now), 7)).toBe(true);
  });
});
