/**
 * Typed errors. Every failure a user or operator can meet has a code; the message says what to do.
 * Adapters map codes to HTTP statuses or polite chat replies; nothing matches on message text.
 */
export type ErrorCode =
  | 'config_invalid'
  | 'data_invalid'
  | 'validation_failed'
  | 'not_found'
  | 'forbidden'
  | 'unauthorized'
  | 'illegal_transition'
  | 'conflict'
  /** An Idempotency-Key reused with a different request. */
  | 'idempotency_conflict'
  | 'unknown_user'
  | 'too_large'
  | 'rate_limited'
  | 'db_unavailable'
  | 'model_unavailable'
  | 'internal';

export class AppError extends Error {
  readonly code: ErrorCode;
  /** The input field the error is about, when there is one (a template field, an env variable, a JSON path). */
  readonly field: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { field?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.field = opts.field;
    this.details = opts.details;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

const HTTP_STATUS: Record<ErrorCode, number> = {
  config_invalid: 500,
  data_invalid: 500,
  validation_failed: 400,
  not_found: 404,
  forbidden: 403,
  unauthorized: 401,
  illegal_transition: 409,
  conflict: 409,
  idempotency_conflict: 409,
  unknown_user: 403,
  too_large: 413,
  rate_limited: 429,
  db_unavailable: 503,
  model_unavailable: 503,
  internal: 500,
};

export const httpStatusOf = (e: AppError): number => HTTP_STATUS[e.code];

/** Turns zod issues into one readable line: `field: problem; field: problem`. */
export function formatIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): string {
  return issues
    .map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
