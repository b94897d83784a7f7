/**
 * The real server (createApp on a temporary SQLite file) with Teams in anonymous development mode,
 * receiving Bot Framework activities on /api/messages and replying to the fake Bot Connector.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import {
  type ConnectorCall,
  type FakeBotConnector,
  startFakeBotConnector,
  waitFor,
} from '../support/fake-bot-connector.js';
import {
  ALICE,
  BOB,
  executeActivity,
  installActivity,
  messageActionActivity,
  messageActivity,
  submitActivity,
} from '../support/teams-activities.js';

const INC = /INC\d{7}/;
const REQ = /REQ\d{7}/;
const API_TOKEN = 'teams-e2e-api-token-0123456789';

let connector: FakeBotConnector;
let app: App;
let url: string;
let dir: string;

async function post(body: unknown): Promise<{ status: number; body: unknown; ms: number }> {
  const t0 = Date.now();
  const res = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null, ms: Date.now() - t0 };
}
const all = (c: ConnectorCall | undefined) => JSON.stringify(c?.body ?? null);
const to = (conversationId: string) =>
  connector.messages().filter((c) => c.conversationId?.startsWith(conversationId));
type CardAction = {
  type: string;
  verb?: string;
  data?: { chatdesk?: { actionId: string; value: Record<string, unknown> } };
};
const actionsOf = (c: ConnectorCall | undefined): CardAction[] =>
  ((c?.body?.attachments as Array<{ content: { actions?: CardAction[] } }> | undefined) ?? []).flatMap(
    (a) => a.content.actions ?? [],
  );

beforeAll(async () => {
  connector = await startFakeBotConnector();
  connector.addMember(ALICE, 'alice@example.com');
  connector.addMember(BOB, 'bob@example.com');
  dir = mkdtempSync(join(tmpdir(), 'chatdesk-teams-e2e-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`,
    PORT: '0',
    LOG_LEVEL: 'silent',
    TEAMS_ENABLED: 'true',
    TEAMS_EMULATOR: 'true',
    API_TOKEN,
  });
  app = await createApp(config, { log: silentLogger });
  ({ url } = await app.listen());
});

afterAll(async () => {
  await app?.close();
  await connector?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Teams end to end', () => {
  let incident = '';
  let cardMessage: ConnectorCall | undefined;

  it('a personal-chat "my vpn keeps dropping" posted three times makes one incident and one reply with its number', async () => {
    const activity = messageActivity('my vpn keeps dropping', {
      serviceUrl: connector.serviceUrl,
      id: 'f:e2e-vpn-1',
    });
    const responses = [await post(activity), await post(activity), await post(activity)];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    // The turn only stores the activity. (Redeliveries right behind it can wait for the engine's
    // CPU-bound processing of the first one on a loaded machine; Teams redelivers seconds apart.)
    expect(responses[0]?.ms).toBeLessThan(3000);
    await app.drain();
    const incidents = await app.db
      .selectFrom('tickets')
      .select(['number'])
      .where('kind', '=', 'incident')
      .execute();
    expect(incidents).toHaveLength(1);
    incident = incidents[0]?.number ?? '';
    expect(incident).toMatch(INC);
    const replies = await waitFor(() => to('a:1personal-alice').length > 0 && to('a:1personal-alice'));
    expect(replies).toHaveLength(1);
    expect(all(replies[0])).toContain(incident);
    // A personal chat has no threads: the engine answers in the chat itself.
    expect(replies[0]?.kind).toBe('send');
    cardMessage = replies[0];
    // The requester was identified through the connector's member look-up.
    expect(
      connector.calls.some((c) => c.kind === 'member' && c.path.includes(encodeURIComponent(ALICE.id))),
    ).toBe(true);
  });

  it('`report` from a manager in a personal chat returns the KPI summary', async () => {
    const maria = {
      id: '29:1maria',
      name: 'Maria Rossi',
      aadObjectId: '00000000-0000-0000-0000-00000000a1a1',
    };
    connector.addMember(maria, 'maria@example.com');
    const conversationId = 'a:1personal-maria';
    expect(
      (
        await post(
          messageActivity('report', { serviceUrl: connector.serviceUrl, from: maria, conversationId }),
        )
      ).status,
    ).toBe(200);
    await app.drain();
    const replies = await waitFor(() => to(conversationId).length > 0 && to(conversationId));
    expect(all(replies.at(-1))).toMatch(/SLA/);
  });

  it('acts on the ticket card through Action.Execute; the card is refreshed', async () => {
    const buttons = actionsOf(cardMessage).filter((a) => a.type === 'Action.Execute');
    expect(buttons.length).toBeGreaterThan(0);
    const close =
      buttons.find((b) => b.data?.chatdesk?.actionId === 'ticket.close') ??
      buttons.find((b) => b.data?.chatdesk?.actionId === 'ticket.cancel');
    expect(close, JSON.stringify(buttons)).toBeTruthy();
    const before = connector.calls.length;
    const res = await post(
      executeActivity(close?.data ?? {}, {
        serviceUrl: connector.serviceUrl,
        id: 'f:e2e-close',
        replyToId: String(cardMessage?.body?.id ?? 'bot-msg-1'),
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    await app.drain();
    const after = connector.calls.slice(before).filter((c) => c.kind !== 'member');
    expect(after.length).toBeGreaterThan(0);
    expect(after.map(all).join(' ')).toContain(incident);
    const row = await app.db
      .selectFrom('tickets')
      .select(['state'])
      .where('number', '=', incident)
      .executeTakeFirstOrThrow();
    expect(['resolved', 'closed', 'cancelled']).toContain(row.state);
  });

  it('fills a template as an Adaptive Card: errors shown on the card, then a request is created', async () => {
    const open = await post(
      executeActivity(
        { chatdesk: { actionId: 'form.open', value: { templateId: 'laptop-request' } } },
        { serviceUrl: connector.serviceUrl, id: 'f:e2e-open' },
      ),
    );
    const card = (open.body as { value: { body: Array<{ id?: string; type: string }> } }).value;
    expect(card.body.filter((e) => e.id).map((e) => e.id)).toEqual(
      expect.arrayContaining(['reason', 'model', 'operating_system', 'needed_by', 'delivery_location']),
    );
    const partial = {
      chatdesk: { actionId: 'form.submit', value: { templateId: 'laptop-request' } },
      reason: 'New starter',
    };
    const bad = await post(executeActivity(partial, { serviceUrl: connector.serviceUrl, id: 'f:e2e-bad' }));
    const badCard = JSON.stringify((bad.body as { value: unknown }).value);
    expect(badCard).toContain('⚠');
    expect(badCard).toContain('"value":"New starter"');
    const full = {
      ...partial,
      model: 'Standard 14"',
      operating_system: 'Linux',
      needed_by: '2030-01-15',
      delivery_location: 'Berlin office, 3rd floor',
      accessories: 'Monitor,Mouse',
    };
    const ok = await post(
      executeActivity(full, { serviceUrl: connector.serviceUrl, id: 'f:e2e-good', replyToId: 'bot-form-1' }),
    );
    expect(JSON.stringify(ok.body)).not.toContain('⚠');
    await app.drain();
    const requests = await app.db
      .selectFrom('tickets')
      .select(['number'])
      .where('kind', '=', 'service_request')
      .execute();
    expect(requests).toHaveLength(1);
    expect(requests[0]?.number).toMatch(REQ);
    expect(connector.calls.map(all).join(' ')).toContain(requests[0]?.number ?? 'REQ?');
  });

  it('accepts the Action.Submit fallback like Action.Execute', async () => {
    const res = await post(
      submitActivity(
        { chatdesk: { actionId: 'ticket.status', value: { ticket: incident } } },
        { serviceUrl: connector.serviceUrl, id: 'f:e2e-submit', replyToId: 'bot-msg-x' },
      ),
    );
    expect(res.status).toBe(200);
    const before = connector.messages().length;
    await app.drain();
    await waitFor(
      () => connector.calls.length > 0 && connector.messages().length + connector.updates().length > before,
    );
  });

  it('@mention in a channel is answered in that thread', async () => {
    const res = await post(
      messageActivity('the printer on floor 2 is jammed again', {
        serviceUrl: connector.serviceUrl,
        id: '1700000055555',
        conversation: 'channel',
        from: BOB,
      }),
    );
    expect(res.status).toBe(200);
    await app.drain();
    const thread = to('19:general@thread.tacv2');
    expect(thread.length).toBeGreaterThan(0);
    expect(thread.every((c) => c.conversationId === '19:general@thread.tacv2;messageid=1700000055555')).toBe(
      true,
    );
  });

  it('the "Create ticket" message action opens a prefilled dialog and creates a ticket for the author', async () => {
    const fetchRes = await post(
      messageActionActivity('composeExtension/fetchTask', {
        serviceUrl: connector.serviceUrl,
        id: 'f:e2e-fetch',
        messageText: 'Outlook crashes whenever I open the calendar',
        author: BOB,
        conversation: 'groupChat',
      }),
    );
    expect(JSON.stringify(fetchRes.body)).toContain('Outlook crashes whenever I open the calendar');
    const before = await app.db.selectFrom('tickets').select(['id']).execute();
    const submit = await post(
      messageActionActivity('composeExtension/submitAction', {
        serviceUrl: connector.serviceUrl,
        id: 'f:e2e-submitaction',
        conversation: 'groupChat',
        messageText: 'Outlook crashes whenever I open the calendar',
        author: BOB,
        data: {
          text: 'Outlook crashes whenever I open the calendar',
          chatdesk: { actionId: 'form.submit', value: { kind: 'ticket_from_message' } },
        },
      }),
    );
    expect(submit.status).toBe(200);
    await app.drain();
    const after = await app.db.selectFrom('tickets').select(['id', 'number', 'title']).execute();
    expect(after.length).toBe(before.length + 1);
  });

  it('proactively notifies the requester when an agent resolves the ticket elsewhere', async () => {
    const open = await app.db
      .selectFrom('tickets')
      .select(['number', 'state'])
      .where('kind', '=', 'service_request')
      .executeTakeFirstOrThrow();
    const before = connector.calls.length;
    const res = await fetch(`${url}/api/v1/tickets/${open.number}/transitions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` },
      body: JSON.stringify({ to: 'cancelled', reason: 'duplicate order' }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    await app.drain();
    const notices = connector.calls.slice(before).filter((c) => c.kind === 'send' || c.kind === 'reply');
    expect(notices.map(all).join(' ')).toContain(open.number);
    expect(notices[0]?.conversationId).toBe('a:1personal-alice');
  });

  it('retries a reply the connector refused with 503 until it is delivered', async () => {
    connector.failNext(503, 1);
    const before = connector.calls.length;
    await post(messageActivity('thanks', { serviceUrl: connector.serviceUrl, id: 'f:e2e-retry' }));
    await app.drain();
    // The outbox backs off about a second before the second attempt.
    const attempts = await waitFor(() => {
      const sent = connector.calls
        .slice(before)
        .filter((c) => c.kind === 'send' && c.conversationId === 'a:1personal-alice');
      return sent.length >= 2 && sent;
    }, 8000);
    expect(attempts).toHaveLength(2);
    expect(attempts[1]?.body?.text).toBe(attempts[0]?.body?.text);
  });

  it('answers help in a personal chat', async () => {
    const before = to('a:1personal-alice').length;
    expect(
      (await post(messageActivity('help', { serviceUrl: connector.serviceUrl, id: 'f:e2e-help' }))).status,
    ).toBe(200);
    await app.drain();
    const replies = to('a:1personal-alice').slice(before);
    expect(replies).toHaveLength(1);
    expect(String(replies[0]?.body?.text).length).toBeGreaterThan(20);
  });

  it('welcomes a user who installs the app', async () => {
    await post(
      installActivity({
        serviceUrl: connector.serviceUrl,
        id: 'f:e2e-install',
        conversationId: 'a:1install-bob',
        from: BOB,
      }),
    );
    const welcome = await waitFor(() => to('a:1install-bob')[0]);
    expect(all(welcome)).toContain('Request a laptop');
  });
});
