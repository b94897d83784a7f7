/**
 * SCIM 2.0 wire format (RFC 7643 schemas, RFC 7644 protocol): URNs, error bodies, the translation
 * between SCIM resources and the directory's records, and the zod schema of an incoming User.
 */
import { z } from 'zod';
import type { AppError } from '../../errors.js';
import type { DirectoryGroupRecord, DirectoryUser } from '../../itsm/types.js';

export const URN = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  list: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patch: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  spc: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

export const SCIM_CONTENT_TYPE = 'application/scim+json';

/** RFC 7644 §3.12 scimType values this server uses. */
type ScimType =
  | 'invalidFilter'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'invalidValue'
  | 'uniqueness'
  | 'noTarget'
  | 'mutability';

/** A protocol error with its SCIM status and scimType (the router renders it as an Error resource). */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly scimType?: ScimType,
  ) {
    super(message);
    this.name = 'ScimError';
  }
}

export function errorBody(status: number, detail: string, scimType?: ScimType) {
  return { schemas: [URN.error], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

/** Domain errors in SCIM terms: a conflict is "uniqueness", a bad field "invalidValue". */
export function toScimError(e: AppError): ScimError {
  const scimType = e.details?.scimType as ScimType | undefined;
  switch (e.code) {
    case 'validation_failed':
      return new ScimError(400, e.message, scimType ?? 'invalidValue');
    case 'conflict':
      return new ScimError(409, e.message, scimType ?? 'uniqueness');
    case 'not_found':
      return new ScimError(404, e.message);
    case 'unauthorized':
      return new ScimError(401, e.message);
    case 'forbidden':
      return new ScimError(403, e.message);
    default:
      return new ScimError(500, 'Internal error; the details are in the server log.');
  }
}

/** Entra sends booleans as "True"/"False" strings in PATCH values; both forms mean the same. */
const boolish = z.union([
  z.boolean(),
  z
    .string()
    .regex(/^(true|false)$/i, 'must be true or false')
    .transform((s) => s.toLowerCase() === 'true'),
]);

const optionalText = (max: number) => z.string().max(max).nullish();

const emailEntry = z.looseObject({
  value: z.string().max(320).nullish(),
  type: z.string().max(40).nullish(),
  primary: boolish.nullish(),
});

const managerSchema = z.union([
  z.string().max(320),
  z.looseObject({ value: z.string().max(320).nullish(), displayName: z.string().nullish() }),
]);

const enterpriseSchema = z.looseObject({
  manager: managerSchema.nullish(),
  department: optionalText(200),
  employeeNumber: optionalText(100),
  organization: optionalText(200),
  division: optionalText(200),
  costCenter: optionalText(100),
});

/** A User resource as a client sends it (POST, PUT, or the result of applying a PATCH). */
export const scimUserSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  userName: z.string({ message: 'is required' }).trim().min(1, 'is required').max(256),
  externalId: optionalText(256),
  displayName: optionalText(200),
  nickName: optionalText(200),
  name: z
    .looseObject({
      formatted: optionalText(200),
      givenName: optionalText(100),
      familyName: optionalText(100),
      middleName: optionalText(100),
    })
    .nullish(),
  emails: z.array(emailEntry).max(20).nullish(),
  active: boolish.nullish(),
  title: optionalText(200),
  timezone: optionalText(64),
  locale: optionalText(35),
  preferredLanguage: optionalText(35),
  [URN.enterprise]: enterpriseSchema.nullish(),
});
type ScimUserIn = z.output<typeof scimUserSchema>;

const emailCheck = z.email();

/** Picks the person's email: primary, else work, else the first, else a userName that is an email. */
export function emailOf(u: ScimUserIn): string {
  const emails = (u.emails ?? []).filter((e) => typeof e.value === 'string' && e.value.trim() !== '');
  const chosen =
    emails.find((e) => e.primary === true) ?? emails.find((e) => e.type === 'work') ?? emails[0] ?? null;
  const value = (chosen?.value ?? u.userName).trim().toLowerCase();
  if (!emailCheck.safeParse(value).success)
    throw new ScimError(
      400,
      chosen
        ? `emails: "${chosen.value}" is not an email address`
        : `emails: none given and userName "${u.userName}" is not an email address; chatdesk matches people by email`,
      'invalidValue',
    );
  return value;
}

export function managerValueOf(u: ScimUserIn): string | null {
  const m = u[URN.enterprise]?.manager;
  if (m === null || m === undefined) return null;
  const v = typeof m === 'string' ? m : (m.value ?? null);
  return v && v.trim() !== '' ? v.trim() : null;
}

/** The attributes kept for round trips: name parts, title and the enterprise extension's fields. */
export function attributesOf(u: ScimUserIn): Record<string, string> {
  const ent = u[URN.enterprise];
  const pairs: Array<[string, string | null | undefined]> = [
    ['givenName', u.name?.givenName],
    ['familyName', u.name?.familyName],
    ['middleName', u.name?.middleName],
    ['formatted', u.name?.formatted],
    ['nickName', u.nickName],
    ['title', u.title],
    ['locale', u.locale],
    ['preferredLanguage', u.preferredLanguage],
    ['department', ent?.department],
    ['employeeNumber', ent?.employeeNumber],
    ['organization', ent?.organization],
    ['division', ent?.division],
    ['costCenter', ent?.costCenter],
  ];
  return Object.fromEntries(
    pairs.filter((p): p is [string, string] => typeof p[1] === 'string' && p[1] !== ''),
  );
}

export function displayNameOf(u: ScimUserIn, email: string): string {
  const fromName = [u.name?.givenName, u.name?.familyName].filter((s) => s && s.trim() !== '').join(' ');
  return (
    u.displayName?.trim() ||
    u.name?.formatted?.trim() ||
    fromName ||
    email.split('@')[0] ||
    email
  ).slice(0, 200);
}

function etag(updatedAt: string): string {
  return `W/"${Buffer.from(updatedAt).toString('base64url')}"`;
}

export function toScimUser(
  u: DirectoryUser,
  base: string,
  manager: { id: number; displayName: string } | null,
) {
  const a = u.attributes;
  const name = {
    ...(a.formatted ? { formatted: a.formatted } : {}),
    ...(a.givenName ? { givenName: a.givenName } : {}),
    ...(a.familyName ? { familyName: a.familyName } : {}),
    ...(a.middleName ? { middleName: a.middleName } : {}),
  };
  const enterprise = {
    ...(manager
      ? {
          manager: {
            value: String(manager.id),
            displayName: manager.displayName,
            $ref: `${base}/Users/${manager.id}`,
          },
        }
      : {}),
    ...(a.department ? { department: a.department } : {}),
    ...(a.employeeNumber ? { employeeNumber: a.employeeNumber } : {}),
    ...(a.organization ? { organization: a.organization } : {}),
    ...(a.division ? { division: a.division } : {}),
    ...(a.costCenter ? { costCenter: a.costCenter } : {}),
  };
  return {
    schemas: [URN.user, ...(Object.keys(enterprise).length > 0 ? [URN.enterprise] : [])],
    id: String(u.id),
    ...(u.externalId ? { externalId: u.externalId } : {}),
    userName: u.userName,
    ...(Object.keys(name).length > 0 ? { name } : {}),
    displayName: u.displayName,
    ...(a.nickName ? { nickName: a.nickName } : {}),
    ...(a.title ? { title: a.title } : {}),
    ...(a.locale ? { locale: a.locale } : {}),
    ...(a.preferredLanguage ? { preferredLanguage: a.preferredLanguage } : {}),
    timezone: u.timeZone,
    active: u.active,
    emails: [{ value: u.email, type: 'work', primary: true }],
    ...(Object.keys(enterprise).length > 0 ? { [URN.enterprise]: enterprise } : {}),
    meta: {
      resourceType: 'User',
      created: u.createdAt,
      lastModified: u.updatedAt,
      location: `${base}/Users/${u.id}`,
      version: etag(u.updatedAt),
    },
  };
}

export function toScimGroup(g: DirectoryGroupRecord, base: string, withMembers = true) {
  return {
    schemas: [URN.group],
    id: String(g.id),
    ...(g.externalId ? { externalId: g.externalId } : {}),
    displayName: g.displayName,
    ...(withMembers
      ? {
          members: g.members.map((m) => ({
            value: String(m.id),
            display: m.display,
            $ref: `${base}/Users/${m.id}`,
            type: 'User',
          })),
        }
      : {}),
    meta: {
      resourceType: 'Group',
      created: g.createdAt,
      lastModified: g.updatedAt,
      location: `${base}/Groups/${g.id}`,
      version: etag(g.updatedAt),
    },
  };
}

export function listResponse(resources: unknown[], total: number, startIndex: number) {
  return {
    schemas: [URN.list],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

const memberRef = z.looseObject({ value: z.string({ message: 'is required' }).min(1, 'is required') });
export const scimGroupSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  displayName: z.string({ message: 'is required' }).trim().min(1, 'is required').max(256),
  externalId: optionalText(256),
  members: z.array(memberRef).max(10_000).nullish(),
});
export const memberRefs = z.array(memberRef).max(10_000);

export const patchSchema = z.object({
  schemas: z.array(z.string()).optional(),
  Operations: z
    .array(
      z.looseObject({
        op: z
          .string()
          .transform((s) => s.toLowerCase())
          .pipe(z.enum(['add', 'replace', 'remove'], { message: 'must be add, replace or remove' })),
        path: z.string().max(500).optional(),
        value: z.unknown().optional(),
      }),
    )
    .min(1, 'needs at least one operation')
    .max(1000),
});
export type PatchOperation = z.output<typeof patchSchema>['Operations'][number];

/** Ids in SCIM are strings; ours are the people and group row ids. */
export function idOf(raw: string, what: string): number {
  const n = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new ScimError(404, `No ${what} ${raw}.`);
  return n;
}
