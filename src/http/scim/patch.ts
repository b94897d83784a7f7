/**
 * SCIM PATCH (RFC 7644 §3.5.2). A User PATCH is applied to the user's current SCIM representation and
 * the result validated like a PUT, so PATCH and PUT cannot disagree. A Group PATCH becomes member
 * additions and removals (groups can hold thousands of members; they are never rewritten whole).
 * Paths as Okta and Entra send them: `active`, `name.givenName`, `emails[type eq "work"].value`,
 * `urn:…:enterprise:2.0:User:manager`, `members`, `members[value eq "42"]`, or no path with an object.
 */
import { memberRefs, type PatchOperation, ScimError, URN } from './protocol.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const CORE_PREFIX = /^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/i;

/** Splits a path into [container, attribute, filter?, sub-attribute?]. */
function parsePath(path: string): { ext: boolean; attr: string; filter: string | null; sub: string | null } {
  let p = path.trim().replace(CORE_PREFIX, '');
  let ext = false;
  if (p.toLowerCase().startsWith(`${URN.enterprise.toLowerCase()}:`)) {
    ext = true;
    p = p.slice(URN.enterprise.length + 1);
  } else if (p.toLowerCase() === URN.enterprise.toLowerCase()) {
    return { ext: true, attr: '', filter: null, sub: null };
  }
  const m = /^([A-Za-z$][\w$]*)(?:\[([^\]]*)\])?(?:\.([A-Za-z$][\w$]*))?$/.exec(p);
  if (!m?.[1])
    throw new ScimError(400, `path: "${path}" is not a path this server understands`, 'invalidPath');
  return { ext, attr: m[1], filter: m[2] ?? null, sub: m[3] ?? null };
}

/** Finds the key of `obj` matching `name` case-insensitively (SCIM attribute names are case-insensitive). */
function keyOf(obj: Json, name: string): string {
  return Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
}

function matchesFilter(entry: unknown, filter: string): boolean {
  const m = /^\s*(\w+)\s+eq\s+(?:"([^"]*)"|(\w+))\s*$/i.exec(filter);
  if (!m?.[1]) throw new ScimError(400, `path filter "[${filter}]" is not supported`, 'invalidFilter');
  if (!isObject(entry)) return false;
  const v = entry[keyOf(entry, m[1])];
  const want = m[2] ?? m[3] ?? '';
  return String(v).toLowerCase() === want.toLowerCase();
}

function setAt(target: Json, op: 'add' | 'replace' | 'remove', path: string, value: unknown): void {
  const { ext, attr, filter, sub } = parsePath(path);
  let container = target;
  if (ext) {
    const k = keyOf(target, URN.enterprise);
    if (attr === '') {
      if (op === 'remove') delete target[k];
      else target[k] = { ...(isObject(target[k]) ? target[k] : {}), ...(isObject(value) ? value : {}) };
      return;
    }
    if (!isObject(target[k])) target[k] = {};
    container = target[k] as Json;
  }
  const key = keyOf(container, attr);
  if (filter !== null) {
    // A filtered multi-valued attribute, e.g. emails[type eq "work"].value.
    const list = Array.isArray(container[key]) ? (container[key] as unknown[]) : [];
    const hits = list.filter((e) => matchesFilter(e, filter));
    if (op === 'remove') {
      container[key] = sub
        ? list.map((e) => (hits.includes(e) && isObject(e) ? omit(e, sub) : e))
        : list.filter((e) => !hits.includes(e));
      return;
    }
    if (hits.length === 0) {
      // Adding emails[type eq "work"].value to a user without a work email creates that entry.
      const fm = /^\s*(\w+)\s+eq\s+(?:"([^"]*)"|(\w+))\s*$/i.exec(filter);
      const seed: Json = fm?.[1] ? { [fm[1]]: fm[2] ?? (fm[3] === 'true' ? true : fm[3]) } : {};
      list.push(sub ? { ...seed, [sub]: value } : { ...seed, ...(isObject(value) ? value : {}) });
    } else
      for (const e of hits)
        if (isObject(e)) Object.assign(e, sub ? { [keyOf(e, sub)]: value } : isObject(value) ? value : {});
    container[key] = list;
    return;
  }
  if (sub !== null) {
    if (!isObject(container[key])) container[key] = {};
    const inner = container[key] as Json;
    if (op === 'remove') delete inner[keyOf(inner, sub)];
    else inner[keyOf(inner, sub)] = value;
    return;
  }
  if (op === 'remove') {
    delete container[key];
    return;
  }
  if (op === 'add' && Array.isArray(container[key]) && Array.isArray(value)) {
    container[key] = [...(container[key] as unknown[]), ...value];
    return;
  }
  if (op === 'add' && isObject(container[key]) && isObject(value)) {
    container[key] = { ...(container[key] as Json), ...value };
    return;
  }
  container[key] = value;
}

function omit(o: Json, key: string): Json {
  const copy = { ...o };
  delete copy[keyOf(copy, key)];
  return copy;
}

/** Applies PATCH operations to a copy of a User resource and returns the copy. */
export function applyUserPatch(resource: Json, ops: PatchOperation[]): Json {
  const out = structuredClone(resource);
  for (const [i, op] of ops.entries()) {
    try {
      if (op.path !== undefined && op.path.trim() !== '') {
        if (op.op !== 'remove' && op.value === undefined)
          throw new ScimError(400, `value is required for ${op.op} ${op.path}`, 'invalidValue');
        setAt(out, op.op, op.path, op.value);
        continue;
      }
      if (op.op === 'remove') throw new ScimError(400, 'remove needs a path', 'noTarget');
      if (!isObject(op.value))
        throw new ScimError(400, `${op.op} without a path needs an object value`, 'invalidValue');
      // No path: each key is an attribute (Okta even sends dotted keys such as "name.givenName").
      for (const [k, v] of Object.entries(op.value)) setAt(out, op.op, k, v);
    } catch (e) {
      if (e instanceof ScimError) throw new ScimError(e.status, `Operations.${i}: ${e.message}`, e.scimType);
      throw e;
    }
  }
  return out;
}

interface GroupChange {
  displayName?: string;
  externalId?: string | null;
  add: string[];
  remove: string[] | 'all';
}

/** Turns Group PATCH operations into one change; ids stay strings until the router resolves them. */
export function groupChangeOf(ops: PatchOperation[]): GroupChange {
  const change: GroupChange = { add: [], remove: [] };
  const removeAll = () => {
    change.remove = 'all';
    change.add = [];
  };
  const refs = (value: unknown, i: number): string[] => {
    const parsed = memberRefs.safeParse(Array.isArray(value) ? value : [value]);
    if (!parsed.success)
      throw new ScimError(
        400,
        `Operations.${i}.value: members must be a list of {"value": "<user id>"}`,
        'invalidValue',
      );
    return parsed.data.map((m) => m.value);
  };
  for (const [i, op] of ops.entries()) {
    const path = op.path?.trim().replace(CORE_PREFIX, '') ?? '';
    const memberFilter = /^members\[\s*value\s+eq\s+"([^"]+)"\s*\]$/i.exec(path);
    if (memberFilter?.[1]) {
      if (op.op !== 'remove')
        throw new ScimError(400, `Operations.${i}: only remove works on ${path}`, 'invalidPath');
      if (change.remove !== 'all') change.remove.push(memberFilter[1]);
      continue;
    }
    if (path.toLowerCase() === 'members') {
      if (op.op === 'add') change.add.push(...refs(op.value, i));
      else if (op.op === 'replace') {
        removeAll();
        change.add.push(...refs(op.value, i));
      } else if (op.value === undefined) removeAll();
      else if (change.remove !== 'all') change.remove.push(...refs(op.value, i));
      continue;
    }
    if (path === '' || path.toLowerCase() === 'displayname' || path.toLowerCase() === 'externalid') {
      if (op.op === 'remove') {
        if (path.toLowerCase() === 'externalid') change.externalId = null;
        else throw new ScimError(400, `Operations.${i}: displayName cannot be removed`, 'mutability');
        continue;
      }
      const value: Json = path === '' ? (isObject(op.value) ? op.value : {}) : { [path]: op.value };
      if (path === '' && !isObject(op.value))
        throw new ScimError(
          400,
          `Operations.${i}: ${op.op} without a path needs an object value`,
          'invalidValue',
        );
      for (const [k, v] of Object.entries(value)) {
        const key = k.toLowerCase();
        if (key === 'displayname') {
          if (typeof v !== 'string' || v.trim() === '')
            throw new ScimError(
              400,
              `Operations.${i}.value.displayName: must be a non-empty string`,
              'invalidValue',
            );
          change.displayName = v.trim();
        } else if (key === 'externalid') change.externalId = typeof v === 'string' ? v : null;
        else if (key === 'members') {
          if (op.op === 'replace') removeAll();
          change.add.push(...refs(v, i));
        }
        // id, schemas, meta: read-only, ignored as RFC 7644 §3.5.2 allows.
      }
      continue;
    }
    throw new ScimError(
      400,
      `Operations.${i}.path: "${op.path}" is not a Group attribute this server changes`,
      'invalidPath',
    );
  }
  return change;
}
