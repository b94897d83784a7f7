/**
 * Issue 14, the REST surface as an attacker meets it: a real server on a real SQLite file, the
 * shipped seed (agents in different groups, an employee, a manager). Every case is one attack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { buildTestApp, TEST_API_TOKEN } from '../support/app.js';
import { sqliteDb } from '../support/databases.js';

let app: App;
let base = '';
let cleanup: () => Promise<void>;

// biome-ignore lint/suspicious/noExplicitAny: response bodies of several shapes, read field by field
type Json = Record<string, any>;

async function call(
  method: string,
  path: string,
  opts: { as?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TEST_API_TOKEN}`,
      'content-type': 'application/json',
      ...(opts.as ? { 'x-on-behalf-of': opts.as } : {}),
      ...opts.headers,
    },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Json };
}

/** An incident in the infra group (network), opened by the API account for alice. */
async function infraTicket(): Promise<string> {
  const r = await call('POST', '/tickets', {
    body: { title: 'VPN drops every hour', requester: 'alice@example.com', group: 'infra' },
  });
  expect(r.status).toBe(201);
  return r.json.ticket.number as string;
}

beforeAll(async () => {
  const db = await sqliteDb.create();
  cleanup = db.cleanup;
  app = await buildTestApp(db.url, {});
  base = (await app.listen()).url;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await cleanup?.();
});

describe('REST attacks (issue 14)', () => {
  it('item 5: an Idempotency-Key sent for bob does not return the ticket opened with it for alice', async () => {
    const key = 'shared-key-0001';
    const forAlice = await call('POST', '/tickets', {
      body: {
        title: 'Alice private problem',
        requester: 'alice@example.com',
        description: 'salary sheet locked',
      },
      headers: { 'idempotency-key': key },
    });
    expect(forAlice.status).toBe(201);
    const forBob = await call('POST', '/tickets', {
      body: { title: 'Bob printer jam', requester: 'bob@example.com' },
      headers: { 'idempotency-key': key },
    });
    // Another requester: its own ticket, never alice's fields.
    expect(forBob.status).toBe(201);
    expect(forBob.json.ticket.number).not.toBe(forAlice.json.ticket.number);
    expect(forBob.json.ticket.title).toBe('Bob printer jam');
    // Another caller with the same key and requester: its own ticket too.
    const asBob = await call('POST', '/tickets', {
      as: 'bob@example.com',
      body: { title: 'Bob printer jam', requester: 'bob@example.com' },
      headers: { 'idempotency-key': key },
    });
    expect(asBob.status).toBe(201);
    expect(asBob.json.ticket.number).not.toBe(forBob.json.ticket.number);
  });

  it('item 5: the same key and body is a retry (same ticket); the same key with another body is 409 idempotency_conflict', async () => {
    const body = { title: 'Monitor flickers', requester: 'carol@example.com' };
    const headers = { 'idempotency-key': 'retry-key-0002' };
    const first = await call('POST', '/tickets', { body, headers });
    const retry = await call('POST', '/tickets', { body, headers });
    expect(retry.json.ticket.number).toBe(first.json.ticket.number);
    const reuse = await call('POST', '/tickets', {
      body: { ...body, title: 'Something else entirely' },
      headers,
    });
    expect(reuse.status).toBe(409);
    expect(reuse.json.error.code).toBe('idempotency_conflict');
    expect(reuse.json.error.message).not.toContain('Monitor flickers');
  });

  it('item 6: an agent of another group cannot move, resolve or annotate an infra ticket; an infra agent and a manager can', async () => {
    const number = await infraTicket();
    const grace = 'grace@example.com'; // service-desk agent, not in infra
    for (const to of ['in_progress', 'resolved']) {
      const r = await call('POST', `/tickets/${number}/transitions`, { as: grace, body: { to } });
      expect(r.status, to).toBe(403);
      expect(r.json.error.code).toBe('forbidden');
    }
    const note = await call('POST', `/tickets/${number}/comments`, {
      as: grace,
      body: { body: 'closing this, all fine', internal: true },
    });
    expect(note.status).toBe(403);
    const t = await app.tickets.get(number, (await app.directory.personByEmail('judy@example.com'))!);
    expect(t.state).not.toBe('resolved');
    // The rule lets the right people through.
    expect(
      (
        await call('POST', `/tickets/${number}/transitions`, {
          as: 'judy@example.com',
          body: { to: 'in_progress' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call('POST', `/tickets/${number}/comments`, {
          as: 'maria@example.com',
          body: { body: 'manager here' },
        })
      ).status,
    ).toBe(201);
  });

  it('item 7: an employee on behalf of whom /api/v1/kpis is read gets 403; an agent gets the report', async () => {
    for (const path of ['/kpis', '/kpis/summary', '/kpis/improvements']) {
      const r = await call('GET', path, { as: 'alice@example.com' });
      expect(r.status, path).toBe(403);
      expect(r.json.error.code).toBe('forbidden');
      expect(JSON.stringify(r.json)).not.toContain('agentLoad');
    }
    expect((await call('GET', '/kpis', { as: 'grace@example.com' })).status).toBe(200);
    expect((await call('GET', '/kpis', { as: 'nobody@example.com' })).json.error.code).toBe('unknown_user');
  });

  it('item 9: an employee asking about someone else’s ticket hears exactly what a missing number gets', async () => {
    const number = await infraTicket(); // alice's
    const other = await call('GET', `/tickets/${number}`, { as: 'bob@example.com' });
    const missing = await call('GET', '/tickets/INC9999999', { as: 'bob@example.com' });
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(other.json.error.message.replace(number, 'N')).toBe(
      missing.json.error.message.replace('INC9999999', 'N'),
    );
  });

  it('item 9: an unknown group, an unknown templateId, template fields that do not fit, 900 kB and 3,000-deep fields are refused', async () => {
    const base = { title: 'x', requester: 'alice@example.com' };
    const group = await call('POST', '/tickets', { body: { ...base, group: 'no-such-group' } });
    expect(group.status).toBe(400);
    expect(group.json.error.field).toBe('group');
    const template = await call('POST', '/tickets', { body: { ...base, templateId: 'no-such-template' } });
    expect(template.status).toBe(400);
    expect(template.json.error.field).toBe('templateId');
    const templateId = (await app.db.selectFrom('templates').select('id').executeTakeFirstOrThrow()).id;
    const unknownField = await call('POST', '/tickets', {
      body: { ...base, templateId, fields: { notAField: 'x' } },
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.json.error.field).toMatch(/^fields\./);
    const huge = await call('POST', '/tickets', { body: { ...base, fields: { blob: 'a'.repeat(900_000) } } });
    expect(huge.status).toBe(413);
    let deep: unknown = 1;
    for (let i = 0; i < 3000; i++) deep = { a: deep };
    const nested = await call('POST', '/tickets', { body: { ...base, fields: { deep } } });
    expect(nested.status).toBe(400);
    expect(nested.json.error.field).toBe('fields');
    const before = await app.db.selectFrom('tickets').select('id').where('title', '=', 'x').execute();
    expect(before).toHaveLength(0);
  });
});
