/**
 * Request templates (custom work orders) from `data/templates/*.json`: schema, loader, validation of
 * a submitted form, and the pieces chat slot filling needs (next missing field, parse a typed answer).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { isIsoDate } from './calendar.js';
import { loadDataFile, parseDataWith } from './data-file.js';

const FIELD_TYPES = [
  'text',
  'textarea',
  'number',
  'select',
  'multiselect',
  'date',
  'email',
  'user',
  'boolean',
] as const;
type FieldType = (typeof FIELD_TYPES)[number];

/** Default maximum lengths: chat platforms and the database both need a bound. */
const DEFAULT_MAX_LENGTH: Partial<Record<FieldType, number>> = {
  text: 500,
  textarea: 4000,
  email: 254,
  user: 200,
};

const KEBAB_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const FIELD_ID_RE = /^[a-z][a-z0-9_]*$/;

const fieldSchema = z
  .object({
    id: z.string().regex(FIELD_ID_RE, 'expected a lowercase id like "start_date"'),
    label: z.string().trim().min(1),
    type: z.enum(FIELD_TYPES),
    required: z.boolean().default(false),
    options: z.array(z.string().trim().min(1)).optional(),
    maxLength: z.number().int().positive().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    help: z.string().optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    const isSelect = f.type === 'select' || f.type === 'multiselect';
    if (isSelect && (!f.options || f.options.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: `required for a ${f.type} field` });
    }
    if (!isSelect && f.options !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['options'],
        message: `only select and multiselect fields take options`,
      });
    }
    if (f.options) {
      const lower = f.options.map((o) => o.toLowerCase());
      const dup = lower.find((o, i) => lower.indexOf(o) !== i);
      if (dup !== undefined)
        ctx.addIssue({ code: 'custom', path: ['options'], message: `option "${dup}" appears twice` });
    }
    if (f.maxLength !== undefined && DEFAULT_MAX_LENGTH[f.type] === undefined) {
      ctx.addIssue({ code: 'custom', path: ['maxLength'], message: `not applicable to a ${f.type} field` });
    }
    if ((f.min !== undefined || f.max !== undefined) && f.type !== 'number' && f.type !== 'multiselect') {
      ctx.addIssue({
        code: 'custom',
        path: [f.min !== undefined ? 'min' : 'max'],
        message: `only number and multiselect fields take min/max`,
      });
    }
    if (f.min !== undefined && f.max !== undefined && f.min > f.max) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: 'must be at least min' });
    }
  })
  .transform((f) => ({ ...f, maxLength: f.maxLength ?? DEFAULT_MAX_LENGTH[f.type] }));

const approvalSchema = z
  .object({
    type: z.enum(['manager', 'users', 'group']),
    users: z.array(z.string().min(1)).min(1).optional(),
    group: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.type === 'users' && !a.users)
      ctx.addIssue({ code: 'custom', path: ['users'], message: 'required when approval type is users' });
    if (a.type === 'group' && !a.group)
      ctx.addIssue({ code: 'custom', path: ['group'], message: 'required when approval type is group' });
  });

/** Schema of one `data/templates/*.json` file. */
const templateSchema = z
  .object({
    id: z.string().regex(KEBAB_RE, 'expected a kebab-case id like "laptop-request"'),
    kind: z.enum(['service_request', 'incident', 'change']),
    title: z.string().trim().min(1),
    description: z.string().default(''),
    category: z.string().trim().min(1),
    group: z.string().min(1).optional(),
    fields: z.array(fieldSchema),
    approval: approvalSchema.optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.fields.forEach((f, i) => {
      if (seen.has(f.id))
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'id'], message: `duplicate field id "${f.id}"` });
      seen.add(f.id);
    });
  });

export type Template = z.output<typeof templateSchema>;
export type TemplateField = Template['fields'][number];
type FieldValue = string | number | boolean | string[];

/** Validates parsed JSON as a template; `source` (the file) is named in errors. */
export function parseTemplate(json: unknown, source = 'template'): Template {
  return parseDataWith(templateSchema, json, source);
}

/**
 * Reads every `*.json` in `dir` (sorted by file name). A bad file throws AppError('data_invalid')
 * naming file and field path; two files with the same id are refused, naming both.
 */
export async function loadTemplates(dir: string): Promise<Template[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (cause) {
    throw new AppError(
      'data_invalid',
      `${dir}: cannot list templates (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`,
      { cause },
    );
  }
  const byId = new Map<string, string>();
  const out: Template[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const t = await loadDataFile(templateSchema, file);
    const other = byId.get(t.id);
    if (other !== undefined) {
      throw new AppError('data_invalid', `${file}: id: "${t.id}" is already used by ${other}`, {
        field: 'id',
        details: { file },
      });
    }
    byId.set(t.id, file);
    out.push(t);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values

interface FieldError {
  field: string;
  message: string;
}

type SubmissionResult =
  | { ok: true; values: Record<string, FieldValue> }
  | { ok: false; errors: FieldError[] };

type One = { ok: true; value: FieldValue } | { ok: false; message: string };

const EMAIL_RE = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/;
const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const TRUE_WORDS = new Set(['yes', 'y', 'true', '1', 'on', 'yeah', 'yep', 'ok', 'sure']);
const FALSE_WORDS = new Set(['no', 'n', 'false', '0', 'off', 'nope']);

const isEmpty = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  (typeof v === 'string' && v.trim() === '') ||
  (Array.isArray(v) && v.length === 0);

function checkLength(field: TemplateField, s: string): One {
  if (field.maxLength !== undefined && s.length > field.maxLength) {
    return {
      ok: false,
      message: `${field.label} is too long: at most ${field.maxLength} characters (got ${s.length})`,
    };
  }
  return { ok: true, value: s };
}

function matchOption(field: TemplateField, s: string): string | undefined {
  const t = s.trim().toLowerCase();
  return field.options?.find((o) => o.toLowerCase() === t);
}

const optionList = (field: TemplateField): string => (field.options ?? []).join(', ');

/** Checks and normalizes one non-empty value (a form value: typed, or the string a modal sends). */
function normalizeValue(field: TemplateField, raw: unknown): One {
  const label = field.label;
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'user': {
      if (typeof raw !== 'string' && typeof raw !== 'number')
        return { ok: false, message: `${label} must be text` };
      return checkLength(field, String(raw).trim());
    }
    case 'email': {
      if (typeof raw !== 'string') return { ok: false, message: `${label} must be an email address` };
      const s = raw.trim();
      if (!EMAIL_RE.test(s))
        return { ok: false, message: `${label} must be an email address like name@example.com` };
      return checkLength(field, s);
    }
    case 'number': {
      let n: number;
      if (typeof raw === 'number') n = raw;
      else if (typeof raw === 'string' && NUMBER_RE.test(raw.trim())) n = Number(raw.trim());
      else return { ok: false, message: `${label} must be a number` };
      if (!Number.isFinite(n)) return { ok: false, message: `${label} must be a number` };
      if (field.min !== undefined && n < field.min)
        return { ok: false, message: `${label} must be at least ${field.min}` };
      if (field.max !== undefined && n > field.max)
        return { ok: false, message: `${label} must be at most ${field.max}` };
      return { ok: true, value: n };
    }
    case 'select': {
      if (typeof raw !== 'string')
        return { ok: false, message: `${label} must be one of: ${optionList(field)}` };
      const o = matchOption(field, raw);
      return o === undefined
        ? { ok: false, message: `${label} must be one of: ${optionList(field)} (got "${raw.trim()}")` }
        : { ok: true, value: o };
    }
    case 'multiselect': {
      const items = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : null;
      if (!items || items.some((i) => typeof i !== 'string'))
        return { ok: false, message: `${label} must be a list of: ${optionList(field)}` };
      const chosen: string[] = [];
      for (const item of items as string[]) {
        if (item.trim() === '') continue;
        const o = matchOption(field, item);
        if (o === undefined)
          return { ok: false, message: `${label}: "${item.trim()}" is not one of: ${optionList(field)}` };
        if (!chosen.includes(o)) chosen.push(o);
      }
      if (field.min !== undefined && chosen.length < field.min)
        return { ok: false, message: `${label}: choose at least ${field.min}` };
      if (field.max !== undefined && chosen.length > field.max)
        return { ok: false, message: `${label}: choose at most ${field.max}` };
      return { ok: true, value: chosen };
    }
    case 'date': {
      if (typeof raw !== 'string' || !isIsoDate(raw.trim()))
        return { ok: false, message: `${label} must be a date written yyyy-mm-dd` };
      return { ok: true, value: raw.trim() };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      const t = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
      if (TRUE_WORDS.has(t)) return { ok: true, value: true };
      if (FALSE_WORDS.has(t)) return { ok: true, value: false };
      return { ok: false, message: `${label} must be yes or no` };
    }
  }
}

/**
 * Validates a whole submission: unknown fields refused, required fields present, every value checked
 * and normalized (strings trimmed, numbers parsed, options in their canonical spelling, multiselect
 * de-duplicated). Empty optional fields are left out of `values`. All errors are returned, not just the first.
 */
export function validateSubmission(template: Template, values: Record<string, unknown>): SubmissionResult {
  const errors: FieldError[] = [];
  const out: Record<string, FieldValue> = {};
  const known = new Set(template.fields.map((f) => f.id));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) errors.push({ field: key, message: `${key} is not a field of ${template.title}` });
  }
  for (const field of template.fields) {
    const raw = values[field.id];
    if (isEmpty(raw)) {
      if (field.required) errors.push({ field: field.id, message: `${field.label} is required` });
      continue;
    }
    const r = normalizeValue(field, raw);
    if (r.ok) out[field.id] = r.value;
    else errors.push({ field: field.id, message: r.message });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, values: out };
}

/**
 * The next field the bot should ask for in conversation: the first required field without a value,
 * or with `includeOptional`, the first field whose key is absent (an optional field the user skipped
 * is stored as null, so it is not asked again). Null when nothing is left to ask.
 */
export function nextMissingField(
  template: Template,
  partialValues: Record<string, unknown>,
  opts: { includeOptional?: boolean } = {},
): TemplateField | null {
  for (const field of template.fields) {
    const present = Object.hasOwn(partialValues, field.id);
    const value = partialValues[field.id];
    if (field.required && isEmpty(value)) return field;
    if (!field.required && opts.includeOptional && !present) return field;
  }
  return null;
}

const SKIP_WORDS = new Set(['skip', 'none', 'n/a', 'na', '-', 'no answer', 'nothing']);

/**
 * Turns a typed chat answer into a field value.
 * - select: the option text (case-insensitive) or its 1-based number;
 * - multiselect: options or numbers separated by commas, "and", "&" or "+";
 * - boolean: yes/no and common variants; number: a plain number; date: yyyy-mm-dd, or "today"/
 *   "tomorrow" when `now` is given (UTC date);
 * - an optional field answered "skip"/"none"/"-" gives `value: null` (stored so it is not asked again).
 */
export function parseFieldAnswer(
  field: TemplateField,
  text: string,
  opts: { now?: string | Date } = {},
): { ok: true; value: FieldValue | null } | { ok: false; message: string } {
  const t = text.trim();
  if (t === '' || (!field.required && SKIP_WORDS.has(t.toLowerCase()))) {
    return field.required ? { ok: false, message: `${field.label} is required` } : { ok: true, value: null };
  }
  const byNumber = (s: string): string => {
    const m = /^#?(\d+)[.)]?$/.exec(s.trim());
    const option = m ? field.options?.[Number(m[1]) - 1] : undefined;
    return option ?? s;
  };
  switch (field.type) {
    case 'select':
      return normalizeValue(field, byNumber(t));
    case 'multiselect': {
      // An option may itself contain "and" ("Monitor and dock"): try the whole answer first.
      const whole = matchOption(field, t);
      if (whole !== undefined) return normalizeValue(field, [whole]);
      // "and" splits only pieces that are not an option themselves ("Laptop, Keyboard and mouse").
      const parts = t
        .split(/\s*[,;&+]\s*/)
        .flatMap((p) => (matchOption(field, byNumber(p)) !== undefined ? [p] : p.split(/\s+and\s+/i)))
        .filter((p) => p.trim() !== '');
      return normalizeValue(field, parts.map(byNumber));
    }
    case 'date': {
      const lower = t.toLowerCase();
      if (opts.now !== undefined && (lower === 'today' || lower === 'tomorrow')) {
        const base = opts.now instanceof Date ? opts.now.getTime() : Date.parse(opts.now);
        const day = new Date(base + (lower === 'tomorrow' ? 86_400_000 : 0));
        return { ok: true, value: day.toISOString().slice(0, 10) };
      }
      return normalizeValue(field, t);
    }
    default:
      return normalizeValue(field, t);
  }
}
