/**
 * What `POST /api/v1/tickets` accepts beyond its shape: a group that exists, template fields checked
 * against the template (as the chat form checks them), `fields` bounded in size and depth, and
 * idempotency keys that belong to one caller and one requester, with a changed body refused.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../errors.js';
import type { DirectoryStore } from '../../itsm/ports.js';
import { type Template, validateSubmission } from '../../itsm/templates.js';
import type { Person } from '../../itsm/types.js';

/** Template answers are short; this leaves room for long free-text fields and nothing more. */
const FIELDS_MAX_BYTES = 32_768;
const FIELDS_MAX_DEPTH = 4;

/** Depth of nested objects/arrays, iteratively (a 3,000-level body must not recurse 3,000 times). */
function depthOf(value: unknown, limit: number): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    max = Math.max(max, d + 1);
    if (max > limit) return max;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

export function checkFieldsShape(fields: Record<string, unknown>): void {
  const bytes = Buffer.byteLength(JSON.stringify(fields));
  if (bytes > FIELDS_MAX_BYTES)
    throw new AppError('too_large', `fields: ${bytes} bytes; at most ${FIELDS_MAX_BYTES}.`, {
      field: 'fields',
    });
  if (depthOf(fields, FIELDS_MAX_DEPTH) > FIELDS_MAX_DEPTH)
    throw new AppError('validation_failed', `fields: nested deeper than ${FIELDS_MAX_DEPTH} levels.`, {
      field: 'fields',
    });
}

/** The group must exist: an unknown slug would leave the ticket in no queue at all. */
export async function checkGroup(
  directory: Pick<DirectoryStore, 'groupBySlug'>,
  slug: string | undefined,
): Promise<void> {
  if (slug === undefined) return;
  if (!(await directory.groupBySlug(slug)))
    throw new AppError('validation_failed', `group: there is no group "${slug}".`, { field: 'group' });
}

/** The template's fields, checked and normalized exactly as a chat form submission is. */
export function checkTemplateFields(
  templates: readonly Template[],
  templateId: string,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  const template = templates.find((t) => t.id === templateId);
  if (!template)
    throw new AppError('validation_failed', `templateId: there is no template "${templateId}".`, {
      field: 'templateId',
    });
  const result = validateSubmission(template, fields);
  if (!result.ok) {
    const first = result.errors[0];
    throw new AppError(
      'validation_failed',
      result.errors.map((e) => `fields.${e.field}: ${e.message}`).join('; '),
      {
        field: `fields.${first?.field ?? ''}`,
      },
    );
  }
  return result.values;
}

/**
 * The stored key: caller and requester are part of it, so one integration's key can never return
 * a ticket opened for someone else (or by another caller). The client's key is hashed (any length).
 */
export function scopedIdempotencyKey(caller: Person, requester: Person, key: string): string {
  return `api:${caller.id}:${requester.id}:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

/** A fingerprint of the request as sent, recorded on the ticket to tell a retry from a reuse. */
export function requestFingerprint(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 32);
}

export function idempotencyMismatch(number: string): AppError {
  return new AppError(
    'idempotency_conflict',
    `Idempotency-Key was already used for ${number} with a different request body. Use a new key for a new request.`,
    { field: 'Idempotency-Key' },
  );
}
