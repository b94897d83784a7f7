/**
 * The SCIM filters identity providers send (RFC 7644 §3.4.2.2): one `eq` comparison on an identifying
 * attribute — `userName eq "alice@example.com"`, `externalId eq "…"`, `emails[type eq "work"].value
 * eq "…"`, `displayName eq "IT Staff"`. Anything richer is refused with scimType invalidFilter, so a
 * client never acts on a list it believes was filtered.
 */
import type { ResourceFilter, UserFilterAttribute } from '../../itsm/ports.js';
import { ScimError } from './protocol.js';

const ATTRIBUTES: Record<string, UserFilterAttribute> = {
  id: 'id',
  username: 'userName',
  externalid: 'externalId',
  displayname: 'displayName',
  'emails.value': 'email',
  emails: 'email',
};

// Linear: anchored, no nested quantifiers; the input is at most 500 characters (checked first).
const COMPARISON =
  /^\s*([A-Za-z][\w.:-]*(?:\[[^\]]*\])?(?:\.[A-Za-z]+)?)\s+eq\s+("(?:[^"\\]|\\.)*"|true|false|\d+)\s*$/i;

export function parseFilter(raw: unknown, allowed: readonly UserFilterAttribute[]): ResourceFilter | null {
  if (raw === undefined || raw === '') return null;
  if (typeof raw !== 'string')
    throw new ScimError(400, 'filter: give one filter expression', 'invalidFilter');
  if (raw.length > 500) throw new ScimError(400, 'filter: longer than 500 characters', 'invalidFilter');
  const m = COMPARISON.exec(raw);
  if (!m?.[1] || !m[2])
    throw new ScimError(
      400,
      `filter: "${raw}" is not supported; use one comparison such as userName eq "alice@example.com"`,
      'invalidFilter',
    );
  let path = m[1].toLowerCase();
  path = path.replace(/^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/, '');
  // emails[type eq "work"].value and emails[primary eq true].value name the one email chatdesk keeps.
  path = path.replace(/^emails\[[^\]]*\]\.value$/, 'emails.value');
  const attribute = ATTRIBUTES[path];
  if (!attribute || !allowed.includes(attribute))
    throw new ScimError(
      400,
      `filter: cannot filter on "${m[1]}"; supported: ${allowed.map((a) => (a === 'email' ? 'emails.value' : a)).join(', ')}`,
      'invalidFilter',
    );
  const literal = m[2];
  const value = literal.startsWith('"') ? literal.slice(1, -1).replace(/\\(.)/g, '$1') : literal;
  return { attribute, value };
}
