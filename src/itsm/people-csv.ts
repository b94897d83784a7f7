/**
 * `chatdesk people import <csv>`: the directory for companies without an identity provider. The whole
 * file is validated before anything is written; an error names the line and the column.
 */
import { z } from 'zod';
import { AppError, formatIssues } from '../errors.js';
import { parseCsv } from './assets.js';
import { isValidTimeZone } from './calendar.js';
import { ROLES } from './types.js';

const empty = (v: unknown) =>
  typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v;
const list = z
  .string()
  .optional()
  .transform((s) =>
    s
      ? s
          .split(/[;|]/)
          .map((x) => x.trim())
          .filter((x) => x.length > 0)
      : [],
  );

const personCsvRowSchema = z.object({
  email: z
    .string({ message: 'is required' })
    .trim()
    .pipe(z.email('must be an email address'))
    .transform((e) => e.toLowerCase()),
  name: z.preprocess(empty, z.string().max(200).optional()),
  role: z.preprocess(empty, z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }).optional()),
  manager: z.preprocess(
    empty,
    z
      .email('must be an email address or empty')
      .transform((e) => e.toLowerCase())
      .optional(),
  ),
  time_zone: z.preprocess(
    empty,
    z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin').optional(),
  ),
  groups: list,
  skills: list,
  capacity: z.preprocess(empty, z.coerce.number().int().min(0).max(1000).optional()),
  active: z.preprocess(
    empty,
    z
      .enum(['true', 'false', 'yes', 'no', '1', '0'], { message: 'must be true or false' })
      .transform((v) => v === 'true' || v === 'yes' || v === '1')
      .optional(),
  ),
});
export type PersonCsvRow = z.output<typeof personCsvRowSchema>;

const ALIASES: Record<string, string> = {
  timezone: 'time_zone',
  tz: 'time_zone',
  display_name: 'name',
  manager_email: 'manager',
  support_groups: 'groups',
};

export const PEOPLE_CSV_HEADER = 'email,name,role,manager,time_zone,groups,skills,capacity,active';

export function parsePeopleCsv(
  text: string,
  source: string,
  knownGroups: ReadonlySet<string>,
): PersonCsvRow[] {
  const rows = parseCsv(text);
  const header = rows[0];
  if (!header)
    throw new AppError(
      'data_invalid',
      `${source}: the file is empty; the first line must be a header (${PEOPLE_CSV_HEADER})`,
    );
  const cols = header.map((h) => {
    const k = h
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_');
    return ALIASES[k] ?? k;
  });
  if (!cols.includes('email'))
    throw new AppError('data_invalid', `${source}: line 1: the header has no "email" column`, {
      field: 'email',
    });
  const unknown = cols.filter((c) => !(c in personCsvRowSchema.shape));
  if (unknown.length > 0)
    throw new AppError(
      'data_invalid',
      `${source}: line 1: unknown column ${unknown.map((c) => `"${c}"`).join(', ')}; use ${PEOPLE_CSV_HEADER}`,
      {
        field: unknown[0] ?? '',
      },
    );
  const out: PersonCsvRow[] = [];
  const seen = new Map<string, number>();
  for (const [i, cells] of rows.slice(1).entries()) {
    const line = i + 2;
    const raw = Object.fromEntries(cols.map((c, j) => [c, cells[j] ?? '']));
    const r = personCsvRowSchema.safeParse(raw);
    if (!r.success)
      throw new AppError('data_invalid', `${source}: line ${line}: ${formatIssues(r.error.issues)}`, {
        field: String(r.error.issues[0]?.path[0] ?? ''),
      });
    const prev = seen.get(r.data.email);
    if (prev !== undefined)
      throw new AppError(
        'data_invalid',
        `${source}: line ${line}: email: ${r.data.email} is also on line ${prev}`,
        {
          field: 'email',
        },
      );
    seen.set(r.data.email, line);
    for (const g of r.data.groups)
      if (!knownGroups.has(g))
        throw new AppError(
          'data_invalid',
          `${source}: line ${line}: groups: no support group "${g}" (see data/groups.json)`,
          {
            field: 'groups',
          },
        );
    out.push(r.data);
  }
  return out;
}
