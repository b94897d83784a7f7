/**
 * KPI report, CSI register, REST endpoint, Prometheus metrics and the ServiceNow import on the real
 * app and a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { importServiceNowLog } from '../../src/cli/commands/import.js';
import { createKpiService } from '../../src/itsm/kpis/service.js';
import { parseKpiTargets } from '../../src/itsm/kpis/targets.js';
import { DEFAULT_SLA_CONFIG } from '../../src/itsm/sla.js';
import { buildTestApp, TEST_API_TOKEN } from '../support/app.js';
import { testDatabases } from '../support/databases.js';

const DATASET = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../shared/datasets/itsm_incident_event_log',
);
const T0 = Date.parse('2026-03-02T10:00:00.000Z'); // a Monday, inside business hours
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

for (const tdb of testDatabases()) {
  describe(`KPIs on ${tdb.name}`, () => {
    let app: App;
    let url: string;
    let cleanup: () => Promise<void>;
    let clock = T0;

    beforeAll(async () => {
      const db = await tdb.create();
      cleanup = db.cleanup;
      app = await buildTestApp(db.url, {}, { now: () => new Date(clock) });
      url = (await app.listen()).url;

      const person = async (email: string) => {
        const p = await app.directory.personByEmail(email);
        if (!p) throw new Error(`seed lacks ${email}`);
        return p;
      };
      const [alice, bob, carol, grace] = await Promise.all(
        ['alice@example.com', 'bob@example.com', 'carol@example.com', 'grace@example.com'].map(person),
      );
      if (!alice || !bob || !carol || !grace) throw new Error('seed people missing');
      // A: opened by the bot from Slack, started after 30 min, resolved after 60, rated 5.
      const a = await app.tickets.open(
        {
          kind: 'incident',
          title: 'Outlook crashes',
          description: 'Outlook crashes on start',
          impact: 'medium',
          urgency: 'medium',
          category: 'email',
          requester: alice,
          channel: 'slack',
          decisions: { intent: 'report_incident', confidence: 0.9 },
        },
        at(0),
      );
      await app.tickets.transition(a.number, 'in_progress', grace, {}, at(30));
      await app.tickets.transition(a.number, 'resolved', grace, { reason: 'profile rebuilt' }, at(60));
      await app.tickets.rate(a.number, alice, 5, 'quick', at(70));
      // B: from Teams, handed off by the bot because no article answered, never touched: open.
      const b = await app.tickets.open(
        {
          kind: 'incident',
          title: 'VPN drops',
          description: 'VPN drops every hour',
          impact: 'medium',
          urgency: 'medium',
          category: 'network',
          requester: bob,
          channel: 'teams',
          decisions: { handoff: 'no knowledge article answers the question' },
        },
        at(5),
      );
      await app.tickets.recordOwner(
        b.number,
        'bot',
        'queue',
        null,
        'no knowledge article answers the question',
        at(5),
      );
      // A knowledge answer accepted 5 days ago that did not come back: one verified deflection.
      const id = await app.chatStore.recordKbAnswer({
        personId: carol.id,
        articleId: 'kb-password-reset',
        query: 'reset my password',
        intent: 'password_reset',
        confidence: 0.8,
        platform: 'slack',
        answeredAt: at(-5 * 1440),
      });
      await app.chatStore.setKbOutcome(id, 'accepted', at(-5 * 1440 + 1), null);
      clock = T0 + 120 * 60_000;
    });

    afterAll(async () => {
      await app?.close();
      await cleanup?.();
    });

    it('computes the report from the event log', async () => {
      const r = await app.kpis.report({ since: '30d' });
      expect(r.overall.tickets).toBe(2);
      expect(r.overall.open).toBe(1);
      expect(r.overall.mtta).toMatchObject({ mean: 30, n: 1 });
      expect(r.overall.mttr).toMatchObject({ mean: 60, n: 1 });
      expect(r.overall.slaResolution).toMatchObject({ num: 1, den: 1 });
      expect(r.overall.fcr).toMatchObject({ num: 1, den: 1 });
      expect(r.volumeByChannel).toEqual({ slack: 1, teams: 1 });
      expect(r.csat.human).toMatchObject({ mean: 5, n: 1 });
      expect(r.deflection).toMatchObject({ verified: 1, pending: 0, returned: 0 });
      expect(r.deflection?.rate).toMatchObject({ num: 1, den: 3 });
      expect(r.handoffsByReason).toEqual({ 'no knowledge article answers the question': 1 });
      expect(r.knowledgeGaps[0]).toMatchObject({ category: 'network', count: 1 });
      expect(r.backlogByAge[0]).toEqual({ bucket: '<1d', count: 1 });
      const byGroup = await app.kpis.report({ since: '30d', group: r.byGroup[0]?.key ?? 'service-desk' });
      expect(byGroup.deflection).toBeNull();
      await expect(app.kpis.report({ group: 'no-such-group' })).rejects.toThrow(
        /There is no group "no-such-group"/,
      );
    });

    it('opens improvement items for missed targets once, then refreshes them', async () => {
      const kpis = createKpiService({
        source: app.kpiStore,
        sla: DEFAULT_SLA_CONFIG,
        targets: parseKpiTargets({
          minSample: 1,
          targets: [
            { kpi: 'slaResponse', min: 0.99, scopes: ['desk'] },
            { kpi: 'deflection', min: 0.5, scopes: ['desk'] },
          ],
        }),
        now: () => new Date(clock),
      });
      const r = await kpis.report({ since: '30d' });
      const breaches = kpis.breaches(r);
      expect(breaches.map((b) => b.key)).toContain('deflection:desk:all');
      const first = await app.kpiStore.recordBreaches(breaches, r.generatedAt);
      const again = await app.kpiStore.recordBreaches(breaches, r.generatedAt);
      expect(first.opened).toBe(breaches.length);
      expect(again).toEqual({ opened: 0, updated: breaches.length });
      const items = await app.kpiStore.improvementItems({ status: 'open' });
      expect(items.find((i) => i.key === 'deflection:desk:all')).toMatchObject({
        kpi: 'deflection',
        scopeKind: 'desk',
        evidence: expect.objectContaining({ verified: 1 }),
      });
      expect(await kpis.summary({ since: '30d' })).toMatch(/To fix \(\d targets? missed\)/);
    });

    it('serves GET /api/v1/kpis (bearer) as JSON and CSV', async () => {
      const noAuth = await fetch(`${url}/api/v1/kpis`);
      expect(noAuth.status).toBe(401);
      const res = await fetch(`${url}/api/v1/kpis?since=30d`, {
        headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { report: { overall: { tickets: number } }; breaches: unknown[] };
      expect(body.report.overall.tickets).toBe(2);
      const csv = await fetch(`${url}/api/v1/kpis?format=csv`, {
        headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
      });
      expect((await csv.text()).split('\n')[1]).toMatch(/^overall,all,2,1,/);
      const bad = await fetch(`${url}/api/v1/kpis?since=yesterday`, {
        headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/30d/);
      const summary = await fetch(`${url}/api/v1/kpis/summary`, {
        headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
      });
      expect(((await summary.json()) as { text: string }).text).toContain('SLA: response');
    });

    it('serves GET /metrics in Prometheus text format', async () => {
      await app.nlu.intents.classify('my vpn is broken');
      const res = await fetch(`${url}/metrics`);
      expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
      const text = await res.text();
      expect(text).toContain('# TYPE chatdesk_handoffs_total counter');
      expect(text).toContain('chatdesk_handoffs_total{reason="no knowledge article answers the question"} 1');
      expect(text).toMatch(/chatdesk_tickets_open\{group="[^"]+"\} 1/);
      expect(text).toContain('chatdesk_sla_breached_open_tickets{clock="response"}');
      expect(text).toMatch(/chatdesk_classifier_confidence_count 1/);
      expect(text).not.toContain('collector errors');
    });

    it.skipIf(!existsSync(join(DATASET, 'events.csv')))(
      'imports the ServiceNow event log (first 150 incidents) idempotently and reports on it',
      async () => {
        const first = await importServiceNowLog(app.kpiStore, DATASET, { limit: 150, now: at(0) });
        expect(first.tickets).toBe(150);
        expect(first.events).toBeGreaterThan(750);
        const again = await importServiceNowLog(app.kpiStore, DATASET, { limit: 150, now: at(0) });
        expect(again).toMatchObject({ tickets: 0, skipped: 150 });
        const input = await app.kpiStore.load({
          since: '2016-01-01T00:00:00.000Z',
          until: '2016-12-31T00:00:00.000Z',
        });
        const sn = input.tickets.filter((t) => t.number.startsWith('INC') && t.channel === 'phone');
        expect(sn.length).toBeGreaterThan(120);
        const r = await app.kpis.report({ since: '2016-01-01' });
        expect(r.byChannel.find((c) => c.key === 'phone')?.tickets).toBeGreaterThan(120);
        expect(r.byGroup.some((g) => g.key.startsWith('sn-'))).toBe(true);
        // New tickets must not collide with imported numbers.
        const alice = await app.directory.personByEmail('alice@example.com');
        if (!alice) throw new Error('no alice');
        const t = await app.tickets.open(
          {
            kind: 'incident',
            title: 'after import',
            description: 'x',
            impact: 'low',
            urgency: 'low',
            category: null,
            requester: alice,
            channel: 'api',
          },
          at(200),
        );
        expect(Number(t.number.slice(3))).toBeGreaterThan(150);
      },
    );
    if (!existsSync(join(DATASET, 'events.csv')))
      process.stderr.write(`ServiceNow import test skipped: ${DATASET} is absent\n`);
  });
}
