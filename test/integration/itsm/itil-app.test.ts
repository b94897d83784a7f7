/**
 * The ITIL engine wired into the real app: approve and vote from chat (action handlers through the
 * engine), the REST endpoints, and `chatdesk assets import`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveredMessage } from '../../../src/adapters/local/local-port.js';
import type { App } from '../../../src/app.js';
import type { Person } from '../../../src/itsm/types.js';
import { buildTestApp, TEST_API_TOKEN } from '../../support/app.js';
import { sqliteDb } from '../../support/databases.js';
import { ChatUser, localAdapter, texts } from '../../support/local-chat.js';

describe('ITIL engine in the app (chat actions, REST, CLI)', () => {
  let app: App;
  let cleanup: () => Promise<void>;
  let sent: DeliveredMessage[];
  let dbUrl: string;
  let url: string;
  const who = async (email: string) => (await app.directory.personByEmail(email)) as Person;
  const now = () => app.now().toISOString();
  const api = (path: string, init: RequestInit & { as?: string } = {}) =>
    fetch(`${url}/api/v1${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${TEST_API_TOKEN}`,
        'content-type': 'application/json',
        ...(init.as ? { 'x-on-behalf-of': init.as } : {}),
        ...((init.headers as Record<string, string>) ?? {}),
      },
    });

  beforeAll(async () => {
    const db = await sqliteDb.create();
    cleanup = db.cleanup;
    dbUrl = db.url;
    const local = localAdapter();
    sent = local.sent;
    app = await buildTestApp(db.url, {}, { adapters: [local.adapter] });
    ({ url } = await app.listen());
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  it('an approver approves from the card in chat; a non-approver cannot', async () => {
    const maria = new ChatUser(app, sent, 'maria@example.com');
    const bob = new ChatUser(app, sent, 'bob@example.com');
    await maria.say('hello'); // opens her DM, so notices can reach her
    const alice = await who('alice@example.com');
    const req = await app.tickets.open(
      {
        kind: 'service_request',
        title: 'Access to SAP',
        description: 'SAP FI read access',
        impact: 'low',
        urgency: 'low',
        category: 'access',
        requester: alice,
        channel: 'local',
        groupSlug: 'service-desk',
        fields: { system: 'SAP' },
      },
      now(),
    );
    await app.itil.approvals.request(req.number, { type: 'manager' }, now());
    await app.drain();
    const card = sent
      .filter((m) => m.conversationId === 'console:maria@example.com')
      .find((m) => m.message.reply.choices?.some((c) => c.actionId === 'approval.approve'));
    expect(card?.message.reply.text).toMatch(new RegExp(`Approval needed: ${req.number}`));
    const approve = card?.message.reply.choices?.find((c) => c.actionId === 'approval.approve');
    expect(approve?.value).toEqual({ ticket: req.number });

    // Bob may not see the request: the refusal reads like an unknown number (issue 14 item 9).
    expect(texts(await bob.act('approval.approve', { ticket: req.number }))).toMatch(/There is no ticket/);
    expect(texts(await maria.act('approval.approve', { ticket: req.number, comment: 'ok for Q2' }))).toMatch(
      new RegExp(`You approved ${req.number}.*approved and goes to the service desk`),
    );
    const after = await app.tickets.get(req.number, alice);
    expect(after.state).not.toBe('pending');
    expect(texts(await maria.act('approval.reject', { ticket: req.number }))).toMatch(
      /needs no decision from you any more/,
    );
  });

  it('CAB members vote from chat; the board policy decides', async () => {
    const maria = new ChatUser(app, sent, 'maria@example.com');
    const peggy = new ChatUser(app, sent, 'peggy@example.com');
    await peggy.say('hi');
    const agent = await who('judy@example.com');
    const c = await app.itil.changes.create(
      agent,
      {
        title: 'Firewall rule cleanup',
        type: 'normal',
        impact: 'medium',
        urgency: 'low',
        assets: ['SV-4001'],
        plannedStart: '2026-06-02T20:00:00Z',
        plannedEnd: '2026-06-02T21:00:00Z',
      },
      now(),
    );
    await app.itil.changes.submit(c.ticket.number, agent, now());
    expect(texts(await maria.act('change.vote', { ticket: c.ticket.number, vote: 'approve' }))).toMatch(
      /Waiting for the rest of the CAB/,
    );
    expect(texts(await peggy.act('change.vote', { ticket: c.ticket.number, vote: 'approve' }))).toMatch(
      /The CAB has approved the change/,
    );
    expect((await app.itil.changes.view(c.ticket.number, agent)).change.phase).toBe('scheduled');
  });

  it('REST: changes, blackout refusal as a JSON error, problems, assets, sweep', async () => {
    const blocked = await api('/changes', {
      method: 'POST',
      as: 'judy@example.com',
      body: JSON.stringify({
        title: 'Core switch swap',
        type: 'normal',
        impact: 'high',
        urgency: 'medium',
        assets: ['SV-4001'],
        plannedStart: '2026-12-24T20:00:00Z',
        plannedEnd: '2026-12-24T23:00:00Z',
      }),
    });
    expect(blocked.status).toBe(409);
    expect(((await blocked.json()) as { error: { code: string; message: string } }).error.message).toMatch(
      /blackout "year-end freeze"/,
    );

    const created = await api('/changes', {
      method: 'POST',
      as: 'judy@example.com',
      body: JSON.stringify({
        title: 'Core switch swap',
        type: 'emergency',
        impact: 'high',
        urgency: 'high',
        assets: ['SV-4001'],
      }),
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as {
      ticket: { number: string };
      risk: { level: string; reasons: string[] };
    };
    expect(body.risk.level).toBe('high');
    const view = await api(`/changes/${body.ticket.number}`, { as: 'judy@example.com' });
    expect(((await view.json()) as { change: { changeType: string } }).change.changeType).toBe('emergency');
    expect((await api(`/changes/${body.ticket.number}`, { as: 'alice@example.com' })).status).toBe(403);

    const alice = await who('alice@example.com');
    const inc = await app.tickets.open(
      {
        kind: 'incident',
        title: 'Wifi drops on floor 2',
        description: 'wifi',
        impact: 'medium',
        urgency: 'medium',
        category: 'network',
        requester: alice,
        channel: 'local',
      },
      now(),
    );
    const prb = await api('/problems', {
      method: 'POST',
      as: 'judy@example.com',
      body: JSON.stringify({ title: 'Wifi drops', incidents: [inc.number] }),
    });
    expect(prb.status).toBe(201);
    const p = (await prb.json()) as { problem: { number: string }; incidents: Array<{ number: string }> };
    expect(p.incidents.map((i) => i.number)).toEqual([inc.number]);
    const links = (await (await api(`/tickets/${inc.number}/links`)).json()) as { problem: string | null };
    expect(links.problem).toBe(p.problem.number);
    const ke = await api(`/problems/${p.problem.number}/known-error`, {
      method: 'POST',
      as: 'judy@example.com',
      body: JSON.stringify({ workaround: 'use the 5 GHz network', keywords: ['wifi', 'drop'] }),
    });
    expect(ke.status).toBe(200);

    const laptop = await api('/assets/LT-1001');
    const lv = (await laptop.json()) as {
      asset: { tag: string };
      owner: { email: string };
      warranty: { state: string };
    };
    expect([lv.asset.tag, lv.owner.email]).toEqual(['LT-1001', 'alice@example.com']);
    const mine = await api('/assets', { as: 'alice@example.com' });
    expect(((await mine.json()) as { assets: Array<{ tag: string }> }).assets.map((a) => a.tag)).toEqual([
      'LT-1001',
      'MN-2001',
    ]);
    const imp = await api('/assets/import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: 'tag,type,name,runs_on\nHW-9,server,vpn-gw-9,\nSV-4001,service,VPN gateway (GlobalProtect),HW-9\n',
    });
    expect(await imp.json()).toEqual({ created: 1, updated: 1, relations: 1 });
    const hw = (await (await api('/assets/HW-9')).json()) as { impactedServices: string[] };
    expect(hw.impactedServices).toEqual(['VPN gateway (GlobalProtect)']);
    const bad = await api('/assets/import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: 'tag,type,name,status\nX,laptop,x,lost\n',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/line 2: status/);

    const sweep = await api('/sla/sweep', { method: 'POST' });
    expect(((await sweep.json()) as { scanned: number }).scanned).toBeGreaterThan(0);
    expect((await api('/sla/sweep', { method: 'POST', as: 'alice@example.com' })).status).toBe(403);
    const away = await api('/agents/away', {
      method: 'POST',
      as: 'judy@example.com',
      body: JSON.stringify({ away: true }),
    });
    expect(((await away.json()) as { away: boolean }).away).toBe(true);
    expect((await who('judy@example.com')).away).toBe(true);
  });

  it('chatdesk assets import <csv> upserts and reports line and field errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chatdesk-assets-'));
    const good = join(dir, 'assets.csv');
    writeFileSync(
      good,
      'tag,type,name,owner,warranty_end\nLT-9001,laptop,"Framework 13",bob@example.com,2028-01-31\n',
    );
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'tag,type,name,owner\nLT-9002,laptop,x,ghost@example.com\n');
    const { run } = await import('../../../src/cli/commands/assets.js');
    const out: string[] = [];
    const err: string[] = [];
    const saved = { url: process.env.DATABASE_URL, out: process.stdout.write, err: process.stderr.write };
    process.env.DATABASE_URL = dbUrl;
    process.stdout.write = ((s: string) => out.push(s) > 0) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => err.push(s) > 0) as typeof process.stderr.write;
    try {
      expect(await run(['import', good])).toBe(0);
      await expect(run(['import', bad])).rejects.toThrow(
        /bad\.csv: line 2: owner: no person with email ghost@example\.com/,
      );
      expect(await run(['import'])).toBe(2);
    } finally {
      process.stdout.write = saved.out;
      process.stderr.write = saved.err;
      if (saved.url === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved.url;
    }
    expect(out.join('')).toMatch(/1 created, 0 updated/);
    expect(err.join('')).toMatch(/missing the CSV file/);
    const bob = await who('bob@example.com');
    expect((await app.itil.assets.list(bob, {})).map((a) => a.tag)).toContain('LT-9001');
  });
});
