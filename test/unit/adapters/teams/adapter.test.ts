import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingAction, IncomingMessage } from '../../../../src/chat/message.js';
import {
  type FakeBotConnector,
  startFakeBotConnector,
  waitFor,
} from '../../../support/fake-bot-connector.js';
import {
  ALICE,
  BOB,
  executeActivity,
  installActivity,
  messageActionActivity,
  messageActivity,
  submitActivity,
  TENANT,
} from '../../../support/teams-activities.js';
import { type Harness, startHarness } from './harness.js';

let connector: FakeBotConnector;
let h: Harness;

beforeAll(async () => {
  connector = await startFakeBotConnector();
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
  await connector?.close();
});

const serviceUrl = () => connector.serviceUrl;
const text = (c: { body: Record<string, unknown> | null }) => JSON.stringify(c.body);

describe('teams adapter: messages', () => {
  it('turns a personal-chat message into one IncomingMessage and one reply, even when Teams redelivers it', async () => {
    const activity = messageActivity('my vpn keeps dropping', { serviceUrl: serviceUrl(), id: 'f:vpn-1' });
    const before = connector.messages().length;
    for (let i = 0; i < 3; i++) {
      const res = await h.post(activity);
      expect(res.status).toBe(200);
    }
    const accepted = h.engine.accepted.filter((x) => x.id === 'f:vpn-1');
    expect(accepted).toHaveLength(1);
    const msg = accepted[0] as IncomingMessage;
    expect(msg).toMatchObject({
      kind: 'message',
      platform: 'teams',
      text: 'my vpn keeps dropping',
      via: 'dm',
      messageId: 'f:vpn-1',
      conversation: {
        channelId: 'a:1personal-alice',
        isDirect: true,
        workspaceId: TENANT,
        serviceUrl: serviceUrl(),
        threadId: null,
      },
      user: { platformUserId: ALICE.id, aadObjectId: ALICE.aadObjectId, displayName: ALICE.name },
    });
    const sent = await waitFor(
      () => connector.messages().length > before && connector.messages().slice(before),
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(connector.messages().slice(before)).toHaveLength(1);
    expect(sent[0]?.conversationId).toBe('a:1personal-alice');
    expect(sent[0]?.kind).toBe('reply');
    expect(sent[0]?.activityId).toBe('f:vpn-1');
    expect(String(sent[0]?.body?.text)).toMatch(/INC\d{7}/);
  });

  it('strips the @mention in a channel and replies in the thread through ;messageid=', async () => {
    const res = await h.post(
      messageActivity('printer on floor 3 is jammed', {
        serviceUrl: serviceUrl(),
        id: '1700000000123',
        conversation: 'channel',
        conversationId: '19:general@thread.tacv2;messageid=1700000000001',
      }),
    );
    expect(res.status).toBe(200);
    const msg = h.engine.accepted.find((x) => x.id === '1700000000123') as IncomingMessage;
    expect(msg.text).toBe('printer on floor 3 is jammed');
    expect(msg.via).toBe('thread');
    expect(msg.conversation).toMatchObject({
      channelId: '19:general@thread.tacv2',
      threadId: '1700000000001',
      isDirect: false,
      isPublic: true,
    });
    const sent = await waitFor(() =>
      connector.messages().find((c) => c.conversationId?.startsWith('19:general')),
    );
    expect(sent.conversationId).toBe('19:general@thread.tacv2;messageid=1700000000001');
    expect(sent.kind).toBe('send');
  });

  it('answers a top-level channel mention in the new thread', async () => {
    await h.post(
      messageActivity('teams crashes on start', {
        serviceUrl: serviceUrl(),
        id: '1700000000999',
        conversation: 'channel',
      }),
    );
    const msg = h.engine.accepted.find((x) => x.id === '1700000000999') as IncomingMessage;
    expect(msg.via).toBe('mention');
    const sent = await waitFor(() =>
      connector
        .messages()
        .find((c) => c.conversationId === '19:general@thread.tacv2;messageid=1700000000999'),
    );
    expect(String(sent.body?.text)).toContain('teams crashes on start');
  });

  it('refuses an invalid activity with 400 naming the field', async () => {
    const res = await h.post({
      type: 'message',
      id: 'x',
      serviceUrl: 'not a url',
      channelId: 'msteams',
      from: { id: 'u' },
      recipient: { id: 'b' },
      conversation: { id: 'c' },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('serviceUrl');
    const noId = messageActivity('hi', { serviceUrl: serviceUrl() });
    delete noId.id;
    expect((await h.post(noId)).status).toBe(400);
  });

  it('answers malformed JSON with a JSON 400', async () => {
    const res = await fetch(`${h.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('refuses activities whose serviceUrl is not allowed, without calling the engine', async () => {
    const n = h.engine.received.length;
    const res = await h.post(
      messageActivity('hello', { serviceUrl: 'https://evil.example.com/teams/', id: 'f:evil' }),
    );
    expect(res.status).toBe(403);
    expect(h.engine.received.length).toBe(n);
  });

  it('ignores empty messages and unknown activity types', async () => {
    const n = h.engine.received.length;
    expect((await h.post(messageActivity('   ', { serviceUrl: serviceUrl() }))).status).toBe(200);
    expect(
      (await h.post({ ...messageActivity('x', { serviceUrl: serviceUrl() }), type: 'typing' })).status,
    ).toBe(200);
    expect(h.engine.received.length).toBe(n);
  });
});

describe('teams adapter: cards', () => {
  const data = (actionId: string, value: Record<string, unknown>, inputs: Record<string, unknown> = {}) => ({
    chatdesk: { actionId, value },
    ...inputs,
  });

  it('opens a template as an Adaptive Card through Action.Execute', async () => {
    const res = await h.post(
      executeActivity(data('form.open', { templateId: 'laptop' }), { serviceUrl: serviceUrl() }),
    );
    expect(res.status).toBe(200);
    const body = res.body as {
      statusCode: number;
      type: string;
      value: { body: Array<{ type: string; id?: string }>; actions: Array<{ type: string; verb: string }> };
    };
    expect(body.statusCode).toBe(200);
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(body.value.body.filter((e) => e.id).map((e) => [e.type, e.id])).toEqual([
      ['Input.ChoiceSet', 'model'],
      ['Input.Text', 'reason'],
      ['Input.Number', 'monitors'],
    ]);
    expect(body.value.actions[0]).toMatchObject({
      type: 'Action.Execute',
      verb: 'form.submit',
      fallback: { type: 'Action.Submit' },
    });
  });

  it('prefills an opened form with values the engine suggested', async () => {
    const res = await h.post(
      executeActivity(data('form.open', { templateId: 'laptop', values: { reason: 'new starter Tom' } }), {
        serviceUrl: serviceUrl(),
      }),
    );
    const reason = (res.body as { value: { body: Array<{ id?: string; value?: string }> } }).value.body.find(
      (e) => e.id === 'reason',
    );
    expect(reason?.value).toBe('new starter Tom');
  });

  it('answers an unknown template with an error response', async () => {
    const res = await h.post(
      executeActivity(data('form.open', { templateId: 'nope' }), { serviceUrl: serviceUrl() }),
    );
    expect(res.body).toMatchObject({ statusCode: 400, value: { message: 'Unknown request type "nope".' } });
  });

  it('shows validation errors on the refreshed card and does not submit', async () => {
    const n = h.engine.received.length;
    const res = await h.post(
      executeActivity(data('form.submit', { templateId: 'laptop' }, { model: 'Standard', reason: 'no' }), {
        serviceUrl: serviceUrl(),
      }),
    );
    const card = JSON.stringify((res.body as { value: unknown }).value);
    expect(card).toContain('Tell us why (at least 5 characters).');
    expect(card).toContain('"value":"Standard"');
    expect(h.engine.received.length).toBe(n);
  });

  it('submits valid values (typed) to the engine and answers with the refreshed card', async () => {
    const res = await h.post(
      executeActivity(
        data(
          'form.submit',
          { templateId: 'laptop' },
          { model: 'Developer', reason: 'my old one broke', monitors: '2' },
        ),
        {
          serviceUrl: serviceUrl(),
          id: 'f:submit-1',
          replyToId: 'bot-card-1',
        },
      ),
    );
    expect((res.body as { type: string }).type).toBe('application/vnd.microsoft.card.adaptive');
    const action = h.engine.accepted.find((x) => x.id === 'f:submit-1') as IncomingAction;
    expect(action).toMatchObject({
      kind: 'action',
      actionId: 'form.submit',
      value: {
        templateId: 'laptop',
        values: { model: 'Developer', reason: 'my old one broke', monitors: 2 },
      },
      sourceMessage: { messageId: 'bot-card-1' },
    });
  });

  it('hands ticket card buttons to the engine with the card as source message', async () => {
    const res = await h.post(
      executeActivity(data('ticket.close', { ticket: 'INC0000001' }), {
        serviceUrl: serviceUrl(),
        id: 'f:close-1',
        replyToId: 'bot-card-2',
      }),
    );
    expect(JSON.stringify(res.body)).toContain('Closing the ticket');
    expect(h.engine.accepted.find((x) => x.id === 'f:close-1')).toMatchObject({
      actionId: 'ticket.close',
      value: { ticket: 'INC0000001' },
      sourceMessage: { messageId: 'bot-card-2' },
    });
  });

  it('answers a malformed Execute with an error response naming the problem', async () => {
    const res = await h.post(
      executeActivity({ chatdesk: { actionId: 'ticket.explode' } }, { serviceUrl: serviceUrl() }),
    );
    const body = res.body as { statusCode: number; type: string; value: { message: string } };
    expect(body.statusCode).toBe(400);
    expect(body.type).toBe('application/vnd.microsoft.error');
    expect(body.value.message).toContain('chatdesk.actionId');
  });

  it('accepts the Action.Submit fallback and puts validation errors on the card message', async () => {
    const bad = await h.post(
      submitActivity(data('form.submit', { templateId: 'laptop' }, { reason: 'because' }), {
        serviceUrl: serviceUrl(),
        replyToId: 'bot-card-3',
      }),
    );
    expect(bad.status).toBe(200);
    const update = await waitFor(() => connector.updates().find((u) => u.activityId === 'bot-card-3'));
    expect(text(update)).toContain('Pick a model.');
    await h.post(
      submitActivity(
        data('form.submit', { templateId: 'laptop' }, { model: 'Standard', reason: 'because' }),
        { serviceUrl: serviceUrl(), id: 'f:submit-2', replyToId: 'bot-card-3' },
      ),
    );
    expect(h.engine.accepted.find((x) => x.id === 'f:submit-2')).toMatchObject({
      actionId: 'form.submit',
      value: { values: { model: 'Standard' } },
    });
  });
});

describe('teams adapter: message action, welcome', () => {
  it('opens the Create ticket dialog prefilled from the message', async () => {
    const res = await h.post(
      messageActionActivity('composeExtension/fetchTask', {
        serviceUrl: serviceUrl(),
        messageText: 'Outlook &amp; Teams both crash',
        author: BOB,
      }),
    );
    const task = (
      res.body as {
        task: {
          type: string;
          value: { card: { content: { body: Array<{ id?: string; value?: string }> } } };
        };
      }
    ).task;
    expect(task.type).toBe('continue');
    expect(task.value.card.content.body.find((e) => e.id === 'text')?.value).toBe(
      'Outlook & Teams both crash',
    );
    expect(JSON.stringify(task)).toContain('Bob Example');
  });

  it('creates a ticket from the message by the submitter, quoting the author, once per message', async () => {
    const act = (id: string) =>
      messageActionActivity('composeExtension/submitAction', {
        serviceUrl: serviceUrl(),
        id,
        messageText: 'Outlook crashes',
        author: BOB,
        data: { text: 'Outlook crashes on start', chatdesk: { actionId: 'form.submit', value: {} } },
      });
    const res = await h.post(act('f:ma-1'));
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain('composeExtension');
    await h.post(act('f:ma-2'));
    const made = h.engine.accepted.filter(
      (x) => x.kind === 'message' && x.via === 'ticket_from_message',
    ) as IncomingMessage[];
    expect(made).toHaveLength(1);
    // Issue 14 item 4: ALICE submitted it, so she acts and is the requester; Bob's words are quoted.
    expect(made[0]).toMatchObject({
      text: 'Outlook crashes on start\n\nReported about a message by Bob Example, quoted as written:\n> Outlook crashes',
      messageId: '1700000000000',
      user: { aadObjectId: ALICE.aadObjectId },
    });
  });

  it('keeps the dialog open with an error when the description is empty', async () => {
    const res = await h.post(
      messageActionActivity('composeExtension/submitAction', {
        serviceUrl: serviceUrl(),
        messageText: 'x',
        data: { text: '  ' },
      }),
    );
    expect(JSON.stringify(res.body)).toContain('Please describe the problem.');
  });

  it('welcomes once on install', async () => {
    const act = installActivity({
      serviceUrl: serviceUrl(),
      id: 'f:install-1',
      conversationId: 'a:welcome-conv',
    });
    await h.post(act);
    await h.post(act);
    await waitFor(() => connector.messages().some((c) => c.conversationId === 'a:welcome-conv'));
    await new Promise((r) => setTimeout(r, 100));
    const welcomes = connector.messages().filter((c) => c.conversationId === 'a:welcome-conv');
    expect(welcomes).toHaveLength(1);
    expect(text(welcomes[0] as { body: Record<string, unknown> | null })).toContain('form.open');
  });

  it('answers unknown invokes with 501', async () => {
    const res = await h.post({
      ...executeActivity({}, { serviceUrl: serviceUrl() }),
      name: 'composeExtension/query',
    });
    expect(res.status).toBe(501);
  });
});
