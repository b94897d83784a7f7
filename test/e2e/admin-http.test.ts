/**
 * What an admin meets over HTTP: REST list rows carry names next to ids; the dashboard without a
 * token answers 503 saying which variable to set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { buildTestApp, TEST_API_TOKEN } from '../support/app.js';
import { testDatabases } from '../support/databases.js';

describe('admin-facing HTTP details', () => {
  const sqlite = testDatabases()[0];
  const apps: App[] = [];
  const urls: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    if (!sqlite) throw new Error('no SQLite test database');
    const envs: Array<Record<string, string>> = [
      {}, // API_TOKEN set (buildTestApp's), no proxy trusted
      { API_TOKEN: '' }, // no token at all
    ];
    await Promise.all(
      envs.map(async (env, i) => {
        const db = await sqlite.create();
        cleanups.push(db.cleanup);
        const app = await buildTestApp(db.url, env);
        apps[i] = app;
        urls[i] = (await app.listen()).url;
      }),
    );
  }, 120_000);
  afterAll(async () => {
    for (const app of apps) await app?.close();
    for (const c of cleanups) await c();
  });

  it('REST list rows name the requester, the group and the assignee', async () => {
    const auth = { authorization: `Bearer ${TEST_API_TOKEN}`, 'content-type': 'application/json' };
    const created = await fetch(`${urls[0]}/api/v1/tickets`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        kind: 'service_request',
        title: 'New monitor',
        requester: 'carol@example.com',
        group: 'workplace',
      }),
    });
    expect(created.status).toBe(201);
    const listed = await fetch(`${urls[0]}/api/v1/tickets?requester=carol@example.com`, { headers: auth });
    const { tickets } = (await listed.json()) as {
      tickets: Array<{
        kind: string;
        requesterId: number;
        requester: { id: number; displayName: string; email: string };
        group: { slug: string; name: string } | null;
        assignee: { id: number; displayName: string } | null;
        assigneeId: number | null;
      }>;
    };
    expect(tickets).toHaveLength(1);
    const [row] = tickets;
    expect(row?.kind).toBe('service_request');
    expect(row?.requester).toEqual({
      id: row?.requesterId,
      displayName: 'Carol Diaz',
      email: 'carol@example.com',
    });
    expect(row?.group).toEqual({ slug: 'workplace', name: 'Workplace Services' });
    expect(row?.assigneeId).not.toBeNull();
    expect(row?.assignee?.id).toBe(row?.assigneeId);
    expect(row?.assignee?.displayName).toMatch(/^(Ivan Petrov|Heidi Larsen)$/);
  });

  it('the dashboard without any token answers 503 and names the variable to set', async () => {
    const r = await fetch(`${urls[1]}/`);
    expect(r.status).toBe(503);
    expect(await r.text()).toContain('set DASHBOARD_TOKEN (or API_TOKEN) and restart');
  });
});
