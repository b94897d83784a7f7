/**
 * Issue 14, the KPI dashboard as an attacker meets it: token guessing is throttled per client, and
 * the session cookie's Secure flag follows a proxy only when TRUST_PROXY says there is one.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LOGIN_FAILURES_ALLOWED } from '../../src/adapters/dashboard/router.js';
import type { App } from '../../src/app.js';
import { buildTestApp, TEST_API_TOKEN } from '../support/app.js';
import { sqliteDb } from '../support/databases.js';

const cleanups: Array<() => Promise<void>> = [];
async function start(env: Record<string, string> = {}): Promise<{ app: App; base: string }> {
  const db = await sqliteDb.create();
  const app = await buildTestApp(db.url, { ...env });
  cleanups.push(async () => {
    await app.close();
    await db.cleanup();
  });
  return { app, base: (await app.listen()).url };
}
afterAll(async () => {
  for (const c of cleanups) await c();
});

const login = (base: string, token: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/dashboard/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ token }).toString(),
  });

describe('dashboard attacks (issue 14)', () => {
  it('item 9: guessing the login token is throttled: after a few wrong tokens even the right one waits (429, Retry-After)', async () => {
    const { base } = await start();
    for (let i = 0; i < LOGIN_FAILURES_ALLOWED; i++)
      expect((await login(base, `guess-number-${i}-0000000`)).status).toBe(401);
    const blocked = await login(base, 'yet-another-guess-000000');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await login(base, TEST_API_TOKEN)).status).toBe(429);
  }, 120_000);

  it('item 9: X-Forwarded-Proto is ignored unless TRUST_PROXY=true; with it, the cookie is Secure', async () => {
    const direct = await start();
    const forged = await login(direct.base, TEST_API_TOKEN, { 'x-forwarded-proto': 'https' });
    expect(forged.status).toBe(303);
    expect(forged.headers.get('set-cookie')).not.toMatch(/;\s*Secure/i);
    const proxied = await start({ TRUST_PROXY: 'true' });
    const viaProxy = await login(proxied.base, TEST_API_TOKEN, { 'x-forwarded-proto': 'https' });
    expect(viaProxy.status).toBe(303);
    expect(viaProxy.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
  }, 180_000);
});
