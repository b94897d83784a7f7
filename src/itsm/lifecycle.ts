/**
 * Incident and service-request state machine (DESIGN §4):
 *
 *   new → assigned → in_progress ⇄ pending(reason) → resolved → closed
 *
 * plus the shortcuts people really take: new → in_progress (an agent picks it up directly),
 * new/assigned/in_progress/pending → resolved (fixed at once), assigned → pending,
 * in_progress → assigned (handed to another agent or tier), resolved → in_progress (reopen, only within
 * the reopen window) and cancelled from any open state. closed and cancelled are final.
 *
 * Problems and changes have their own flows (another module); this one is for incidents and requests.
 */
import { AppError } from '../errors.js';
import { OPEN_STATES, PENDING_REASONS, type PendingReason, type TicketState } from './types.js';

/** Default number of days after resolution during which a requester may reopen instead of filing anew. */
const DEFAULT_REOPEN_WINDOW_DAYS = 7;

/** A permitted move and the word an agent or requester knows it by. */
interface TransitionInfo {
  to: TicketState;
  /** Human name of the move ("reopen", "cancel"…), shown next to the state in error messages. */
  label: string;
}

const TRANSITIONS: Record<TicketState, readonly TransitionInfo[]> = {
  new: [
    { to: 'assigned', label: 'assign' },
    { to: 'in_progress', label: 'start' },
    { to: 'resolved', label: 'resolve' },
    { to: 'cancelled', label: 'cancel' },
  ],
  assigned: [
    { to: 'in_progress', label: 'start' },
    { to: 'pending', label: 'wait' },
    { to: 'resolved', label: 'resolve' },
    { to: 'cancelled', label: 'cancel' },
  ],
  in_progress: [
    { to: 'pending', label: 'wait' },
    { to: 'resolved', label: 'resolve' },
    { to: 'assigned', label: 'reassign' },
    { to: 'cancelled', label: 'cancel' },
  ],
  pending: [
    { to: 'in_progress', label: 'resume' },
    { to: 'resolved', label: 'resolve' },
    { to: 'cancelled', label: 'cancel' },
  ],
  resolved: [
    { to: 'in_progress', label: 'reopen' },
    { to: 'closed', label: 'close' },
  ],
  closed: [],
  cancelled: [],
};

/** The moves allowed from `from`, in the order they are usually offered. Empty for final states. */
export function allowedTransitions(from: TicketState): readonly TransitionInfo[] {
  return TRANSITIONS[from];
}

/** States reachable from `from` in one move. */
export function allowedTargets(from: TicketState): TicketState[] {
  return TRANSITIONS[from].map((t) => t.to);
}

/** True for new, assigned, in_progress and pending: the states that count as work still to do. */
export const isOpenState = (s: TicketState): boolean => OPEN_STATES.includes(s);

/** True for closed and cancelled, from which nothing moves. */
export const isFinalState = (s: TicketState): boolean => TRANSITIONS[s].length === 0;

/** Type guard for user or API input. */
const isPendingReason = (s: unknown): s is PendingReason =>
  typeof s === 'string' && (PENDING_REASONS as readonly string[]).includes(s);

/** Last instant at which a ticket resolved at `resolvedAt` may still be reopened (ISO). */
export function reopenDeadline(
  resolvedAt: string | Date,
  reopenWindowDays = DEFAULT_REOPEN_WINDOW_DAYS,
): string {
  const ms = toMs(resolvedAt, 'resolvedAt');
  return new Date(ms + reopenWindowDays * 86_400_000).toISOString();
}

/** True when `now` is still inside the reopen window (inclusive of its last instant). */
export function canReopen(
  resolvedAt: string | Date,
  now: string | Date,
  reopenWindowDays = DEFAULT_REOPEN_WINDOW_DAYS,
): boolean {
  return toMs(now, 'now') <= Date.parse(reopenDeadline(resolvedAt, reopenWindowDays));
}

interface TransitionContext {
  now: string | Date;
  /** When the ticket was resolved; needed to check the reopen window for resolved → in_progress. */
  resolvedAt?: string | null;
  reopenWindowDays?: number;
  /** Required when moving to pending. */
  pendingReason?: string | null;
  /** Named in error messages ("Cannot move INC0000123 …"); defaults to "the ticket". */
  ticketNumber?: string;
}

function toMs(v: string | Date, what: string): number {
  const ms = v instanceof Date ? v.getTime() : Date.parse(v);
  if (Number.isNaN(ms))
    throw new AppError('validation_failed', `${what} is not a valid date-time: ${String(v)}`);
  return ms;
}

const describe = (t: TransitionInfo): string =>
  t.label === 'reopen' || t.label === 'reassign' ? `${t.to} (${t.label})` : t.to;

/**
 * Refuses an illegal move with an AppError whose message names the allowed ones, e.g.
 * "Cannot move INC0000123 from resolved to new. Allowed: in_progress (reopen), closed".
 *
 * - `illegal_transition`: not in the table, a move out of a final state, or a reopen after the window.
 * - `validation_failed` (field `pendingReason`): pending without a reason from PENDING_REASONS.
 *
 * If `resolvedAt` is missing on a reopen the window cannot be checked and the reopen is allowed: the
 * caller owns the data, and refusing a legitimate reopen is worse than a late one.
 */
export function assertTransition(from: TicketState, to: TicketState, ctx: TransitionContext): void {
  const who = ctx.ticketNumber ?? 'the ticket';
  const allowed = TRANSITIONS[from];
  if (!allowed.some((t) => t.to === to)) {
    const list =
      allowed.length > 0
        ? `Allowed: ${allowed.map(describe).join(', ')}`
        : `${from} is final; nothing can follow it`;
    throw new AppError('illegal_transition', `Cannot move ${who} from ${from} to ${to}. ${list}`, {
      details: { from, to, allowed: allowed.map((t) => t.to) },
    });
  }
  if (to === 'pending' && !isPendingReason(ctx.pendingReason)) {
    throw new AppError(
      'validation_failed',
      `Say why ${who} is pending: one of ${PENDING_REASONS.join(', ')}${ctx.pendingReason ? ` (got "${ctx.pendingReason}")` : ''}`,
      { field: 'pendingReason' },
    );
  }
  if (from === 'resolved' && to === 'in_progress' && ctx.resolvedAt) {
    const days = ctx.reopenWindowDays ?? DEFAULT_REOPEN_WINDOW_DAYS;
    if (!canReopen(ctx.resolvedAt, ctx.now, days)) {
      throw new AppError(
        'illegal_transition',
        `Cannot reopen ${who}: it was resolved on ${ctx.resolvedAt.slice(0, 10)}, more than ${days} days ago. Open a new ticket and mention ${who}. Allowed: closed`,
        { details: { from, to, allowed: ['closed'], reopenDeadline: reopenDeadline(ctx.resolvedAt, days) } },
      );
    }
  }
}

/** Non-throwing variant: `{ ok: true }` or the AppError `assertTransition` would throw. */
export function checkTransition(
  from: TicketState,
  to: TicketState,
  ctx: TransitionContext,
): { ok: true } | { ok: false; error: AppError } {
  try {
    assertTransition(from, to, ctx);
    return { ok: true };
  } catch (e) {
    if (e instanceof AppError) return { ok: false, error: e };
    throw e;
  }
}
