import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { buildTestApp, TEST_API_TOKEN } from '../support/app.js';

describe("agents' corrections become training data", () => {
  let app: App;
  let url: string;
  let dir: string;
  const headers = { authorization: `Bearer ${TEST_API_TOKEN}`, 'content-type': 'application/json' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chatdesk-corrections-'));
    cpSync(join(import.meta.dirname, '../../data'), join(dir, 'data'), { recursive: true });
    app = await buildTestApp(`sqlite:${join(dir, 'desk.sqlite')}`, {
      DATA_DIR: join(dir, 'data'),
    });
    ({ url } = await app.listen());
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('re-categorising a ticket records the correction and appends it to data/corrections/triage.jsonl', async () => {
    const created = await fetch(`${url}/api/v1/tickets`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        title: 'Docking station flickers',
        requester: 'alice@example.com',
        category: 'software',
      }),
    });
    const { ticket } = (await created.json()) as { ticket: { number: string } };
    const r = await fetch(`${url}/api/v1/tickets/${ticket.number}/categorize`, {
      method: 'POST',
      headers: { ...headers, 'x-on-behalf-of': 'ivan@example.com' },
      body: JSON.stringify({ category: 'hardware', group: 'workplace', reason: 'it is the dock' }),
    });
    expect(r.status).toBe(200);
    const file = join(dir, 'data', 'corrections', 'triage.jsonl');
    expect(
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      {
        text: 'Docking station flickers\nDocking station flickers',
        category: 'hardware',
        group: 'workplace',
      },
    ]);
    const events = (await (await fetch(`${url}/api/v1/tickets/${ticket.number}`, { headers })).json()) as {
      events: Array<{ type: string; from: string | null; to: string | null }>;
    };
    expect(events.events.filter((e) => e.type === 'categorized').map((e) => [e.from, e.to])).toContainEqual([
      'software',
      'hardware',
    ]);
  });

  it('an agent turns a resolved ticket into a draft knowledge article from chat', async () => {
    const created = await fetch(`${url}/api/v1/tickets`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        title: 'Outlook asks for the password every hour',
        description: 'outlook keeps prompting for my password',
        requester: 'bob@example.com',
      }),
    });
    const { ticket } = (await created.json()) as { ticket: { number: string } };
    await fetch(`${url}/api/v1/tickets/${ticket.number}/comments`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        body: 'Removed the stale credential from Windows Credential Manager and restarted Outlook.',
      }),
    });
    await fetch(`${url}/api/v1/tickets/${ticket.number}/transitions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ to: 'resolved', reason: 'stale credential removed' }),
    });
    const r = await fetch(`${url}/chat/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'grace@example.com', text: `draft article from ${ticket.number}` }),
    });
    const { replies } = (await r.json()) as { replies: Array<{ text: string }> };
    expect(replies[0]?.text).toMatch(/Draft saved as data\/knowledge\/drafts\/.+\.md/);
    expect(replies[0]?.text).toMatch(/title: /);
    const denied = await fetch(`${url}/chat/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'bob@example.com', text: `draft article from ${ticket.number}` }),
    });
    expect(
      ((await denied.json()) as { replies: Array<{ text: string }> }).replies[0]?.text ?? '',
    ).not.toMatch(/Draft saved/);
  });

  it('an intent correction is validated and appended; employees cannot correct the bot', async () => {
    const ok = await fetch(`${url}/api/v1/corrections/intents`, {
      method: 'POST',
      headers: { ...headers, 'x-on-behalf-of': 'grace@example.com' },
      body: JSON.stringify({ text: 'my badge does not open the server room', intent: 'access_request' }),
    });
    expect(ok.status).toBe(201);
    const unknown = await fetch(`${url}/api/v1/corrections/intents`, {
      method: 'POST',
      headers: { ...headers, 'x-on-behalf-of': 'grace@example.com' },
      body: JSON.stringify({ text: 'x', intent: 'make_coffee' }),
    });
    expect(unknown.status).toBe(400);
    const employee = await fetch(`${url}/api/v1/corrections/intents`, {
      method: 'POST',
      headers: { ...headers, 'x-on-behalf-of': 'alice@example.com' },
      body: JSON.stringify({ text: 'x', intent: 'greeting' }),
    });
    expect(employee.status).toBe(403);
    const file = join(dir, 'data', 'corrections', 'intents.jsonl');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
