/**
 * SCIM 2.0 over real HTTP: a client script exercising RFC 7644's operations as Okta and Microsoft
 * Entra ID send them — discovery, create, get, filter, paginate, replace, patch (with and without a
 * path, Entra's "False" strings), deactivate, delete, groups and their members — against the running
 * server on SQLite and PostgreSQL. Groups map to roles and support groups through data/directory.json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { buildTestApp } from '../../support/app.js';
import { testDatabases } from '../../support/databases.js';

const SCIM_TOKEN = 'scim-test-token-0123456789';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

// biome-ignore lint/suspicious/noExplicitAny: SCIM bodies are open-ended JSON; the assertions check their shape.
type Json = Record<string, any>;

for (const database of testDatabases()) {
  describe(`SCIM 2.0 provisioning (${database.name})`, () => {
    let app: App;
    let base: string;
    let cleanup: () => Promise<void>;

    async function scim(method: string, path: string, body?: unknown, token = SCIM_TOKEN) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
          accept: 'application/scim+json',
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      return {
        status: res.status,
        type: res.headers.get('content-type') ?? '',
        location: res.headers.get('location'),
        body: (text ? JSON.parse(text) : null) as Json,
      };
    }

    const oktaUser = (email: string, given: string, family: string, extra: Json = {}) => ({
      schemas: [USER, ENTERPRISE],
      userName: email,
      name: { givenName: given, familyName: family },
      emails: [{ primary: true, value: email, type: 'work' }],
      displayName: `${given} ${family}`,
      active: true,
      ...extra,
    });

    beforeAll(async () => {
      const db = await database.create();
      cleanup = db.cleanup;
      app = await buildTestApp(db.url, { SCIM_TOKEN });
      const { url } = await app.listen();
      base = `${url}/scim/v2`;
    }, 180_000);
    afterAll(async () => {
      await app?.close();
      await cleanup?.();
    });

    it('answers discovery as Okta and Entra read it, and refuses a missing or wrong token with a SCIM error', async () => {
      const spc = await scim('GET', '/ServiceProviderConfig');
      expect(spc.status).toBe(200);
      expect(spc.type).toContain('application/scim+json');
      expect(spc.body.patch.supported).toBe(true);
      expect(spc.body.filter.supported).toBe(true);
      expect(spc.body.authenticationSchemes[0].type).toBe('oauthbearertoken');
      const types = await scim('GET', '/ResourceTypes');
      expect(types.body.Resources.map((r: Json) => r.id)).toEqual(['User', 'Group']);
      expect(types.body.Resources[0].schemaExtensions[0].schema).toBe(ENTERPRISE);
      const schemas = await scim('GET', '/Schemas');
      expect(schemas.body.totalResults).toBe(3);
      const user = await scim('GET', `/Schemas/${USER}`);
      expect(user.body.attributes.find((a: Json) => a.name === 'userName').uniqueness).toBe('server');

      for (const token of ['', 'wrong-token-0123456789']) {
        const r = await scim('GET', '/Users', undefined, token);
        expect(r.status).toBe(401);
        expect(r.body.schemas).toEqual([ERROR]);
        expect(r.body.status).toBe('401');
        expect(r.body.detail).toMatch(/SCIM_TOKEN/);
      }
    });

    it('creates, finds by userName eq, pages, replaces and refuses a duplicate userName', async () => {
      const manager = await scim('POST', '/Users', oktaUser('nina.boss@example.com', 'Nina', 'Boss'));
      expect(manager.status).toBe(201);
      const created = await scim(
        'POST',
        '/Users',
        oktaUser('sam.new@example.com', 'Sam', 'New', {
          externalId: '00u1abcd',
          timezone: 'America/Chicago',
          title: 'Analyst',
          [ENTERPRISE]: { manager: { value: manager.body.id }, department: 'Finance' },
        }),
      );
      expect(created.status).toBe(201);
      expect(created.location).toBe(created.body.meta.location);
      expect(created.body).toMatchObject({
        userName: 'sam.new@example.com',
        externalId: '00u1abcd',
        displayName: 'Sam New',
        active: true,
        timezone: 'America/Chicago',
        title: 'Analyst',
        name: { givenName: 'Sam', familyName: 'New' },
        [ENTERPRISE]: {
          manager: { value: manager.body.id, displayName: 'Nina Boss' },
          department: 'Finance',
        },
        meta: { resourceType: 'User' },
      });
      const person = await app.directory.personByEmail('sam.new@example.com');
      expect(person).toMatchObject({
        timeZone: 'America/Chicago',
        managerId: Number(manager.body.id),
        role: 'employee',
      });

      const found = await scim(
        'GET',
        `/Users?filter=${encodeURIComponent('userName eq "SAM.NEW@example.com"')}`,
      );
      expect(found.body).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1 });
      expect(found.body.Resources[0].id).toBe(created.body.id);
      const byExternal = await scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "00u1abcd"')}`);
      expect(byExternal.body.Resources[0].id).toBe(created.body.id);
      const none = await scim(
        'GET',
        `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`,
      );
      expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });

      // The seeded directory plus the two new people, two at a time; the service account is not a user.
      const all = await scim('GET', '/Users?count=1000');
      const total = all.body.totalResults as number;
      expect(all.body.Resources.map((r: Json) => r.userName)).not.toContain('api@chatdesk.local');
      const pageTwo = await scim('GET', '/Users?startIndex=3&count=2');
      expect(pageTwo.body).toMatchObject({ totalResults: total, startIndex: 3, itemsPerPage: 2 });
      expect(pageTwo.body.Resources.map((r: Json) => r.id)).toEqual(
        all.body.Resources.slice(2, 4).map((r: Json) => r.id),
      );

      const dup = await scim('POST', '/Users', oktaUser('sam.new@example.com', 'Sam', 'Again'));
      expect(dup.status).toBe(409);
      expect(dup.body).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });

      const replaced = await scim(
        'PUT',
        `/Users/${created.body.id}`,
        oktaUser('sam.new@example.com', 'Samuel', 'New', {
          timezone: 'Europe/Paris',
          externalId: '00u1abcd',
        }),
      );
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ displayName: 'Samuel New', timezone: 'Europe/Paris' });
      // PUT replaces: the manager it no longer names is gone.
      expect(replaced.body[ENTERPRISE]?.manager).toBeUndefined();
      expect((await app.directory.personByEmail('sam.new@example.com'))?.managerId).toBeNull();
    });

    it('validates with errors that name the field', async () => {
      const noName = await scim('POST', '/Users', { schemas: [USER], emails: [{ value: 'x@example.com' }] });
      expect(noName.status).toBe(400);
      expect(noName.body).toMatchObject({ scimType: 'invalidValue' });
      expect(noName.body.detail).toMatch(/^userName: /);
      const tz = await scim(
        'POST',
        '/Users',
        oktaUser('tz@example.com', 'T', 'Z', { timezone: 'Mars/Olympus' }),
      );
      expect(tz.status).toBe(400);
      expect(tz.body.detail).toMatch(/timezone/);
      const noEmail = await scim('POST', '/Users', { schemas: [USER], userName: 'jdoe' });
      expect(noEmail.status).toBe(400);
      expect(noEmail.body.detail).toMatch(/^emails: /);
      const filter = await scim('GET', `/Users?filter=${encodeURIComponent('title co "x"')}`);
      expect(filter.status).toBe(400);
      expect(filter.body.scimType).toBe('invalidFilter');
      const syntax = await scim('POST', '/Users', '{"userName": ');
      expect(syntax.status).toBe(400);
      expect(syntax.body.scimType).toBe('invalidSyntax');
      const badOp = await scim('PATCH', '/Users/1', {
        schemas: [PATCH_OP],
        Operations: [{ op: 'move', path: 'active' }],
      });
      expect(badOp.status).toBe(400);
      expect(badOp.body.detail).toMatch(/^Operations\.0\.op: /);
      const missing = await scim('GET', '/Users/999999');
      expect(missing.status).toBe(404);
      expect(missing.body.schemas).toEqual([ERROR]);
    });

    it('maps directory groups to roles and support groups; deactivating (Entra PATCH "False") requeues open work and stops messages', async () => {
      const zoe = await scim('POST', '/Users', oktaUser('zoe.agent@example.com', 'Zoe', 'Agent'));
      const desk = await app.directory.groupBySlug('service-desk');
      expect(desk).not.toBeNull();
      const group = await scim('POST', '/Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'IT Service Desk',
        externalId: 'okta-grp-1',
        members: [{ value: zoe.body.id }],
      });
      expect(group.status).toBe(201);
      expect(group.body.members.map((m: Json) => m.value)).toEqual([zoe.body.id]);
      const zoePerson = await app.directory.personByEmail('zoe.agent@example.com');
      expect(zoePerson?.role).toBe('agent');
      expect(await app.directory.isMember(desk?.id ?? 0, zoePerson?.id ?? 0)).toBe(true);

      // Zoe works an incident; her thread with the requester is hers.
      const alice = await app.directory.personByEmail('alice@example.com');
      if (!alice || !zoePerson || !desk) throw new Error('seed data missing');
      const now = new Date().toISOString();
      const t = await app.tickets.open(
        {
          kind: 'incident',
          title: 'Printer jam on floor 3',
          description: 'It jams',
          impact: 'low',
          urgency: 'low',
          category: null,
          requester: alice,
          channel: 'api',
          groupSlug: 'service-desk',
          sourceKey: null,
        },
        now,
      );
      await app.tickets.claim(t.number, zoePerson, 'queue', 'claimed', now);
      const conv = await app.chatStore.ensureConversation(
        { platform: 'slack', channelId: 'D0ALICE', threadId: null, isDirect: true, workspaceId: 'T0001' },
        alice.id,
        now,
      );
      await app.chatStore.saveConversation(conv.id, { owner: `agent:${zoePerson.id}`, ticketId: t.id }, now);

      const off = await scim('PATCH', `/Users/${zoe.body.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
      });
      expect(off.status).toBe(200);
      expect(off.body.active).toBe(false);
      const after = await app.tickets.byIdForSystem(t.id);
      expect(after).toMatchObject({ assigneeId: null, state: 'assigned', groupId: desk.id });
      const events = await app.tickets.eventsForSystem(t.id);
      expect(events.at(-2)).toMatchObject({ type: 'assigned', to: null });
      expect(events.at(-2)?.reason).toMatch(/Zoe Agent was deactivated/);
      expect((await app.chatStore.conversation(conv.ref))?.owner).toBe('queue');
      expect(await app.engine.notifyPerson(zoePerson.id, { text: 'hello' }, 'x')).toBe(false);
      // Dispatch skips her: the group's agent list no longer offers her.
      expect((await app.directory.agentLoads(desk.id)).map((a) => a.userId)).not.toContain(zoePerson.id);
      const filtered = await scim(
        'GET',
        `/Users?filter=${encodeURIComponent('userName eq "zoe.agent@example.com"')}`,
      );
      expect(filtered.body.Resources[0].active).toBe(false);

      // Okta reactivates with a path-less replace.
      const on = await scim('PATCH', `/Users/${zoe.body.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', value: { active: true, 'name.givenName': 'Zoé' } }],
      });
      expect(on.body).toMatchObject({ active: true, name: { givenName: 'Zoé', familyName: 'Agent' } });

      // Membership changes the way each provider sends them.
      const renamed = await scim('PATCH', `/Groups/${group.body.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', value: { id: group.body.id, displayName: 'IT Service Desk' } }],
      });
      expect(renamed.status).toBe(200);
      const removed = await scim('PATCH', `/Groups/${group.body.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'remove', path: `members[value eq "${zoe.body.id}"]` }],
      });
      expect(removed.body.members).toEqual([]);
      expect((await app.directory.personByEmail('zoe.agent@example.com'))?.role).toBe('employee');
      expect(await app.directory.isMember(desk.id, zoePerson.id)).toBe(false);
      const added = await scim('PATCH', `/Groups/${group.body.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Add', path: 'members', value: [{ value: zoe.body.id }] }],
      });
      expect(added.body.members).toHaveLength(1);
      expect((await app.directory.personByEmail('zoe.agent@example.com'))?.role).toBe('agent');
      const unknownMember = await scim('PATCH', `/Groups/${group.body.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: '987654' }] }],
      });
      expect(unknownMember.status).toBe(400);
      expect(unknownMember.body.detail).toMatch(/members: no user with id 987654/);

      const list = await scim(
        'GET',
        `/Groups?filter=${encodeURIComponent('displayName eq "it service desk"')}&excludedAttributes=members`,
      );
      expect(list.body.totalResults).toBe(1);
      expect(list.body.Resources[0].members).toBeUndefined();

      // The seeded agent Grace is adopted by the directory when it provisions her.
      const grace = await scim('POST', '/Users', oktaUser('grace@example.com', 'Grace', 'Hopper'));
      expect(grace.status).toBe(201);
      const put = await scim('PUT', `/Groups/${group.body.id}`, {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'IT Service Desk',
        members: [{ value: grace.body.id }],
      });
      expect(put.body.members.map((m: Json) => m.value)).toEqual([grace.body.id]);
      expect((await app.directory.personByEmail('zoe.agent@example.com'))?.role).toBe('employee');
      expect((await app.directory.personByEmail('grace@example.com'))?.role).toBe('agent');

      expect((await scim('DELETE', `/Groups/${group.body.id}`)).status).toBe(204);
      expect((await scim('GET', `/Groups/${group.body.id}`)).status).toBe(404);
      // Grace stays in service-desk: groups.json lists her there, and the directory never removes that.
      expect(
        await app.directory.isMember(
          desk.id,
          (await app.directory.personByEmail('grace@example.com'))?.id ?? 0,
        ),
      ).toBe(true);
    });

    it('DELETE deactivates and hides the user; the same userName can be provisioned again', async () => {
      const u = await scim('POST', '/Users', oktaUser('leaver@example.com', 'Lee', 'Ver'));
      expect((await scim('DELETE', `/Users/${u.body.id}`)).status).toBe(204);
      expect((await scim('GET', `/Users/${u.body.id}`)).status).toBe(404);
      expect((await app.directory.personByEmail('leaver@example.com'))?.active).toBe(false);
      const again = await scim('POST', '/Users', oktaUser('leaver@example.com', 'Lee', 'Back'));
      expect(again.status).toBe(201);
      expect(again.body).toMatchObject({ id: u.body.id, active: true, displayName: 'Lee Back' });
    });
  });
}
