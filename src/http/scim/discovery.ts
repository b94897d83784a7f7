/**
 * SCIM discovery (RFC 7644 §4, RFC 7643 §5–7): what Okta and Entra read before provisioning — the
 * features this server supports, its resource types and the schemas of the attributes it keeps.
 */
import { URN } from './protocol.js';

export const MAX_PAGE = 1000;

export function serviceProviderConfig(base: string) {
  return {
    schemas: [URN.spc],
    documentationUri: 'https://github.com/chatdesk/chatdesk/blob/main/docs/integrations.md',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'Authorization: Bearer <SCIM_TOKEN>',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string) {
  return [
    {
      schemas: [URN.resourceType],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'A person of the service desk',
      schema: URN.user,
      schemaExtensions: [{ schema: URN.enterprise, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [URN.resourceType],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'A directory group; data/directory.json maps groups to roles and support groups',
      schema: URN.group,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

type Attr = {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'reference' | 'dateTime';
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: 'readOnly' | 'readWrite' | 'immutable';
  uniqueness?: 'none' | 'server';
  subAttributes?: Attr[];
  referenceTypes?: string[];
};

function attr(a: Attr): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued ?? false,
    description: a.name,
    required: a.required ?? false,
    caseExact: a.caseExact ?? false,
    mutability: a.mutability ?? 'readWrite',
    returned: 'default',
    uniqueness: a.uniqueness ?? 'none',
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(attr) } : {}),
    ...(a.referenceTypes ? { referenceTypes: a.referenceTypes } : {}),
  };
}

const s = (name: string, extra: Partial<Attr> = {}): Attr => ({ name, type: 'string', ...extra });

export function schemas(base: string) {
  const def = (id: string, name: string, attributes: Attr[]) => ({
    schemas: [URN.schema],
    id,
    name,
    description: `${name} as chatdesk keeps it`,
    attributes: attributes.map(attr),
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` },
  });
  return [
    def(URN.user, 'User', [
      s('userName', { required: true, uniqueness: 'server' }),
      s('externalId', { caseExact: true }),
      {
        name: 'name',
        type: 'complex',
        subAttributes: [s('formatted'), s('givenName'), s('familyName'), s('middleName')],
      },
      s('displayName'),
      s('nickName'),
      s('title'),
      s('timezone'),
      s('locale'),
      s('preferredLanguage'),
      { name: 'active', type: 'boolean' },
      {
        name: 'emails',
        type: 'complex',
        multiValued: true,
        subAttributes: [s('value'), s('type'), { name: 'primary', type: 'boolean' }],
      },
    ]),
    def(URN.enterprise, 'EnterpriseUser', [
      {
        name: 'manager',
        type: 'complex',
        subAttributes: [
          { name: 'value', type: 'string' },
          { name: '$ref', type: 'reference', referenceTypes: ['User'] },
          s('displayName', { mutability: 'readOnly' }),
        ],
      },
      s('department'),
      s('employeeNumber'),
      s('organization'),
      s('division'),
      s('costCenter'),
    ]),
    def(URN.group, 'Group', [
      s('displayName', { required: true }),
      s('externalId', { caseExact: true }),
      {
        name: 'members',
        type: 'complex',
        multiValued: true,
        subAttributes: [
          s('value', { mutability: 'immutable' }),
          { name: '$ref', type: 'reference', referenceTypes: ['User'], mutability: 'immutable' },
          s('display', { mutability: 'readOnly' }),
        ],
      },
    ]),
  ];
}
