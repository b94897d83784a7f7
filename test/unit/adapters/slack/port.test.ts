/**
 * The outbound port against the fake Web API: what goes on the wire, and how each kind of Slack failure
 * maps to the outbox's retry decision.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebClient, SlackPort } from '../../../../src/adapters/slack/port.js';
import { type ConversationRef, DeliveryError, type Outgoing } from '../../../../src/chat/message.js';
import { silentLogger } from '../../../../src/log.js';
import { type FakeSlackApi, startFakeSlackApi } from '../../../support/fake-slack-api.js';
import { CARD } from './fake-engine.js';

let fake: FakeSlackApi;
let port: SlackPort;

const dm: ConversationRef = {
  platform: 'slack',
  channelId: 'D0ALICE',
  threadId: null,
  isDirect: true,
  workspaceId: 'T0001',
};
const out = (extra: Partial<Outgoing> = {}): Outgoing => ({
  conversation: dm,
  reply: { text: 'Ticket INC0000042 opened', card: CARD },
  ...extra,
});

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DeliveryError) return err;
    throw err;
  }
  throw new Error('expected a DeliveryError');
}

beforeAll(async () => {
  fake = await startFakeSlackApi();
  port = new SlackPort(createWebClient('xoxb-port-test', fake.apiUrl, silentLogger), silentLogger);
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

describe('SlackPort.deliver', () => {
  it('posts text and Block Kit with the bot token and returns the message ts', async () => {
    const res = await port.deliver(out());
    const [call] = fake.callsOf('chat.postMessage');
    expect(call?.token).toBe('xoxb-port-test');
    expect(call?.args).toMatchObject({ channel: 'D0ALICE', text: 'Ticket INC0000042 opened' });
    expect(call?.args.thread_ts).toBeUndefined();
    expect(JSON.stringify(call?.args.blocks)).toContain('cd:ticket.close:1');
    expect(res.messageId).toMatch(/^\d{10}\.\d+$/);
  });

  it('replies in the thread (replyTo wins over the conversation thread)', async () => {
    await port.deliver(
      out({
        conversation: { ...dm, channelId: 'C0GENERAL', threadId: '111.1', isDirect: false },
        replyTo: '222.2',
      }),
    );
    expect(fake.callsOf('chat.postMessage')[0]?.args).toMatchObject({
      channel: 'C0GENERAL',
      thread_ts: '222.2',
    });
  });

  it('updates a card in place with chat.update', async () => {
    const res = await port.deliver(out({ updateOf: { conversation: dm, messageId: '1700000000.000100' } }));
    expect(fake.callsOf('chat.postMessage')).toHaveLength(0);
    expect(fake.callsOf('chat.update')[0]?.args).toMatchObject({
      channel: 'D0ALICE',
      ts: '1700000000.000100',
    });
    expect(res.messageId).toBe('1700000000.000100');
  });

  it('resolves a user id to their DM once (conversations.open) before posting', async () => {
    await port.deliver(out({ conversation: { ...dm, channelId: 'U0DAVE' } }));
    await port.deliver(out({ conversation: { ...dm, channelId: 'U0DAVE' } }));
    expect(fake.callsOf('conversations.open')).toHaveLength(1);
    expect(fake.callsOf('chat.postMessage').map((c) => c.args.channel)).toEqual(['D0DAVE', 'D0DAVE']);
  });

  it('429 → retryable with Retry-After', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const e = await failure(port.deliver(out()));
    expect(e).toMatchObject({ retryable: true, retryAfterMs: 7000 });
    expect(fake.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('5xx and dropped connections → retryable', async () => {
    fake.failNext('chat.postMessage', { status: 503 });
    expect((await failure(port.deliver(out()))).retryable).toBe(true);
    fake.failNext('chat.postMessage', { drop: true });
    expect((await failure(port.deliver(out()))).retryable).toBe(true);
    fake.failNext('chat.postMessage', { error: 'internal_error' });
    expect((await failure(port.deliver(out()))).retryable).toBe(true);
  });

  it('channel_not_found, not_in_channel, invalid_blocks → not retryable', async () => {
    for (const error of ['channel_not_found', 'not_in_channel', 'invalid_blocks']) {
      fake.failNext('chat.postMessage', { error });
      const e = await failure(port.deliver(out()));
      expect(e.retryable).toBe(false);
      expect(e.message).toContain(error);
    }
  });

  it('a network failure opening the DM is retryable too', async () => {
    fake.failNext('conversations.open', { status: 500 });
    expect(
      (await failure(port.deliver(out({ conversation: { ...dm, channelId: 'U0ERIN' } })))).retryable,
    ).toBe(true);
  });
});

describe('SlackPort users and DMs', () => {
  it('looks up email and name with users.info', async () => {
    fake.users.set('U0ALICE', { id: 'U0ALICE', email: 'alice@example.com', name: 'Alice Liddell' });
    expect(await port.lookupUser('U0ALICE', dm)).toEqual({
      email: 'alice@example.com',
      displayName: 'Alice Liddell',
      timeZone: null,
    });
    // The profile's time zone comes along when Slack has one (first contact uses it instead of UTC).
    fake.users.set('U0BOB', { id: 'U0BOB', email: 'bob@example.com', name: 'Bob', tz: 'America/Chicago' });
    expect((await port.lookupUser('U0BOB', dm))?.timeZone).toBe('America/Chicago');
  });

  it('returns null for an unknown user', async () => {
    fake.failNext('users.info', { error: 'user_not_found' });
    expect(await port.lookupUser('U0NOBODY', dm)).toBeNull();
  });

  it('opens a DM for private follow-ups', async () => {
    const ref = await port.openDirect(
      { platform: 'slack', platformUserId: 'U0FRANK' },
      { ...dm, channelId: 'C0GENERAL', isDirect: false },
    );
    expect(ref).toEqual({
      platform: 'slack',
      channelId: 'D0FRANK',
      threadId: null,
      isDirect: true,
      workspaceId: 'T0001',
      isPublic: false,
    });
    expect(fake.callsOf('conversations.open')[0]?.args.users).toBe('U0FRANK');
  });
});
