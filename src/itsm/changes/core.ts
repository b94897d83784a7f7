/**
 * What every change operation shares: reading a change, its window and blackouts, the risk assessment,
 * and moving its phase (the ticket state mirrors it).
 */
import { AppError } from '../../errors.js';
import { cmdbDependents } from '../change-risk.js';
import type { TicketPatch } from '../ports.js';
import { blackoutClash, type Risk, riskScore } from '../risk.js';
import { applyToTicket, mustTicket } from '../service-helpers.js';
import type {
  Asset,
  ChangePhase,
  ChangeRecord,
  ChangeType,
  Level,
  PendingReason,
  Person,
  Ticket,
  TicketState,
} from '../types.js';
import type { ChangeServiceDeps } from './types.js';

const STATE_OF: Record<ChangePhase, { state: TicketState; pendingReason: PendingReason | null }> = {
  draft: { state: 'new', pendingReason: null },
  cab: { state: 'pending', pendingReason: 'approval' },
  scheduled: { state: 'assigned', pendingReason: null },
  implementing: { state: 'in_progress', pendingReason: null },
  review: { state: 'resolved', pendingReason: null },
  closed: { state: 'closed', pendingReason: null },
  rejected: { state: 'cancelled', pendingReason: null },
  cancelled: { state: 'cancelled', pendingReason: null },
};

export function checkWindow(start: string, end: string): void {
  const s = Date.parse(start);
  const e = Date.parse(end);
  if (Number.isNaN(s))
    throw new AppError(
      'validation_failed',
      'plannedStart must be an ISO date-time like 2026-05-02T20:00:00Z.',
      { field: 'plannedStart' },
    );
  if (Number.isNaN(e))
    throw new AppError(
      'validation_failed',
      'plannedEnd must be an ISO date-time like 2026-05-02T22:00:00Z.',
      { field: 'plannedEnd' },
    );
  if (e <= s)
    throw new AppError('validation_failed', 'plannedEnd must be after plannedStart.', {
      field: 'plannedEnd',
    });
}

export function createChangeCore(deps: Pick<ChangeServiceDeps, 'tickets' | 'itil' | 'config'>) {
  const { tickets, itil, config } = deps;

  async function mustChange(number: string): Promise<{ ticket: Ticket; change: ChangeRecord }> {
    const ticket = await mustTicket(tickets, number, 'change');
    const change = await itil.change(ticket.id);
    if (!change)
      throw new AppError(
        'internal',
        `${ticket.number} has no change record; it was not created through the change service.`,
      );
    return { ticket, change };
  }

  function refuseBlackout(start: string, end: string, type: ChangeType): void {
    const b = blackoutClash(start, end, type, config.blackouts);
    if (b) {
      throw new AppError(
        'conflict',
        `The window ${start} – ${end} falls in the blackout "${b.name}" (${b.start} – ${b.end})${b.reason ? `: ${b.reason}` : ''}. Pick another window${b.allow.length > 0 ? ` (only ${b.allow.join('/')} changes are allowed then)` : ''}.`,
        { field: 'plannedStart', details: { blackout: b.name } },
      );
    }
  }

  async function assess(
    ticketId: number,
    type: ChangeType,
    impact: Level,
    urgency: Level,
    assets: Asset[],
    start: string | null,
    end: string | null,
  ): Promise<Risk> {
    const collisions: Array<{ number: string; sharedAssets: string[] }> = [];
    if (start && end) {
      const mine = new Set(assets.map((a) => a.tag));
      for (const other of await itil.changesOverlapping(start, end, ticketId)) {
        const [t] = await itil.ticketsByIds([other.ticketId]);
        if (!t) continue;
        const theirs = await itil.assetsOfTicket(other.ticketId);
        collisions.push({
          number: t.number,
          sharedAssets: theirs.filter((a) => mine.has(a.tag)).map((a) => a.tag),
        });
      }
    }
    const dependents =
      assets.length === 0
        ? []
        : cmdbDependents(assets, await itil.listAssets({ limit: 100_000 }), await itil.relations());
    return riskScore({
      type,
      impact,
      urgency,
      assets: assets.map((a) => ({ tag: a.tag, criticality: a.criticality })),
      collisions,
      dependents,
    });
  }

  async function move(
    ticket: Ticket,
    change: ChangeRecord,
    phase: ChangePhase,
    actor: Person | null,
    reason: string,
    now: string,
    extra: Partial<ChangeRecord> = {},
  ): Promise<{ ticket: Ticket; change: ChangeRecord }> {
    const next: ChangeRecord = { ...change, ...extra, phase, updatedAt: now };
    const target = STATE_OF[phase];
    const updated = await applyToTicket(
      tickets,
      ticket.id,
      (t) => {
        const patch: Omit<TicketPatch, 'updatedAt'> = {
          state: target.state,
          pendingReason: target.pendingReason,
        };
        if (target.state === 'resolved') patch.resolvedAt = now;
        if (target.state === 'closed' || target.state === 'cancelled') patch.closedAt = now;
        return {
          patch,
          events: [
            {
              at: now,
              actorId: actor?.id ?? null,
              type: 'field_changed',
              from: change.phase,
              to: phase,
              reason,
              data: { field: 'change_phase' },
            },
            ...(t.state === target.state
              ? []
              : [
                  {
                    at: now,
                    actorId: actor?.id ?? null,
                    type: 'state_changed' as const,
                    from: t.state,
                    to: target.state,
                    reason,
                    data: target.pendingReason ? { pendingReason: target.pendingReason } : {},
                  },
                ]),
          ],
        };
      },
      now,
    );
    await itil.saveChange(next);
    return { ticket: updated, change: next };
  }

  function expectPhase(ticket: Ticket, change: ChangeRecord, allowed: ChangePhase[], what: string): void {
    if (!allowed.includes(change.phase)) {
      throw new AppError(
        'illegal_transition',
        `Cannot ${what} ${ticket.number}: it is ${change.phase}; that needs it to be ${allowed.join(' or ')}.`,
        { details: { phase: change.phase, allowed } },
      );
    }
  }

  return { mustChange, refuseBlackout, assess, move, expectPhase };
}

export type ChangeCore = ReturnType<typeof createChangeCore>;
