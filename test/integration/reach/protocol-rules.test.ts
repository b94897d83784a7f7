/**
 * The pure translations behind the integrations, on the inputs providers really send: SCIM filters
 * and PATCH paths (Okta, Entra), e-mail threading and loop rules, the webhook event mapping and
 * Alertmanager severities. No server: these run in milliseconds.
 */
import { describe, expect, it } from 'vitest';
import {
  parseEmail,
  stripQuoted,
  ticketFromAddress,
  ticketNumberIn,
} from '../../../src/adapters/email/message.js';
import { parseFilter } from '../../../src/http/scim/filter.js';
import { applyUserPatch, groupChangeOf } from '../../../src/http/scim/patch.js';
import { ScimError } from '../../../src/http/scim/protocol.js';
import { levelsOf } from '../../../src/itsm/alerts.js';
import { webhookTypeOf } from '../../../src/itsm/webhook-events.js';
import { signWebhook, verifyWebhook } from '../../../src/jobs/webhooks.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const op = (o: string, path?: string, value?: unknown) => ({
  op: o as 'add' | 'replace' | 'remove',
  ...(path ? { path } : {}),
  ...(value === undefined ? {} : { value }),
});

describe('SCIM filters', () => {
  const all = ['id', 'userName', 'externalId', 'email', 'displayName'] as const;
  it('reads the eq comparisons identity providers send', () => {
    expect(parseFilter('userName eq "alice@example.com"', all)).toEqual({
      attribute: 'userName',
      value: 'alice@example.com',
    });
    expect(parseFilter('USERNAME EQ "a\\"b"', all)).toEqual({ attribute: 'userName', value: 'a"b' });
    expect(parseFilter('emails[type eq "work"].value eq "x@example.com"', all)).toEqual({
      attribute: 'email',
      value: 'x@example.com',
    });
    expect(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:externalId eq "00u1"', all)).toEqual({
      attribute: 'externalId',
      value: '00u1',
    });
    expect(parseFilter(undefined, all)).toBeNull();
  });
  it('refuses what it cannot evaluate with invalidFilter', () => {
    for (const f of [
      'userName sw "a"',
      'userName eq "a" and active eq true',
      'title eq "x"',
      'x'.repeat(600),
    ]) {
      const e = (() => {
        try {
          parseFilter(f, all);
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(ScimError);
      expect((e as ScimError).scimType).toBe('invalidFilter');
    }
  });
});

describe('SCIM PATCH', () => {
  const user = {
    userName: 'a@example.com',
    emails: [{ value: 'a@example.com', type: 'work', primary: true }],
    name: { givenName: 'A' },
    active: true,
  };
  it('applies Entra paths: filtered emails, enterprise manager as a bare id, booleans as strings', () => {
    const out = applyUserPatch(user, [
      op('Replace', 'emails[type eq "work"].value', 'new@example.com'),
      op('Add', `${ENT}:manager`, '42'),
      op('Replace', 'active', 'False'),
      op('Replace', 'name.familyName', 'B'),
    ]);
    expect(out).toMatchObject({
      emails: [{ value: 'new@example.com', type: 'work' }],
      [ENT]: { manager: '42' },
      active: 'False',
      name: { givenName: 'A', familyName: 'B' },
    });
    expect(user.emails[0]?.value).toBe('a@example.com');
  });
  it('applies Okta path-less replaces with dotted keys, and removes', () => {
    expect(
      applyUserPatch(user, [op('replace', undefined, { active: false, 'name.givenName': 'Zed' })]),
    ).toMatchObject({ active: false, name: { givenName: 'Zed' } });
    expect(applyUserPatch(user, [op('remove', 'name.givenName')]).name).toEqual({});
    expect(() => applyUserPatch(user, [op('remove')])).toThrow(/Operations\.0: remove needs a path/);
  });
  it('turns group operations into member changes as each provider sends them', () => {
    expect(groupChangeOf([op('add', 'members', [{ value: '1' }, { value: '2' }])])).toEqual({
      add: ['1', '2'],
      remove: [],
    });
    expect(groupChangeOf([op('remove', 'members[value eq "3"]')])).toEqual({ add: [], remove: ['3'] });
    expect(groupChangeOf([op('Remove', 'members', [{ value: '4' }])])).toEqual({ add: [], remove: ['4'] });
    expect(groupChangeOf([op('replace', 'members', [{ value: '5' }])])).toEqual({
      add: ['5'],
      remove: 'all',
    });
    expect(groupChangeOf([op('replace', undefined, { id: '9', displayName: 'Ops' })])).toEqual({
      add: [],
      remove: [],
      displayName: 'Ops',
    });
    expect(() => groupChangeOf([op('add', 'owners', [])])).toThrow(/Operations\.0\.path/);
  });
});

describe('e-mail rules', () => {
  it('threads by the number in the subject or the +address, and keeps only what was written above the quote', () => {
    expect(ticketNumberIn('Re: [inc0000042] printer')).toBe('INC0000042');
    expect(ticketNumberIn('no number here INC12')).toBeNull();
    expect(ticketFromAddress(['x@y.z', 'help+REQ0000007@example.com'], 'help@example.com')).toBe(
      'REQ0000007',
    );
    expect(ticketFromAddress(['other+REQ0000007@example.com'], 'help@example.com')).toBeNull();
    expect(
      stripQuoted('Thanks, works now.\n\nOn Tue, 3 Mar 2026, Desk <help@example.com> wrote:\n> old text'),
    ).toBe('Thanks, works now.');
    expect(stripQuoted('> quoted\nmine\n-----Original Message-----\nFrom: x')).toBe('mine');
  });
  it('recognises automatic mail by its headers and mail from the desk itself', async () => {
    const raw = (headers: string, from = 'bob@example.com') =>
      `From: ${from}\r\nTo: help@example.com\r\nSubject: hi\r\nMessage-ID: <m@x>\r\n${headers}\r\n\r\nbody\r\n`;
    expect((await parseEmail(raw('Auto-Submitted: auto-replied'), 'help@example.com')).automatic).toMatch(
      /Auto-Submitted/,
    );
    expect((await parseEmail(raw('Auto-Submitted: no'), 'help@example.com')).automatic).toBeNull();
    expect((await parseEmail(raw('X-Autoreply: yes'), 'help@example.com')).automatic).toBe('X-Autoreply');
    expect((await parseEmail(raw('Precedence: bulk'), 'help@example.com')).automatic).toMatch(/Precedence/);
    expect((await parseEmail(raw('', 'MAILER-DAEMON@example.com'), 'help@example.com')).automatic).toMatch(
      /sent by/,
    );
    expect((await parseEmail(raw('', 'help+INC0000001@example.com'), 'help@example.com')).automatic).toBe(
      'sent by the desk itself',
    );
  });
});

describe('webhook events and signatures; alert severities', () => {
  it('maps ticket events to webhook event types', () => {
    const e = (type: string, to: string | null = null, data: Record<string, unknown> = {}) =>
      ({ type, to, data }) as Parameters<typeof webhookTypeOf>[1];
    expect(webhookTypeOf({ kind: 'incident' }, e('created'))).toBe('ticket.created');
    expect(webhookTypeOf({ kind: 'service_request' }, e('state_changed', 'resolved'))).toBe(
      'ticket.resolved',
    );
    expect(webhookTypeOf({ kind: 'incident' }, e('assigned'))).toBe('ticket.changed');
    expect(webhookTypeOf({ kind: 'incident' }, e('sla_notified', 'warning', { kind: 'warning' }))).toBe(
      'sla.warning',
    );
    expect(webhookTypeOf({ kind: 'incident' }, e('sla_notified', 'breach', { kind: 'breach' }))).toBe(
      'sla.breached',
    );
    expect(webhookTypeOf({ kind: 'problem' }, e('state_changed', 'resolved'))).toBe('problem.changed');
    expect(webhookTypeOf({ kind: 'change' }, e('created'))).toBe('change.created');
    expect(webhookTypeOf({ kind: 'incident' }, e('owner_changed'))).toBeNull();
  });
  it('verifies signatures in constant time, accepting any of several during a secret rotation', () => {
    const sig = signWebhook('s3cret-s3cret-s3cret', 1_700_000_000, '{"a":1}');
    expect(verifyWebhook('s3cret-s3cret-s3cret', sig, '1700000000', '{"a":1}', 1_700_000_100)).toBe(true);
    expect(
      verifyWebhook('s3cret-s3cret-s3cret', `v1=00, ${sig}`, '1700000000', '{"a":1}', 1_700_000_100),
    ).toBe(true);
    expect(verifyWebhook('s3cret-s3cret-s3cret', sig, 'nope', '{"a":1}', 1_700_000_100)).toBe(false);
    expect(verifyWebhook('s3cret-s3cret-s3cret', null, '1700000000', '{"a":1}', 1_700_000_100)).toBe(false);
  });
  it('turns Alertmanager severities into impact and urgency', () => {
    expect(levelsOf('critical')).toEqual({ impact: 'high', urgency: 'high' });
    expect(levelsOf('warning')).toEqual({ impact: 'medium', urgency: 'medium' });
    expect(levelsOf(undefined)).toEqual({ impact: 'low', urgency: 'low' });
  });
});
