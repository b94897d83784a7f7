/**
 * The Slack receiver over real HTTP (Express on 127.0.0.1, signed requests in Slack's wire formats)
 * with a fake engine and the fake Slack Web API: translation, acks, signatures, dedupe, interactivity.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSlackAdapter, type SlackAdapter } from '../../../../src/adapters/slack/index.js';
import type { IncomingAction, IncomingMessage } from '../../../../src/chat/message.js';
import { loadConfig } from '../../../../src/config.js';
import { silentLogger } from '../../../../src/log.js';
import { type FakeSlackApi, startFakeSlackApi } from '../../../support/fake-slack-api.js';
import {
  eventEnvelope,
  FORM,
  interactivityBody,
  postSigned,
  slackTs,
  slashCommandBody,
} from '../../../support/slack-signing.js';
import { FakeEngine } from './fake-engine.js';

const SECRET = 'test-signing-secret-0123456789';

let fake: FakeSlackApi;
let engine: FakeEngine;
let adapter: SlackAdapter;
let server: Server;
let url: string;

const post = (body: string, opts: Parameters<typeof postSigned>[3] = {}) =>
  postSigned(url, SECRET, body, opts);
const postForm = (body: string) => postSigned(url, SECRET, body, { contentType: FORM });

function dm(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    channel: 'D0ALICE',
    channel_type: 'im',
    user: 'U0ALICE',
    text,
    ts: slackTs(),
    team: 'T0001',
    ...extra,
  };
}

function blockAction(
  actionId: string,
  value: unknown,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'block_actions',
    trigger_id: 'trig.1',
    user: { id: 'U0ALICE', team_id: 'T0001', username: 'alice' },
    team: { id: 'T0001' },
    channel: { id: 'D0ALICE', name: 'directmessage' },
    container: {
      type: 'message',
      message_ts: '1700000000.000100',
      channel_id: 'D0ALICE',
      is_ephemeral: false,
    },
    message: { ts: '1700000000.000100' },
    response_url: fake.responseUrl('act'),
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'b1',
        value: JSON.stringify(value),
        action_ts: `${Date.now() / 1000}`,
      },
    ],
    ...extra,
  };
}

beforeAll(async () => {
  fake = await startFakeSlackApi();
  engine = new FakeEngine();
  const config = loadConfig({
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_API_URL: fake.apiUrl,
    NODE_ENV: 'test',
  });
  adapter = createSlackAdapter({ config, engine, log: silentLogger });
  engine.registerPort(adapter.port);
  const app = express();
  adapter.mount(app);
  await adapter.start();
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});

afterAll(async () => {
  await adapter?.stop();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await fake?.close();
});

beforeEach(() => {
  engine.received.length = 0;
  engine.receiveDelayMs = 0;
  engine.failReceives = 0;
  fake.reset();
});

describe('slack events', () => {
  it('calls auth.test once at start, not per event', async () => {
    await post(eventEnvelope(dm('hello')));
    expect(fake.callsOf('auth.test')).toHaveLength(0);
  });

  it('turns a signed DM into one IncomingMessage, also when Slack delivers it three times', async () => {
    const body = eventEnvelope(dm('my vpn keeps dropping'), { eventId: 'EvDM0001' });
    const first = await post(body);
    const second = await post(body, {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    const third = await post(body, {
      headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    expect(engine.received).toHaveLength(1);
    const msg = engine.received[0] as IncomingMessage;
    expect(msg).toMatchObject({
      kind: 'message',
      id: 'EvDM0001',
      platform: 'slack',
      text: 'my vpn keeps dropping',
      via: 'dm',
      user: { platform: 'slack', platformUserId: 'U0ALICE' },
      conversation: {
        channelId: 'D0ALICE',
        isDirect: true,
        threadId: null,
        workspaceId: 'T0001',
        isPublic: false,
      },
    });
    expect(first.ms).toBeLessThan(1000);
  });

  it('rejects a bad signature and a stale timestamp with 401 and stores nothing', async () => {
    const body = eventEnvelope(dm('forged'));
    const bad = await post(body, { signature: 'v0=deadbeef' });
    const stale = await post(body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    const unsigned = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(bad.status).toBe(401);
    expect(stale.status).toBe(401);
    expect(unsigned.status).toBe(401);
    expect(engine.received).toHaveLength(0);
  });

  it('answers the url_verification challenge', async () => {
    const res = await post(JSON.stringify({ token: 't', challenge: 'abc123', type: 'url_verification' }));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ challenge: 'abc123' });
  });

  it('acknowledges within 3 s even when the inbox is slow, and still stores the event', async () => {
    engine.receiveDelayMs = 3500;
    const res = await post(eventEnvelope(dm('slow inbox'), { eventId: 'EvSLOW001' }));
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
    const received = await engine.waitForReceived(1, 5000);
    expect(received[0]?.id).toBe('EvSLOW001');
  });

  it('answers 500 when the inbox write fails, so Slack delivers again, and stores the retry', async () => {
    engine.failReceives = 1;
    const body = eventEnvelope(dm('disk full'), { eventId: 'EvFAIL0001' });
    expect((await post(body)).status).toBe(500);
    expect(engine.received).toHaveLength(0);
    expect(
      (await post(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' } }))
        .status,
    ).toBe(200);
    expect(engine.received.map((m) => m.id)).toEqual(['EvFAIL0001']);
  });

  it('acknowledges a malformed event without storing it (a retry would be just as malformed)', async () => {
    const res = await post(
      eventEnvelope({ type: 'message', channel_type: 'im', user: 'U0ALICE', text: 'no channel, no ts' }),
    );
    expect(res.status).toBe(200);
    expect(engine.received).toHaveLength(0);
  });

  it('ignores bots, itself, edits, deletions and joins', async () => {
    await post(eventEnvelope(dm('from a bot', { bot_id: 'B0OTHER', subtype: 'bot_message' })));
    await post(eventEnvelope(dm('from me', { user: 'UBOT' })));
    await post(eventEnvelope(dm('', { subtype: 'message_changed', message: { text: 'edited' } })));
    await post(eventEnvelope(dm('', { subtype: 'message_deleted' })));
    await post(
      eventEnvelope({
        type: 'message',
        subtype: 'channel_join',
        channel: 'C0GENERAL',
        channel_type: 'channel',
        user: 'U0ALICE',
        text: 'joined',
        ts: slackTs(),
      }),
    );
    expect(engine.received).toHaveLength(0);
  });

  it('answers an @mention in its thread, without the mention in the text, flagged as public', async () => {
    const ts = slackTs();
    await post(
      eventEnvelope({
        type: 'app_mention',
        channel: 'C0GENERAL',
        user: 'U0ALICE',
        text: '<@UBOT> printer on 3rd floor &amp; scanner broken',
        ts,
      }),
    );
    const msg = engine.received[0] as IncomingMessage;
    expect(msg).toMatchObject({
      via: 'mention',
      text: 'printer on 3rd floor & scanner broken',
      messageId: ts,
    });
    expect(msg.conversation).toMatchObject({
      channelId: 'C0GENERAL',
      threadId: ts,
      isDirect: false,
      isPublic: true,
    });
  });

  it('passes thread replies in channels (agents and requesters talking in a ticket thread), ignores top-level chatter and duplicate mentions', async () => {
    const root = slackTs();
    const msg = (text: string, extra: Record<string, unknown> = {}) =>
      eventEnvelope({
        type: 'message',
        channel: 'C0TRIAGE',
        channel_type: 'channel',
        user: 'U0BOB',
        text,
        ts: slackTs(),
        ...extra,
      });
    await post(msg('just chatting'));
    await post(msg('<@UBOT> hi', { thread_ts: root, parent_user_id: 'UBOT' }));
    await post(msg('claiming this', { thread_ts: root, parent_user_id: 'UBOT' }));
    expect(engine.received).toHaveLength(1);
    expect(engine.received[0]).toMatchObject({
      via: 'thread',
      text: 'claiming this',
      conversation: { channelId: 'C0TRIAGE', threadId: root },
    });
    expect(fake.callsOf('conversations.replies')).toHaveLength(0);
  });

  it('stays out of people’s own threads, asking Slack once per unknown thread', async () => {
    const theirs = slackTs();
    const answered = slackTs();
    fake.messages.set(`C0GENERAL:${answered}`, {
      ts: answered,
      text: 'vpn down?',
      user: 'U0CAROL',
      reply_users: ['U0CAROL', 'UBOT'],
    });
    const reply = (thread: string, text: string) =>
      eventEnvelope({
        type: 'message',
        channel: 'C0GENERAL',
        channel_type: 'channel',
        user: 'U0CAROL',
        text,
        ts: slackTs(),
        thread_ts: thread,
        parent_user_id: 'U0CAROL',
      });
    await post(reply(theirs, 'lunch at noon?'));
    await post(reply(theirs, 'sure'));
    await post(reply(answered, 'still down'));
    await post(reply(answered, 'and now email too'));
    expect(engine.received.map((m) => (m as IncomingMessage).text)).toEqual([
      'still down',
      'and now email too',
    ]);
    expect(fake.callsOf('conversations.replies').map((c) => c.args.ts)).toEqual([theirs, answered]);
  });

  it('follows a thread it was @mentioned in without asking Slack', async () => {
    const ts = slackTs();
    await post(
      eventEnvelope({
        type: 'app_mention',
        channel: 'C0HELP',
        user: 'U0DAVE',
        text: '<@UBOT> teams crashes',
        ts,
      }),
    );
    await post(
      eventEnvelope({
        type: 'message',
        channel: 'C0HELP',
        channel_type: 'channel',
        user: 'U0DAVE',
        text: 'on every start',
        ts: slackTs(),
        thread_ts: ts,
        parent_user_id: 'U0DAVE',
      }),
    );
    expect(engine.received.map((m) => (m as IncomingMessage).via)).toEqual(['mention', 'thread']);
    expect(fake.callsOf('conversations.replies')).toHaveLength(0);
  });

  it('keeps file attachments of a DM', async () => {
    await post(
      eventEnvelope(
        dm('screenshot', {
          subtype: 'file_share',
          files: [{ name: 'err.png', url_private: 'https://files.slack.com/err.png', mimetype: 'image/png' }],
        }),
      ),
    );
    expect((engine.received[0] as IncomingMessage).attachments).toEqual([
      { name: 'err.png', url: 'https://files.slack.com/err.png', mimeType: 'image/png' },
    ]);
  });

  it('turns a 🎫 reaction into one ticket request for the message author, whoever reacts and however often', async () => {
    const ts = slackTs();
    fake.messages.set(`C0GENERAL:${ts}`, { ts, text: 'the wifi in room 4 is down', user: 'U0CAROL' });
    const reaction = (user: string, reaction = 'ticket') =>
      eventEnvelope({
        type: 'reaction_added',
        user,
        reaction,
        item_user: 'U0CAROL',
        item: { type: 'message', channel: 'C0GENERAL', ts },
        event_ts: slackTs(),
      });
    await post(reaction('U0ALICE', 'thumbsup'));
    await post(reaction('U0ALICE'));
    await post(reaction('U0BOB'));
    await adapter.idle();
    expect(engine.received).toHaveLength(1);
    expect(engine.received[0]).toMatchObject({
      via: 'ticket_from_message',
      text: 'the wifi in room 4 is down',
      user: { platformUserId: 'U0CAROL' },
      messageId: ts,
      conversation: { channelId: 'C0GENERAL', threadId: ts, isPublic: true },
    });
    expect(fake.callsOf('conversations.history')[0]?.args).toMatchObject({
      channel: 'C0GENERAL',
      latest: ts,
    });
  });

  it('finds a 🎫-reacted thread reply through conversations.replies and answers in that thread', async () => {
    const root = slackTs();
    const reply = slackTs();
    fake.messages.set(`C0GENERAL:${root}`, { ts: root, text: 'anyone else?', user: 'U0BOB' });
    fake.messages.set(`C0GENERAL:${reply}`, {
      ts: reply,
      text: 'my monitor flickers too',
      user: 'U0DAVE',
      thread_ts: root,
    });
    await post(
      eventEnvelope({
        type: 'reaction_added',
        user: 'U0ALICE',
        reaction: 'ticket::skin-tone-3',
        item_user: 'U0DAVE',
        item: { type: 'message', channel: 'C0GENERAL', ts: reply },
      }),
    );
    expect(fake.callsOf('conversations.replies')).toHaveLength(1);
    expect(engine.received[0]).toMatchObject({
      text: 'my monitor flickers too',
      user: { platformUserId: 'U0DAVE' },
      conversation: { channelId: 'C0GENERAL', threadId: root },
    });
  });

  it('publishes App Home with the requester tickets after the ack', async () => {
    const res = await post(
      eventEnvelope({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0ALICE', tab: 'home' }),
    );
    expect(res.status).toBe(200);
    const [call] = await fake.waitForCalls('views.publish');
    expect(call?.args.user_id).toBe('U0ALICE');
    expect(JSON.stringify(call?.args.view)).toContain('INC0000042');
    expect((call?.args.view as { type: string }).type).toBe('home');
  });
});

describe('slack interactivity', () => {
  it('turns a card button into an IncomingAction with the card as source, deduplicated on redelivery', async () => {
    const body = interactivityBody(blockAction('cd:ticket.close:1', { ticket: 'INC0000042' }));
    const res = await postForm(body);
    await postForm(body);
    expect(res.status).toBe(200);
    expect(engine.received).toHaveLength(1);
    const action = engine.received[0] as IncomingAction;
    expect(action).toMatchObject({
      kind: 'action',
      actionId: 'ticket.close',
      value: { ticket: 'INC0000042' },
      user: { platformUserId: 'U0ALICE' },
    });
    expect(action.sourceMessage).toMatchObject({
      messageId: '1700000000.000100',
      conversation: { channelId: 'D0ALICE' },
    });
  });

  it('acknowledges buttons it does not own (link buttons) at once', async () => {
    const res = await postForm(interactivityBody(blockAction('open_kb_link', 'x')));
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(1000);
    expect(engine.received).toHaveLength(0);
  });

  it('rejects a button whose value is not JSON without storing anything', async () => {
    const payload = blockAction('cd:ticket.close:1', {});
    (payload.actions as Array<Record<string, unknown>>)[0] = {
      action_id: 'cd:ticket.close:1',
      value: 'not json',
      action_ts: '1.1',
    };
    const res = await postForm(interactivityBody(payload));
    await adapter.idle();
    expect(res.status).toBe(200);
    expect(engine.received).toHaveLength(0);
  });

  it('opens a template as a modal from a form button', async () => {
    await postForm(
      interactivityBody(
        blockAction('cd:form.open:0', { templateId: 'laptop', values: { reason: 'old one broke' } }),
      ),
    );
    const [call] = await fake.waitForCalls('views.open');
    const view = call?.args.view as {
      type: string;
      blocks: Array<{ block_id?: string; element?: { initial_value?: string } }>;
    };
    expect(view.type).toBe('modal');
    expect(view.blocks.map((b) => b.block_id).filter(Boolean)).toEqual(['model', 'reason', 'quantity']);
    expect(view.blocks.find((b) => b.block_id === 'reason')?.element?.initial_value).toBe('old one broke');
  });

  const submission = (values: Record<string, Record<string, unknown>>, meta: unknown, hash = 'h1') =>
    interactivityBody({
      type: 'view_submission',
      user: { id: 'U0ALICE', team_id: 'T0001' },
      team: { id: 'T0001' },
      view: {
        id: 'V0FORM',
        hash,
        callback_id: 'cd_modal',
        private_metadata: JSON.stringify(meta),
        state: { values },
      },
    });
  const formMeta = {
    kind: 'form',
    templateId: 'laptop',
    conv: { channelId: 'D0ALICE', threadId: null, isDirect: true, workspaceId: 'T0001' },
  };

  it('shows template validation errors on the wrong field', async () => {
    const res = await postForm(
      submission(
        {
          model: { value: { type: 'static_select', selected_option: null } },
          reason: { value: { type: 'plain_text_input', value: 'hm' } },
        },
        formMeta,
      ),
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({
      response_action: 'errors',
      errors: { model: 'Model is required', reason: 'Why: at least 5 characters' },
    });
    expect(engine.received).toHaveLength(0);
  });

  it('submits a valid template as form.submit and closes the modal', async () => {
    const res = await postForm(
      submission(
        {
          model: { value: { type: 'static_select', selected_option: { value: 'ThinkPad X1' } } },
          reason: { value: { type: 'plain_text_input', value: 'screen cracked' } },
          quantity: { value: { type: 'number_input', value: '2' } },
        },
        formMeta,
        'h2',
      ),
    );
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(engine.received[0]).toMatchObject({
      kind: 'action',
      actionId: 'form.submit',
      value: {
        templateId: 'laptop',
        values: { model: 'ThinkPad X1', reason: 'screen cracked', quantity: 2 },
      },
      conversation: { channelId: 'D0ALICE', isDirect: true },
    });
  });

  it('swaps the template picker for the chosen form', async () => {
    const res = await postForm(
      submission(
        { template: { value: { type: 'static_select', selected_option: { value: 'laptop' } } } },
        { kind: 'picker', conv: formMeta.conv },
      ),
    );
    const body = JSON.parse(res.text) as {
      response_action: string;
      view: { title: { text: string }; private_metadata: string };
    };
    expect(body.response_action).toBe('update');
    expect(body.view.title.text).toBe('New laptop');
    expect(JSON.parse(body.view.private_metadata)).toMatchObject({ kind: 'form', templateId: 'laptop' });
  });

  it('"Create ticket" shortcut opens a prefilled modal; submitting it files one ticket by the submitter, quoting the author', async () => {
    const ts = slackTs();
    fake.messages.set(`C0GENERAL:${ts}`, { ts, text: 'Outlook crashes on start', user: 'U0CAROL' });
    await postForm(
      interactivityBody({
        type: 'message_action',
        callback_id: 'create_ticket',
        trigger_id: 'trig.sc',
        user: { id: 'U0BOB', team_id: 'T0001' },
        team: { id: 'T0001' },
        channel: { id: 'C0GENERAL', name: 'general' },
        message: { type: 'message', ts, text: 'Outlook crashes on start', user: 'U0CAROL' },
        response_url: fake.responseUrl('sc'),
      }),
    );
    const [open] = await fake.waitForCalls('views.open');
    const view = open?.args.view as {
      private_metadata: string;
      blocks: Array<{ element?: { initial_value?: string } }>;
    };
    expect(view.blocks[0]?.element?.initial_value).toBe('Outlook crashes on start');
    const meta = JSON.parse(view.private_metadata) as unknown;
    const submit = (hash: string) =>
      postForm(
        interactivityBody({
          type: 'view_submission',
          user: { id: 'U0BOB', team_id: 'T0001' },
          team: { id: 'T0001' },
          view: {
            id: 'V0SC',
            hash,
            callback_id: 'cd_modal',
            private_metadata: JSON.stringify(meta),
            state: {
              values: {
                description: {
                  value: { type: 'plain_text_input', value: 'Outlook crashes on start since update' },
                },
              },
            },
          },
        }),
      );
    const first = await submit('a');
    expect(first.text).toBe('');
    const again = await submit('b');
    expect(JSON.parse(again.text)).toMatchObject({ response_action: 'update' });
    expect(engine.received).toHaveLength(1);
    expect(engine.received[0]).toMatchObject({
      via: 'ticket_from_message',
      // Issue 14 item 4: the submitter acts and is the requester; the author's words are quoted verbatim.
      text: 'Outlook crashes on start since update\n\nReported about a message by <@U0CAROL>, quoted as written:\n> Outlook crashes on start',
      user: { platformUserId: 'U0BOB' },
      conversation: { channelId: 'C0GENERAL', threadId: ts },
    });
  });
});

describe('/it slash command', () => {
  it('alone shows an ephemeral menu', async () => {
    const res = await postForm(slashCommandBody({ text: '' }));
    const body = JSON.parse(res.text) as {
      response_type: string;
      blocks: Array<{ elements?: Array<{ action_id: string }> }>;
    };
    expect(body.response_type).toBe('ephemeral');
    expect(body.blocks.flatMap((b) => b.elements ?? []).map((e) => e.action_id)).toEqual([
      'cd_local:new',
      'cd_local:tickets',
      'cd_local:help',
    ]);
  });

  it('help answers with what employees can do', async () => {
    const res = await postForm(slashCommandBody({ text: 'help' }));
    expect(JSON.parse(res.text).text).toContain('/it new');
  });

  it('new opens the template picker', async () => {
    const res = await postForm(slashCommandBody({ text: 'new', trigger_id: 'trig.new' }));
    expect(res.status).toBe(200);
    const [call] = await fake.waitForCalls('views.open');
    expect(call?.args.trigger_id).toBe('trig.new');
    expect(JSON.stringify(call?.args.view)).toContain('"value":"laptop"');
  });

  it('status lists the requester tickets through response_url', async () => {
    await postForm(slashCommandBody({ text: 'status', response_url: fake.responseUrl('status') }));
    const [call] = await fake.waitForCalls('response_url');
    expect(call?.args.response_type).toBe('ephemeral');
    expect(JSON.stringify(call?.args.blocks)).toContain('INC0000042');
  });

  it('free text becomes a request answered in the user DM', async () => {
    const res = await postForm(slashCommandBody({ text: 'my printer is on fire', trigger_id: 'trig.free' }));
    expect(JSON.parse(res.text).text).toContain('direct messages');
    expect(engine.received[0]).toMatchObject({
      via: 'command',
      text: 'my printer is on fire',
      id: 'command:trig.free',
      conversation: { channelId: 'U0ALICE', isDirect: true },
    });
  });

  it('menu "My tickets" answers in place via response_url', async () => {
    const payload = blockAction('cd_local:tickets', 'tickets', {
      container: { type: 'message', message_ts: '1.2', is_ephemeral: true },
      response_url: fake.responseUrl('menu'),
    });
    await postForm(interactivityBody(payload));
    const [call] = await fake.waitForCalls('response_url');
    expect(JSON.stringify(call?.args.blocks)).toContain('INC0000042');
  });
});
