/**
 * Issue 14 item 1, the web chat as an attacker meets it. In production it signs people in with
 * one-time links (`chatdesk weblogin`) and never takes a name from the request; the demo picker
 * exists only in development, answers this machine only and only under this machine's names.
 * Last, the real `chatdesk serve` with NODE_ENV=production and demo seeding on, as the issue's
 * "done means" asks.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createWebLoginStore } from '../../src/db/web-login-store.js';
import { buildTestApp, TEST_API_TOKEN } from '../support/app.js';
import { startServer } from '../support/child-server.js';
import { sqliteDb } from '../support/databases.js';

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('web chat in production: sign-in links, never a name in a body', () => {
  let app: App;
  let base = '';
  let cleanup: () => Promise<void>;
  const issue = async (email: string, now = new Date().toISOString(), hours = 1) => {
    const person = await app.directory.personByEmail(email);
    return createWebLoginStore(app.db).issueLink(person?.id as number, now, hours);
  };
  const signIn = async (secret: string) => {
    const r = await fetch(`${base}/chat/login?token=${secret}`, { redirect: 'manual' });
    return { status: r.status, cookie: (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '' };
  };

  beforeAll(async () => {
    const db = await sqliteDb.create();
    cleanup = db.cleanup;
    app = await buildTestApp(db.url, { NODE_ENV: 'production', SEED_DEMO: 'true' });
    base = (await app.listen()).url;
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  it('acting as oscar (admin) with {"user": …} in the body, reading his replies or the directory: 401', async () => {
    const send = await post(`${base}/chat/api/messages`, {
      user: 'oscar@example.com',
      text: 'approve CHG0000001',
    });
    expect(send.status).toBe(401);
    expect(((await send.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await fetch(`${base}/chat/api/messages?user=oscar@example.com`)).status).toBe(401);
    expect((await fetch(`${base}/chat/api/people`)).status).toBe(401);
    expect(
      await app.db.selectFrom('identities').select('id').where('platform', '=', 'web').execute(),
    ).toEqual([]);
  });

  it('a login link signs alice in once; a name in the body is ignored, she acts as herself only', async () => {
    const link = await issue('alice@example.com');
    const { status, cookie } = await signIn(link.secret);
    expect(status).toBe(303);
    expect(cookie).toMatch(/^chatdesk_web=/);
    const people = (await (await fetch(`${base}/chat/api/people`, { headers: { cookie } })).json()) as {
      people: Array<{ email: string }>;
    };
    expect(people.people.map((p) => p.email)).toEqual(['alice@example.com']);
    const sent = await post(
      `${base}/chat/api/messages`,
      { user: 'oscar@example.com', text: 'hello' },
      { cookie },
    );
    expect(sent.status).toBe(200);
    const web = await app.db
      .selectFrom('conversations')
      .select('channel_id')
      .where('platform', '=', 'web')
      .execute();
    expect(web.map((r) => r.channel_id)).toEqual(['web:alice@example.com']);
    // The link is spent.
    expect((await signIn(link.secret)).status).toBe(401);
  });

  it('links are stored as SHA-256 only and expire', async () => {
    const link = await issue('bob@example.com');
    const rows = await app.db.selectFrom('web_logins').select('token_hash').execute();
    expect(rows.map((r) => r.token_hash)).not.toContain(link.secret);
    expect(rows.map((r) => r.token_hash)).toContain(createHash('sha256').update(link.secret).digest('hex'));
    const old = await issue('bob@example.com', '2020-01-01T00:00:00.000Z', 1);
    expect((await signIn(old.secret)).status).toBe(401);
    expect((await signIn('made-up-token')).status).toBe(401);
  });

  it('the demo picker cannot be switched on in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', WEB_CHAT: 'demo' })).toThrow(
      /WEB_CHAT: the demo web chat/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', WEB_CHAT_DEMO_REMOTE: 'true' })).toThrow(/WEB_CHAT/);
  });
});

describe('web chat demo (development): labelled, this machine only, Host checked', () => {
  let app: App;
  let base = '';
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const db = await sqliteDb.create();
    cleanup = db.cleanup;
    app = await buildTestApp(db.url, { NODE_ENV: 'development' });
    base = (await app.listen()).url;
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  it('the page says it is a demo where anyone can act as anyone', async () => {
    const page = await (await fetch(`${base}/chat`)).text();
    expect(page).toContain('DEMO');
    expect(page).toMatch(/anyone/);
  });

  it('DNS rebinding: a request under a foreign Host name is refused; localhost works', async () => {
    const port = Number(new URL(base).port);
    // fetch() will not send a Host of our choosing; a rebinding browser would, so node:http does.
    const withHost = (host: string, path: string, method = 'GET', body?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, path, method, headers: { host, 'content-type': 'application/json' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    for (const path of ['/chat', '/chat/api/people', '/chat/api/messages?user=oscar@example.com'])
      expect(await withHost(`attacker.example:${port}`, path), path).toBe(403);
    const body = JSON.stringify({ user: 'oscar@example.com', text: 'hi' });
    expect(await withHost('attacker.example', '/chat/api/messages', 'POST', body)).toBe(403);
    expect(await withHost(`localhost:${port}`, '/chat/api/people')).toBe(200);
    expect(await withHost(`127.0.0.1:${port}`, '/chat')).toBe(200);
  });
});

describe('NODE_ENV=production chatdesk serve with demo seeding on', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatdesk-sec-prod-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says which people exist, refuses web-chat impersonation, unauthenticated Teams, cross-requester replays, cross-group transitions and employee KPI reads', async () => {
    const server = await startServer({
      NODE_ENV: 'production',
      SEED_DEMO: 'true',
      TEAMS_ENABLED: 'true',
      API_TOKEN: TEST_API_TOKEN,
      DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`,
      NLU_THREAD: 'inline',
    });
    try {
      const out = server.output();
      expect(out).toMatch(/People: +\d+ in the directory, admins: oscar@example\.com · demo seeding on/);
      expect(out).toMatch(/Web chat: .*demo picker off: NODE_ENV=production/);
      expect(out).toMatch(/Teams: +off \(set MICROSOFT_APP_ID/);
      const api = (path: string, init: { as?: string; body?: unknown; key?: string } = {}) =>
        fetch(`${server.url}/api/v1${path}`, {
          method: init.body === undefined ? 'GET' : 'POST',
          headers: {
            authorization: `Bearer ${TEST_API_TOKEN}`,
            'content-type': 'application/json',
            ...(init.as ? { 'x-on-behalf-of': init.as } : {}),
            ...(init.key ? { 'idempotency-key': init.key } : {}),
          },
          ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        });
      expect(
        (await post(`${server.url}/chat/api/messages`, { user: 'oscar@example.com', text: 'hi' })).status,
      ).toBe(401);
      expect((await post(`${server.url}/api/messages`, { type: 'message', text: 'hi' })).status).toBe(404);
      const a = await api('/tickets', {
        body: { title: 'A', requester: 'alice@example.com', group: 'infra' },
        key: 'k1',
      });
      const b = await api('/tickets', { body: { title: 'B', requester: 'bob@example.com' }, key: 'k1' });
      const na = ((await a.json()) as { ticket: { number: string } }).ticket.number;
      expect(((await b.json()) as { ticket: { number: string } }).ticket.number).not.toBe(na);
      expect(
        (await api(`/tickets/${na}/transitions`, { as: 'grace@example.com', body: { to: 'resolved' } }))
          .status,
      ).toBe(403);
      expect((await api('/kpis', { as: 'alice@example.com' })).status).toBe(403);
    } finally {
      await server.stop();
    }
  }, 120_000);
});
