/**
 * When to try again: the retry policy the engine's turns and the outbox share. Failures known to pass
 * (a platform or the database unavailable, a rate limit) are retried with backoff — never sooner than
 * the platform's Retry-After — until a horizon measured from when the work was accepted; other
 * failures (a bug) a few times only. Past that the work is given up and becomes a dead letter.
 */
import { isAppError } from '../errors.js';
import { DeliveryError, type Incoming } from './message.js';

export const DEFAULT_RETRY_HORIZON_MS = 3_600_000;
/** Attempts for a failure not known to pass: a bug does not fix itself within the horizon. */
const MAX_UNEXPECTED_ATTEMPTS = 5;

export function backoffMs(attempt: number, base: number, max: number): number {
  const exp = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  // Jitter keeps many desks that failed together from retrying in lockstep.
  return Math.round(exp * (0.8 + Math.random() * 0.4));
}

/**
 * The longest wait between attempts: `cap`, but a tenth of a short horizon (tests, impatient
 * operators) so that several attempts still fit in it.
 */
export const maxBackoffFor = (horizonMs: number, cap: number, base = 1000): number =>
  Math.min(cap, Math.max(base, horizonMs / 10));

/** Error codes of databases and networks that mean "unavailable for now", not "wrong". */
const TRANSIENT_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  // PostgreSQL: connection exceptions, shutdown, too many connections, serialization and deadlock.
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '40001',
  '40P01',
]);

/** A failure that passes on its own (decided by type and code, never by message text). */
function isTransient(e: unknown): boolean {
  if (e instanceof DeliveryError) return e.retryable;
  if (isAppError(e)) return e.code === 'db_unavailable' || e.code === 'rate_limited';
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT_CODES.has(code);
}

const retryAfterOf = (e: unknown): number =>
  e instanceof DeliveryError && e.retryAfterMs !== null ? e.retryAfterMs : 0;

/**
 * When to try a failed piece of work again, or null to give it up. `attempts` counts the attempts made
 * (this one included); `since` is when the work was accepted.
 */
export function nextAttemptAt(
  e: unknown,
  p: { attempts: number; since: string; nowMs: number; horizonMs: number; maxBackoffMs: number },
): Date | null {
  if (!isTransient(e) && p.attempts >= MAX_UNEXPECTED_ATTEMPTS) return null;
  const deadline = Date.parse(p.since) + p.horizonMs;
  if (p.nowMs >= deadline) return null;
  const wait = Math.max(retryAfterOf(e), backoffMs(p.attempts, 1000, p.maxBackoffMs));
  // The last attempt is made at the horizon rather than skipped because the backoff overshoots it.
  return new Date(Math.min(p.nowMs + wait, Math.max(deadline, p.nowMs + 1)));
}

const MINUTE = 60_000;
const duration = (ms: number): string =>
  ms >= 2 * 60 * MINUTE
    ? `${Math.round(ms / (60 * MINUTE))} hours`
    : ms >= 2 * MINUTE
      ? `${Math.round(ms / MINUTE)} minutes`
      : `${Math.max(1, Math.round(ms / 1000))} seconds`;

/** What the person is told when their message is given up: what was lost, why, what to do. */
export function gaveUpText(incoming: Incoming, e: unknown, triedForMs: number): string {
  const what =
    incoming.kind === 'message'
      ? `your message "${incoming.text.length > 80 ? `${incoming.text.slice(0, 79)}…` : incoming.text}"`
      : 'your click on a button';
  const why = isTransient(e)
    ? `a service I depend on (the chat platform or my database) kept failing for ${duration(triedForMs)}`
    : 'of an error on my side';
  return `Sorry, I could not process ${what} because ${why}, and I have stopped trying. The service desk team has been alerted. If you don't see a ticket for it (say "status"), please send it again.`;
}
