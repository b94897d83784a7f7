/**
 * The KPI dashboard in a real headless browser: Debian's chromium driven by playwright-core (never a
 * downloaded browser). Logs in with the token, waits for the charts, switches the period, and keeps a
 * screenshot in test-artifacts/dashboard.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { buildTestApp } from '../support/app.js';
import { sqliteDb } from '../support/databases.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../test-artifacts');
const TOKEN = 'dashboard-token-0123456789';
const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  process.stderr.write(
    `dashboard browser test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)\n`,
  );

describe.skipIf(!haveChromium)('dashboard in headless chromium', () => {
  let app: App;
  let url: string;
  let cleanup: () => Promise<void>;
  let browser: Browser;
  let clock = T0;

  beforeAll(async () => {
    const db = await sqliteDb.create();
    cleanup = db.cleanup;
    app = await buildTestApp(db.url, { DASHBOARD_TOKEN: TOKEN }, { now: () => new Date(clock) });
    url = (await app.listen()).url;
    const alice = await app.directory.personByEmail('alice@example.com');
    // Heidi works the Workplace group, where printer tickets go (only a group's agents work its tickets).
    const heidi = await app.directory.personByEmail('heidi@example.com');
    if (!alice || !heidi) throw new Error('seed people missing');
    // Two weeks of tickets so the trend lines have points.
    for (let d = 0; d < 14; d++) {
      const t = await app.tickets.open(
        {
          kind: 'incident',
          title: `Printer jam ${d}`,
          description: 'printer jam',
          impact: 'low',
          urgency: d % 3 === 0 ? 'high' : 'medium',
          category: 'printer',
          requester: alice,
          channel: d % 2 === 0 ? 'slack' : 'teams',
        },
        at(d * 1440),
      );
      if (d % 4 !== 3) {
        await app.tickets.transition(t.number, 'in_progress', heidi, {}, at(d * 1440 + 20 + d * 5));
        await app.tickets.transition(t.number, 'resolved', heidi, {}, at(d * 1440 + 90 + d * 30));
        await app.tickets.rate(t.number, alice, 3 + (d % 3), null, at(d * 1440 + 200));
      }
    }
    clock = T0 + 14 * 1440 * 60_000;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await cleanup?.();
  });

  it('refuses data without a login and a wrong token', async () => {
    expect((await fetch(`${url}/dashboard/data.json`)).status).toBe(401);
    const page = await browser.newPage();
    await page.goto(`${url}/`);
    await page.fill('#token', 'wrong-token-wrong-token');
    await page.click('button[type=submit]');
    await expect(page.locator('#login-error').textContent()).resolves.toContain('Wrong token');
    await page.close();
  });

  it('logs in, draws the charts from the data, switches the period, and saves a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    // Issue 18 item 12: the manager's view of the improvement register is on the dashboard too.
    await app.kpiStore.recordBreaches(
      [
        {
          key: 'fcr:desk',
          kpi: 'fcr',
          scopeKind: 'desk',
          scope: 'all',
          title: 'First-contact resolution below target',
          target: 0.7,
          value: 0.5,
          n: 14,
          evidence: {},
        } as never,
      ],
      at(14 * 1440),
    );
    await page.goto(`${url}/`);
    await page.fill('#token', TOKEN);
    await page.click('button[type=submit]');
    await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
    const tiles = await page.locator('#tiles').innerText();
    expect(tiles).toContain('14');
    expect(tiles).toContain('SLA resolution');
    const charts = await page.evaluate(() => {
      const C = (
        globalThis as unknown as {
          Chart: { getChart(id: string): { data: { labels: unknown[] } } | undefined };
        }
      ).Chart;
      return ['chart-volume', 'chart-mttr', 'chart-sla', 'chart-backlog', 'chart-deflection'].map(
        (id) => C.getChart(id)?.data.labels.length ?? -1,
      );
    });
    expect(charts.every((n) => n > 0)).toBe(true);
    expect(await page.locator('#groups tbody tr').count()).toBeGreaterThan(0);
    const register = await page.locator('#improvements').innerText();
    expect(register).toContain('First-contact resolution below target');
    expect(register).toMatch(/1 open · 0 in progress/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    await page.selectOption('#since', '7d');
    await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
    expect(await page.locator('#status').innerText()).toContain('2026-03-09');
    expect(errors).toEqual([]);
    await page.close();
  });
});
