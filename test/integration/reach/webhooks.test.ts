/**
 * Outbound webhooks end to end over HTTP: subscribers are managed over REST, ticket events from the
 * REST API and the SLA sweep reach a real local receiver signed with HMAC-SHA256 over
 * `timestamp.body`, failures are retried with backoff from the durable queue, nothing is sent twice,
 * and each subscriber's delivery log is readable over REST. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { verifyWebhook } from '../../../src/jobs/webhooks.js';
import { buildTestApp, TEST_API_TOKEN } from '../../support/app.js';
import { testDatabases } from '../../support/databases.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.js';

// biome-ignore lint/suspicious/noExplicitAny: REST bodies are open JSON; the assertions check their shape.
type Json = Record<string, any>;

for (const database of testDatabases()) {
  describe(`outbound webhooks (${database.name})`, () => {
    let app: App;
    let api: string;
    let receiver: WebhookReceiver;
    let cleanup: () => Promise<void>;
    let clock = Date.parse('2026-03-02T09:00:00Z');

    async function rest(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(`${api}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TEST_API_TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
    }

    beforeAll(async () => {
      const db = await database.create();
      cleanup = db.cleanup;
      receiver = await startWebhookReceiver();
      app = await buildTestApp(db.url, {}, { now: () => new Date(clock) });
      const { url } = await app.listen();
      api = `${url}/api/v1`;
    }, 180_000);
    afterAll(async () => {
      await app?.close();
      await receiver?.close();
      await cleanup?.();
    });

    it('validates subscribers, names the field, and lets only admins manage them', async () => {
      const badUrl = await rest('POST', '/webhooks', {
        name: 'x',
        url: 'ftp://example.com/hook',
        events: ['ticket.created'],
      });
      expect(badUrl.status).toBe(400);
      expect(badUrl.body.error).toMatchObject({ code: 'validation_failed', field: 'url' });
      const badEvent = await rest('POST', '/webhooks', {
        name: 'x',
        url: receiver.url,
        events: ['ticket.exploded'],
      });
      expect(badEvent.body.error.field).toBe('events.0');
      expect(badEvent.body.error.message).toMatch(/ticket\.created/);
      const shortSecret = await rest('POST', '/webhooks', {
        name: 'x',
        url: receiver.url,
        events: ['*'],
        secret: 'short',
      });
      expect(shortSecret.body.error.field).toBe('secret');
      const asEmployee = await rest('GET', '/webhooks', undefined, { 'x-on-behalf-of': 'alice@example.com' });
      expect(asEmployee.status).toBe(403);
      const noToken = await fetch(`${api}/webhooks`);
      expect(noToken.status).toBe(401);
    });

    it('delivers signed ticket and SLA events, retries a 503 with backoff, never twice, with a log per subscriber', async () => {
      const created = await rest('POST', '/webhooks', {
        name: 'ops-bridge',
        url: receiver.url,
        events: ['ticket.created', 'ticket.resolved', 'sla.breached'],
      });
      expect(created.status).toBe(201);
      const secret = created.body.secret as string;
      expect(secret).toMatch(/^whsec_/);
      const hookId = created.body.webhook.id as number;
      expect(created.body.webhook.secret).toBeUndefined();

      receiver.failNext(503);
      const ticket = await rest('POST', '/tickets', {
        title: 'Payroll export fails',
        requester: 'alice@example.com',
        impact: 'high',
        urgency: 'high',
      });
      expect(ticket.status).toBe(201);
      const number = ticket.body.ticket.number as string;
      await app.deliveries.flush();
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]?.answered).toBe(503);
      let log = await rest('GET', `/webhooks/${hookId}/deliveries`);
      expect(log.body.deliveries).toHaveLength(1);
      expect(log.body.deliveries[0]).toMatchObject({
        eventType: 'ticket.created',
        status: 'pending',
        attempts: 1,
        responseStatus: 503,
      });
      expect(Date.parse(log.body.deliveries[0].nextAttemptAt)).toBeGreaterThan(clock);

      // Not yet due: nothing is sent. Due: delivered.
      await app.deliveries.flush();
      expect(receiver.received).toHaveLength(1);
      clock += 10 * 60_000;
      await app.deliveries.flush();
      expect(receiver.received).toHaveLength(2);
      const ok = receiver.received[1];
      if (!ok) throw new Error('no delivery');
      expect(ok.answered).toBe(200);
      expect(ok.headers['x-chatdesk-event']).toBe('ticket.created');
      const nowS = Math.floor(clock / 1000);
      expect(
        verifyWebhook(
          secret,
          ok.headers['x-chatdesk-signature'],
          ok.headers['x-chatdesk-timestamp'],
          ok.body,
          nowS,
        ),
      ).toBe(true);
      // A receiver refuses a tampered body, another secret, and an old timestamp.
      expect(
        verifyWebhook(
          secret,
          ok.headers['x-chatdesk-signature'],
          ok.headers['x-chatdesk-timestamp'],
          `${ok.body} `,
          nowS,
        ),
      ).toBe(false);
      expect(
        verifyWebhook(
          'another-secret-0123456789',
          ok.headers['x-chatdesk-signature'],
          ok.headers['x-chatdesk-timestamp'],
          ok.body,
          nowS,
        ),
      ).toBe(false);
      expect(
        verifyWebhook(
          secret,
          ok.headers['x-chatdesk-signature'],
          ok.headers['x-chatdesk-timestamp'],
          ok.body,
          nowS + 600,
        ),
      ).toBe(false);
      const payload = JSON.parse(ok.body) as Json;
      expect(payload).toMatchObject({
        type: 'ticket.created',
        ticket: { number, priority: 'P1', requester: 'alice@example.com', state: expect.any(String) },
        change: { event: 'created' },
      });
      expect(payload.id).toMatch(/^evt_\d+$/);
      // The first (failed) attempt carried the same event id: receivers deduplicate on it.
      expect(JSON.parse(receiver.received[0]?.body ?? '{}').id).toBe(payload.id);

      // The SLA sweep breaches the P1 four hours on: sla.breached goes out; ticket.changed was not subscribed.
      clock += 5 * 3600_000;
      await app.itil.sweep(new Date(clock).toISOString());
      await app.deliveries.flush();
      const breaches = receiver.received.filter((r) => r.headers['x-chatdesk-event'] === 'sla.breached');
      expect(breaches.length).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(breaches[0]?.body ?? '{}')).toMatchObject({
        ticket: { number },
        change: { data: { kind: 'breach' } },
      });
      expect(receiver.received.some((r) => r.headers['x-chatdesk-event'] === 'ticket.changed')).toBe(false);

      const resolved = await rest('POST', `/tickets/${number}/transitions`, {
        to: 'resolved',
        reason: 'export fixed',
      });
      expect(resolved.status).toBe(200);
      await app.deliveries.flush();
      const res = receiver.received.filter((r) => r.headers['x-chatdesk-event'] === 'ticket.resolved');
      expect(res).toHaveLength(1);
      expect(JSON.parse(res[0]?.body ?? '{}')).toMatchObject({
        ticket: { state: 'resolved' },
        change: { to: 'resolved', reason: 'export fixed' },
      });

      // Running the dispatcher again sends nothing twice.
      const count = receiver.received.length;
      await app.deliveries.flush();
      await app.deliveries.runOnce();
      expect(receiver.received).toHaveLength(count);

      log = await rest('GET', `/webhooks/${hookId}/deliveries?status=sent`);
      expect(log.body.deliveries.map((d: Json) => d.eventType)).toContain('ticket.resolved');
      expect(log.body.deliveries.every((d: Json) => d.status === 'sent' && d.responseStatus === 200)).toBe(
        true,
      );
    });

    it('gives up on a 4xx at once, redelivers on request, pings, pauses and deletes', async () => {
      const hook = await rest('POST', '/webhooks', {
        name: 'strict',
        url: receiver.url,
        events: ['*'],
        secret: 'a-secret-of-sixteen+',
      });
      const id = hook.body.webhook.id as number;
      receiver.failNext(410);
      const ping = await rest('POST', `/webhooks/${id}/ping`);
      expect(ping.status).toBe(202);
      await app.deliveries.flush();
      let log = await rest('GET', `/webhooks/${id}/deliveries`);
      expect(log.body.deliveries[0]).toMatchObject({
        eventType: 'ping',
        status: 'dead',
        responseStatus: 410,
        attempts: 1,
      });
      const again = await rest('POST', `/webhooks/${id}/deliveries/${log.body.deliveries[0].id}/redeliver`);
      expect(again.status).toBe(202);
      await app.deliveries.flush();
      log = await rest('GET', `/webhooks/${id}/deliveries`);
      expect(log.body.deliveries[0]).toMatchObject({ status: 'sent', responseStatus: 200 });
      const last = receiver.received.at(-1);
      expect(
        verifyWebhook(
          'a-secret-of-sixteen+',
          last?.headers['x-chatdesk-signature'],
          last?.headers['x-chatdesk-timestamp'],
          last?.body ?? '',
          Math.floor(clock / 1000),
        ),
      ).toBe(true);

      const paused = await rest('PATCH', `/webhooks/${id}`, { active: false });
      expect(paused.body.webhook.active).toBe(false);
      const before = receiver.received.length;
      await rest('POST', '/tickets', { title: 'Mouse broken', requester: 'bob@example.com' });
      await app.deliveries.flush();
      // ops-bridge (still active) gets the new ticket; the paused subscriber gets nothing.
      const mouse = receiver.received
        .slice(before)
        .filter((r) => JSON.parse(r.body).ticket?.title === 'Mouse broken');
      expect(mouse.map((r) => r.headers['x-chatdesk-event'])).toEqual(['ticket.created']);
      expect(receiver.received.length).toBe(before + 1);
      expect((await rest('DELETE', `/webhooks/${id}`)).status).toBe(204);
      expect((await rest('GET', `/webhooks/${id}`)).status).toBe(404);
    });
  });
}
