/** The CMDB's CSV import: an RFC 4180 reader and the asset file's rows, validated before any write. */
import { z } from 'zod';
import { AppError } from '../errors.js';
import { ASSET_STATUSES, CRITICALITIES } from './types.js';

/** RFC 4180 CSV: quoted fields with "" escapes and embedded newlines; CRLF or LF. */
export function parseCsv(text: string): string[][] {
  if (!text.includes('"')) {
    // Fast path for unquoted files (exports, the bench's event log): no state machine needed.
    const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    return src
      .split(/\r?\n|\r/)
      .filter((l) => l.length > 0)
      .map((l) => l.split(','));
  }
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < src.length) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field.length === 0) quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      row.push(field);
      field = '';
      rows.push(row);
      row = [];
      if (ch === '\r' && src[i + 1] === '\n') i++;
    } else field += ch;
    i++;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

const emptyToNull = (v: unknown) =>
  typeof v === 'string' && v.trim() === '' ? null : typeof v === 'string' ? v.trim() : v;
const tagList = z
  .string()
  .optional()
  .transform((s) => (s ? s.split(/[;|\s]+/).filter((x) => x.length > 0) : []));

/** One CSV row. Header names are case-insensitive; `warranty_end` and `warrantyEnd` both work. */
const assetCsvRowSchema = z.object({
  tag: z.string().trim().min(1, 'is required').max(64),
  type: z
    .string()
    .trim()
    .min(1, 'is required')
    .max(40)
    .transform((s) => s.toLowerCase()),
  name: z.string().trim().min(1, 'is required').max(200),
  owner: z.preprocess(emptyToNull, z.email('must be an email address or empty').nullable().optional()),
  status: z
    .preprocess(emptyToNull, z.enum(ASSET_STATUSES).nullable().optional())
    .transform((s) => s ?? 'in_use'),
  location: z.preprocess(emptyToNull, z.string().max(200).nullable().optional()),
  warranty_end: z.preprocess(
    emptyToNull,
    z.iso.date('must be a date yyyy-mm-dd or empty').nullable().optional(),
  ),
  criticality: z
    .preprocess(emptyToNull, z.enum(CRITICALITIES).nullable().optional())
    .transform((s) => s ?? 'medium'),
  runs_on: tagList,
  depends_on: tagList,
});
type AssetCsvRow = z.output<typeof assetCsvRowSchema>;

const HEADER_ALIASES: Record<string, string> = {
  warrantyend: 'warranty_end',
  warranty: 'warranty_end',
  runson: 'runs_on',
  dependson: 'depends_on',
  owner_email: 'owner',
};

/** Parses and validates a whole file before anything is written; errors name the line and the column. */
export function parseAssetCsv(text: string, source: string): AssetCsvRow[] {
  const rows = parseCsv(text);
  const header = rows[0];
  if (!header)
    throw new AppError(
      'data_invalid',
      `${source}: the file is empty; the first line must be a header (tag,type,name,owner,status,location,warranty_end,criticality,runs_on,depends_on)`,
    );
  const cols = header.map((h) => {
    const k = h
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_');
    return HEADER_ALIASES[k.replace(/_/g, '')] ?? HEADER_ALIASES[k] ?? k;
  });
  for (const required of ['tag', 'type', 'name']) {
    if (!cols.includes(required))
      throw new AppError('data_invalid', `${source}: line 1: the header has no "${required}" column`, {
        field: required,
      });
  }
  const out: AssetCsvRow[] = [];
  const seen = new Map<string, number>();
  rows.slice(1).forEach((cells, i) => {
    const line = i + 2;
    const obj: Record<string, string> = {};
    cols.forEach((c, j) => {
      obj[c] = cells[j] ?? '';
    });
    const r = assetCsvRowSchema.safeParse(obj);
    if (!r.success) {
      const issue = r.error.issues[0];
      const field = issue?.path.map(String).join('.') ?? '';
      throw new AppError(
        'data_invalid',
        `${source}: line ${line}: ${field}: ${issue?.message ?? 'invalid'}`,
        { field, details: { file: source, line } },
      );
    }
    const prev = seen.get(r.data.tag);
    if (prev !== undefined)
      throw new AppError(
        'data_invalid',
        `${source}: line ${line}: tag: "${r.data.tag}" already appears on line ${prev}`,
        { field: 'tag', details: { file: source, line } },
      );
    seen.set(r.data.tag, line);
    out.push(r.data);
  });
  return out;
}
