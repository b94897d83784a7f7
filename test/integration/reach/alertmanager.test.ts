/**
 * Prometheus Alertmanager → incidents over HTTP, with the payload of Alertmanager's documented webhook
 * format (version 4): one incident per alert group, repeats change nothing, a new alert in the group
 * updates it, the group resolving resolves it, firing again later opens the next one, the affected
 * CMDB service is linked by label, and two notifications racing (an HA pair) open one incident.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { buildTestApp } from '../../support/app.js';
import { testDatabases } from '../../support/databases.js';

const TOKEN = 'alertmanager-token-0123456789';
// biome-ignore lint/suspicious/noExplicitAny: response bodies are open JSON; the assertions check their shape.
type Json = Record<string, any>;

function payload(
  status: 'firing' | 'resolved',
  alerts: Array<{ fp: string; instance: string; status?: 'firing' | 'resolved' }>,
  groupKey = '{}/{severity="critical"}:{alertname="ProbeFailure"}',
) {
  return {
    receiver: 'chatdesk',
    status,
    alerts: alerts.map((a) => ({
      status: a.status ?? status,
      labels: {
        alertname: 'ProbeFailure',
        instance: a.instance,
        job: 'http_checks',
        monitor: 'master',
        severity: 'critical',
        service: 'SV-4001',
      },
      annotations: {
        description: `Instance ${a.instance} has been down for over 5m. Job: http_checks`,
        summary: `BlackBox Probe Failure: ${a.instance}`,
      },
      startsAt: '2026-03-02T13:08:45.828Z',
      endsAt: (a.status ?? status) === 'resolved' ? '2026-03-02T13:38:45.828Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1',
      fingerprint: a.fp,
    })),
    groupLabels: { alertname: 'ProbeFailure' },
    commonLabels: {
      alertname: 'ProbeFailure',
      job: 'http_checks',
      monitor: 'master',
      severity: 'critical',
      service: 'SV-4001',
    },
    commonAnnotations: {},
    externalURL: 'http://prometheus.example.org:9093',
    version: '4',
    groupKey,
    truncatedAlerts: 0,
  };
}

for (const database of testDatabases()) {
  describe(`Alertmanager intake (${database.name})`, () => {
    let app: App;
    let hook: string;
    let cleanup: () => Promise<void>;

    const post = async (body: unknown, token: string | null = TOKEN) => {
      const res = await fetch(hook, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const incidents = () =>
      app.db
        .selectFrom('tickets')
        .select(['number', 'state', 'priority', 'category'])
        .where('category', '=', 'monitoring')
        .orderBy('id')
        .execute();

    beforeAll(async () => {
      const db = await database.create();
      cleanup = db.cleanup;
      app = await buildTestApp(db.url, { ALERTMANAGER_TOKEN: TOKEN });
      const { url } = await app.listen();
      hook = `${url}/hooks/alertmanager`;
    }, 180_000);
    afterAll(async () => {
      await app?.close();
      await cleanup?.();
    });

    it('refuses a missing or wrong token and a payload that is not Alertmanager v4, naming the field', async () => {
      expect((await post(payload('firing', [{ fp: 'a1', instance: 'x' }]), null)).status).toBe(401);
      const wrong = await post(payload('firing', [{ fp: 'a1', instance: 'x' }]), 'not-the-token-0123456789');
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.message).toMatch(/ALERTMANAGER_TOKEN/);
      const v3 = await post({ ...payload('firing', [{ fp: 'a1', instance: 'x' }]), version: '3' });
      expect(v3.status).toBe(400);
      expect(v3.body.error.field).toBe('version');
      const bad = payload('firing', [{ fp: 'a1', instance: 'x' }]);
      (bad.alerts[0] as { status: string }).status = 'burning';
      const r = await post(bad);
      expect(r.body.error.field).toBe('alerts.0.status');
      expect(await incidents()).toHaveLength(0);
    });

    it('opens one P1 incident per group linked to the service, ignores repeats, updates, resolves, and opens the next after', async () => {
      const first = await post(
        payload('firing', [{ fp: '1a30ba71cca2921f', instance: 'https://server.example.org' }]),
      );
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ ok: true, action: 'opened', service: 'SV-4001' });
      const number = first.body.ticket as string;
      expect(number).toMatch(/^INC\d{7}$/);
      const t = await app.db
        .selectFrom('tickets')
        .selectAll()
        .where('number', '=', number)
        .executeTakeFirstOrThrow();
      expect(t).toMatchObject({
        priority: 'P1',
        category: 'monitoring',
        state: expect.stringMatching(/new|assigned/),
      });
      expect(t.title).toBe('[Alert] ProbeFailure: BlackBox Probe Failure: https://server.example.org');
      const linked = await app.db
        .selectFrom('ticket_assets as ta')
        .innerJoin('assets as a', 'a.id', 'ta.asset_id')
        .select('a.tag')
        .where('ta.ticket_id', '=', t.id)
        .execute();
      expect(linked.map((l) => l.tag)).toEqual(['SV-4001']);

      const repeat = await post(
        payload('firing', [{ fp: '1a30ba71cca2921f', instance: 'https://server.example.org' }]),
      );
      expect(repeat.body).toMatchObject({ action: 'unchanged', ticket: number });

      const grown = await post(
        payload('firing', [
          { fp: '1a30ba71cca2921f', instance: 'https://server.example.org' },
          { fp: '2b41cb82ddb3a32a', instance: 'https://mirror.example.org' },
        ]),
      );
      expect(grown.body).toMatchObject({ action: 'updated', ticket: number });
      const comments = await app.db
        .selectFrom('comments')
        .select(['body', 'internal'])
        .where('ticket_id', '=', t.id)
        .execute();
      expect(comments.at(-1)).toMatchObject({ internal: 1 });
      expect(comments.at(-1)?.body).toMatch(/2 alert\(s\) firing[\s\S]*mirror\.example\.org/);

      const resolved = await post(
        payload('resolved', [
          { fp: '1a30ba71cca2921f', instance: 'https://server.example.org' },
          { fp: '2b41cb82ddb3a32a', instance: 'https://mirror.example.org' },
        ]),
      );
      expect(resolved.body).toMatchObject({ action: 'resolved', ticket: number });
      expect((await incidents()).find((i) => i.number === number)?.state).toBe('resolved');
      const again = await post(
        payload('resolved', [{ fp: '1a30ba71cca2921f', instance: 'https://server.example.org' }]),
      );
      expect(again.body.action).toBe('ignored');

      const refire = await post(
        payload('firing', [{ fp: '1a30ba71cca2921f', instance: 'https://server.example.org' }]),
      );
      expect(refire.body.action).toBe('opened');
      expect(refire.body.ticket).not.toBe(number);
      expect(await incidents()).toHaveLength(2);
    });

    it('two notifications of a new group at once (an HA pair) open one incident; severity sets the priority', async () => {
      const body = {
        ...payload('firing', [{ fp: 'c6eadffa33fcdf37', instance: 'db-1' }], '{}:{alertname="DiskFull"}'),
        commonLabels: { alertname: 'DiskFull', severity: 'warning' },
      };
      for (const a of body.alerts) a.labels = { ...a.labels, alertname: 'DiskFull', severity: 'warning' };
      const [a, b] = await Promise.all([post(body), post(body)]);
      expect(a?.body.ticket).toBe(b?.body.ticket);
      const rows = await app.db
        .selectFrom('tickets')
        .select('priority')
        .where('number', '=', a?.body.ticket)
        .execute();
      expect(rows).toEqual([{ priority: 'P3' }]);
    });
  });
}
