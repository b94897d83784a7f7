/** Zod parsing for the HTTP surfaces: one `validation_failed` error naming the first bad field. */
import type { z } from 'zod';
import { AppError, formatIssues } from '../../errors.js';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new AppError('validation_failed', formatIssues(r.error.issues), {
      field: r.error.issues[0]?.path.map(String).join('.') ?? '',
    });
  return r.data;
}
