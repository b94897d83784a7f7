/**
 * The demo as a new admin runs it (`chatdesk serve` with defaults: Slack off, Teams without
 * credentials for the Bot Framework Emulator, the shipped groups whose service-desk triage channel is on Slack and Teams):
 * a web-chat conversation handed to a person logs no error and no delivery retries. The triage
 * channels no configured platform can reach are named once at start-up and never queued; the web
 * chat's 3-second poll is logged at debug; the browser's favicon request is answered.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/app.js';
import { type ChildServer, startServer } from '../support/child-server.js';

describe('the demo with one handoff', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatdesk-demo-'));
  const dbFile = join(dir, 'demo.sqlite');
  let server: ChildServer;

  beforeAll(async () => {
    // The shipped data, with every ticket routed to service-desk: its triage channel is the one
    // with a Teams side (the keyword rules would send some texts to groups with Slack only).
    const data = join(dir, 'data');
    cpSync(join(import.meta.dirname, '../../data'), data, { recursive: true });
    writeFileSync(join(data, 'rules.json'), JSON.stringify({ defaultGroup: 'service-desk', rules: [] }));
    server = await startServer({
      NODE_ENV: 'development',
      // Teams as the demo has it: on, without credentials (anonymous mode; TEAMS_EMULATOR where that
      // variable exists). An empty value means unset, so the default applies.
      TEAMS_ENABLED: '',
      TEAMS_EMULATOR: 'true',
      LOG_LEVEL: 'info',
      DATA_DIR: data,
      DATABASE_URL: `sqlite:${dbFile}`,
      NLU_THREAD: 'inline',
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const say = async (text: string) => {
    const r = await fetch(`${server.url}/chat/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'bob@example.com', text }),
    });
    expect(r.status).toBe(200);
    return ((await r.json()) as { replies: Array<{ text: string }> }).replies.map((x) => x.text).join('\n');
  };

  it('hands off without an error, a retry or a queued card for an unreachable channel', async () => {
    const page = await fetch(`${server.url}/chat`);
    expect(page.status).toBe(200);
    const icon = await fetch(`${server.url}/favicon.ico`);
    expect(icon.status).toBe(204);

    expect(await say('my outlook mailbox is not syncing')).toMatch(/INC\d{7}/);
    expect(await say('talk to a person')).toMatch(/handing this to a person from the service desk/);
    for (let i = 0; i < 3; i++) {
      const poll = await fetch(`${server.url}/chat/api/messages?user=bob@example.com`);
      expect(poll.status).toBe(200);
    }

    const db = new Database(dbFile, { readonly: true });
    try {
      const rows = () =>
        db.prepare('select platform, status, attempts from outbox').all() as Array<{
          platform: string;
          status: string;
          attempts: number;
        }>;
      await waitFor(() => rows().every((r) => r.status !== 'pending'), 'the outbox to settle');
      // The ticket went to service-desk, whose Teams triage channel cannot be reached: nothing queued for it.
      const group = db
        .prepare('select g.slug from tickets t join groups g on g.id = t.group_id order by t.id desc limit 1')
        .get() as { slug: string };
      expect(group.slug).toBe('service-desk');
      expect(rows().filter((r) => r.platform !== 'web')).toEqual([]);
      expect(rows().every((r) => r.status === 'sent')).toBe(true);
    } finally {
      db.close();
    }
    // A first retry would come after about a second.
    await new Promise((r) => setTimeout(r, 1_500));

    const lines = server
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: string; msg: string; path?: string; method?: string });
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(lines.filter((l) => l.msg.startsWith('outbox'))).toEqual([]);
    const skipped = lines.filter((l) => l.msg.startsWith('chat channels skipped'));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.level).toBe('info');
    expect(skipped[0]?.msg).toMatch(
      /Teams runs in emulator mode \(TEAMS_EMULATOR\), which cannot post to Teams channels \(set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD\): triage of service-desk/,
    );
    expect(skipped[0]?.msg).toMatch(
      /Slack is not configured .*: triage of service-desk, triage of workplace, triage of infra/,
    );
    // The poll is routine (debug); what people send is not.
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.filter((l) => l.method === 'GET' && l.path === '/chat/api/messages')).toEqual([]);
    expect(requests.filter((l) => l.method === 'POST' && l.path === '/chat/api/messages')).toHaveLength(2);
  }, 60_000);
});
