import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { buildTestApp, TEST_API_TOKEN } from '../support/app.js';
import { testDatabases } from '../support/databases.js';

for (const kind of testDatabases()) {
  describe(`HTTP server on ${kind.name}: health, REST API, web chat`, () => {
    let app: App;
    let url: string;
    let cleanup: () => Promise<void>;
    const auth = { authorization: `Bearer ${TEST_API_TOKEN}`, 'content-type': 'application/json' };

    beforeAll(async () => {
      const db = await kind.create();
      cleanup = db.cleanup;
      app = await buildTestApp(db.url, {});
      ({ url } = await app.listen());
    }, 120_000);

    afterAll(async () => {
      await app?.close();
      await cleanup?.();
    });

    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${url}/api/v1${path}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });

    it('answers /healthz with the database state', async () => {
      const r = await fetch(`${url}/healthz`);
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ ok: true, db: 'ok', dialect: kind.name });
    });

    it('refuses the REST API without the right bearer token', async () => {
      const none = await fetch(`${url}/api/v1/tickets`);
      expect(none.status).toBe(401);
      expect(await none.json()).toMatchObject({ error: { code: 'unauthorized' } });
      const wrong = await fetch(`${url}/api/v1/tickets`, {
        headers: { authorization: 'Bearer nope-nope-nope-nope' },
      });
      expect(wrong.status).toBe(401);
    });

    it('creates, shows, lists and transitions a ticket, with events and SLA state', async () => {
      const created = await api('/tickets', {
        method: 'POST',
        body: JSON.stringify({
          title: 'Wifi down on floor 2',
          description: 'nobody on floor 2 has wifi',
          impact: 'high',
          urgency: 'high',
          requester: 'carol@example.com',
          category: 'network',
        }),
      });
      expect(created.status).toBe(201);
      const { ticket } = (await created.json()) as {
        ticket: { number: string; priority: string; state: string };
      };
      expect(ticket.number).toMatch(/^INC\d{7}$/);
      expect(ticket.priority).toBe('P1');

      const shown = await api(`/tickets/${ticket.number}`);
      expect(shown.status).toBe(200);
      const body = (await shown.json()) as {
        events: Array<{ type: string }>;
        sla: { response: { targetMinutes: number; dueAt: string } };
        group: { slug: string };
        owner: string;
      };
      expect(body.events[0]?.type).toBe('created');
      expect(body.sla.response.targetMinutes).toBe(15);
      expect(body.group.slug).toBe('infra');
      expect(body.owner).toBe('bot');

      const moved = await api(`/tickets/${ticket.number}/transitions`, {
        method: 'POST',
        body: JSON.stringify({ to: 'pending', pendingReason: 'vendor', reason: 'waiting for the ISP' }),
      });
      expect(moved.status).toBe(200);
      expect(((await moved.json()) as { ticket: { state: string } }).ticket.state).toBe('pending');

      const listed = await api('/tickets?requester=carol@example.com&state=pending');
      const list = (await listed.json()) as { tickets: Array<{ number: string }> };
      expect(list.tickets.map((t) => t.number)).toContain(ticket.number);
    });

    it('returns JSON errors that name the field, the allowed transitions, or the missing ticket', async () => {
      const bad = await api('/tickets', {
        method: 'POST',
        body: JSON.stringify({ title: '', requester: 'not-an-email' }),
      });
      expect(bad.status).toBe(400);
      const badBody = (await bad.json()) as { error: { code: string; field: string; message: string } };
      expect(badBody.error.code).toBe('validation_failed');
      expect(badBody.error.message).toMatch(/title|requester/);

      const missing = await api('/tickets/INC9999999');
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(
        /no ticket INC9999999/,
      );

      const malformed = await api('/tickets/hello');
      expect(malformed.status).toBe(400);

      const created = await api('/tickets', {
        method: 'POST',
        body: JSON.stringify({ title: 'Mouse broken', requester: 'dave@example.com' }),
      });
      const { ticket } = (await created.json()) as { ticket: { number: string } };
      const illegal = await api(`/tickets/${ticket.number}/transitions`, {
        method: 'POST',
        body: JSON.stringify({ to: 'closed' }),
      });
      expect(illegal.status).toBe(409);
      expect(((await illegal.json()) as { error: { message: string } }).error.message).toMatch(
        /Cannot move .* Allowed: /,
      );

      const notJson = await fetch(`${url}/api/v1/tickets`, {
        method: 'POST',
        headers: auth,
        body: '{"title":',
      });
      expect(notJson.status).toBe(400);
    });

    it('lets an employee see only their own tickets through X-On-Behalf-Of', async () => {
      const created = await api('/tickets', {
        method: 'POST',
        body: JSON.stringify({ title: 'Salesforce access', requester: 'erin@example.com' }),
      });
      const { ticket } = (await created.json()) as { ticket: { number: string } };
      const asFrank = await api(`/tickets/${ticket.number}`, {
        headers: { 'x-on-behalf-of': 'frank@example.com' },
      });
      expect(asFrank.status).toBe(404);
      const asErin = await api(`/tickets/${ticket.number}`, {
        headers: { 'x-on-behalf-of': 'erin@example.com' },
      });
      expect(asErin.status).toBe(200);
      const frankList = (await (
        await api('/tickets', { headers: { 'x-on-behalf-of': 'frank@example.com' } })
      ).json()) as { tickets: unknown[] };
      expect(frankList.tickets).toEqual([]);
      const change = await api(`/tickets/${ticket.number}/transitions`, {
        method: 'POST',
        headers: { 'x-on-behalf-of': 'frank@example.com' },
        body: JSON.stringify({ to: 'cancelled' }),
      });
      expect(change.status).toBe(404);
    });

    it('serves the web chat, which opens an incident through the same engine', async () => {
      const page = await fetch(`${url}/chat`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('chatdesk');
      const people = (await (await fetch(`${url}/chat/api/people`)).json()) as {
        people: Array<{ email: string }>;
      };
      expect(people.people.map((p) => p.email)).toContain('alice@example.com');
      const r = await fetch(`${url}/chat/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'alice@example.com', text: 'my email is not syncing on my phone' }),
      });
      expect(r.status).toBe(200);
      const { replies } = (await r.json()) as { replies: Array<{ text: string; card?: { number: string } }> };
      expect(replies[0]?.text).toMatch(/INC\d{7}/);
      expect(replies[0]?.card?.number).toMatch(/INC\d{7}/);
      // An agent resolves it through the REST API: the requester is told in the chat and asked for a rating.
      const number = replies[0]?.card?.number ?? '';
      const resolved = await api(`/tickets/${number}/transitions`, {
        method: 'POST',
        body: JSON.stringify({ to: 'resolved', reason: 'reconfigured the mail profile' }),
      });
      expect(resolved.status).toBe(200);
      await app.drain();
      const later = (await (
        await fetch(
          `${url}/chat/api/messages?user=alice@example.com&after=${encodeURIComponent(String((replies.at(-1) as { id?: string } | undefined)?.id ?? ''))}`,
        )
      ).json()) as { replies: Array<{ text: string; choices?: unknown[] }> };
      const notice = later.replies.find((r) => r.text.includes(`${number} is resolved`));
      expect(notice?.text).toMatch(/Rate 1 \(poor\) to 5/);
      expect(notice?.choices).toHaveLength(5);
      const rated = await fetch(`${url}/chat/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'alice@example.com', text: '4' }),
      });
      expect(((await rated.json()) as { replies: Array<{ text: string }> }).replies[0]?.text).toMatch(
        /Thanks for rating/,
      );
      const bad = await fetch(`${url}/chat/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'nope', text: 1 }),
      });
      expect(bad.status).toBe(400);
    });
  });
}
