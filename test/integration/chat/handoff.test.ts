import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveredMessage } from '../../../src/adapters/local/local-port.js';
import type { App } from '../../../src/app.js';
import type { Incoming } from '../../../src/chat/message.js';
import { buildTestApp } from '../../support/app.js';
import { sqliteDb } from '../../support/databases.js';
import { ChatUser, localAdapter, texts } from '../../support/local-chat.js';
import { type Recorded, recordingAdapter } from '../../support/recording-port.js';

/**
 * The handoff protocol at the engine level: requester on the local channel, agents in a Slack
 * triage channel (an in-process recording port; the wire-level Slack/Teams suites cover the adapters).
 */
describe('handoff protocol (engine level)', () => {
  let app: App;
  let cleanup: () => Promise<void>;
  let local: DeliveredMessage[];
  let slack: Recorded[];
  let clock = new Date('2026-03-02T09:30:00.000Z'); // a Monday, inside business hours
  let n = 0;

  beforeAll(async () => {
    const db = await sqliteDb.create();
    cleanup = db.cleanup;
    const l = localAdapter();
    const s = recordingAdapter('slack', {
      U_GRACE: 'grace@example.com',
      U_HEIDI: 'heidi@example.com',
      U_ALICE: 'alice@example.com',
      U_IVAN: 'ivan@example.com',
    });
    local = l.sent;
    slack = s.sent;
    app = await buildTestApp(
      db.url,
      {},
      { serve: false, adapters: [l.adapter, s.adapter], now: () => clock },
    );
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  const slackSend = async (
    incoming: Omit<Incoming, 'id' | 'platform' | 'receivedAt'> & { kind: Incoming['kind'] },
  ) => {
    const r = await app.engine.receive({
      ...incoming,
      id: `slack-${++n}`,
      platform: 'slack',
      receivedAt: clock.toISOString(),
    } as Incoming);
    await r.processed;
    await app.drain();
  };
  const inThread = (threadId: string) => ({
    platform: 'slack' as const,
    channelId: 'C0SERVICEDESK',
    threadId,
    isDirect: false,
    workspaceId: 'T1',
  });
  const agentSays = (user: string, threadId: string, text: string) =>
    slackSend({
      kind: 'message',
      conversation: inThread(threadId),
      user: { platform: 'slack', platformUserId: user },
      text,
      attachments: [],
      messageId: `m${n}`,
      via: 'thread',
    } as never);
  const agentClicks = (user: string, actionId: string, value: Record<string, unknown>) =>
    slackSend({
      kind: 'action',
      conversation: {
        platform: 'slack',
        channelId: 'C0SERVICEDESK',
        threadId: null,
        isDirect: false,
        workspaceId: 'T1',
      },
      user: { platform: 'slack', platformUserId: user },
      actionId,
      value,
      sourceMessage: null,
    } as never);

  let number = '';
  let thread = '';

  it('posts a handoff card to the group triage channel with reason, requester, summary and agent buttons', async () => {
    const alice = new ChatUser(app, local, 'alice@example.com');
    const reply = texts(await alice.say('I need to talk to a human about my expense tool login'));
    number = /INC\d{7}/.exec(reply)?.[0] ?? '';
    expect(reply).toMatch(/handing this to a person/);
    const card = slack.find(
      (m) => m.message.conversation.channelId === 'C0SERVICEDESK' && m.message.reply.card?.number === number,
    );
    expect(card).toBeDefined();
    thread = card?.messageId ?? '';
    expect(card?.message.reply.text).toMatch(/Requester: Alice Martin/);
    expect(card?.message.reply.text).toMatch(/Reason: requester asked for a person/);
    expect(card?.message.reply.text).toMatch(/Summary: I need to talk to a human/);
    expect(card?.message.reply.card?.actions.map((a) => a.actionId)).toEqual(
      expect.arrayContaining(['agent.claim', 'agent.resolve', 'agent.escalate', 'agent.handback']),
    );
    const agentConv = await app.db
      .selectFrom('conversations')
      .selectAll()
      .where('thread_id', '=', thread)
      .executeTakeFirstOrThrow();
    expect(agentConv.role).toBe('agents');
  });

  it('lets exactly one of two simultaneous claims win and tells the loser who owns it', async () => {
    const before = slack.length;
    await Promise.all([
      agentClicks('U_GRACE', 'agent.claim', { ticket: number }),
      agentClicks('U_HEIDI', 'agent.claim', { ticket: number }),
    ]);
    const said = slack.slice(before).map((m) => m.message.reply.text);
    expect(said.filter((t) => / claimed /.test(t))).toHaveLength(1);
    expect(said.filter((t) => /already owned by (Grace Hopper|Heidi Larsen)/.test(t))).toHaveLength(1);
    const owner = await app.db
      .selectFrom('conversations')
      .select('owner')
      .where('channel_id', '=', 'console:alice@example.com')
      .executeTakeFirstOrThrow();
    expect(owner.owner).toMatch(/^agent:\d+$/);
    expect(local.map((m) => m.message.reply.text).join('\n')).toMatch(
      /(Grace Hopper|Heidi Larsen) from the IT service desk has joined/,
    );
  });

  it('relays agent replies to the requester, keeps ;; notes internal, and relays the requester back', async () => {
    const owner = (
      await app.db
        .selectFrom('conversations')
        .select('owner')
        .where('channel_id', '=', 'console:alice@example.com')
        .executeTakeFirstOrThrow()
    ).owner;
    const agentUser =
      owner === `agent:${(await app.directory.personByEmail('grace@example.com'))?.id}`
        ? 'U_GRACE'
        : 'U_HEIDI';
    const beforeLocal = local.length;
    await agentSays(agentUser, thread, 'Hi Alice, which browser do you use?');
    await agentSays(agentUser, thread, ';; probably the SSO cookie issue again');
    const toAlice = local.slice(beforeLocal).map((m) => m.message.reply.text);
    expect(toAlice).toEqual([
      expect.stringMatching(/\(IT service desk\): Hi Alice, which browser do you use\?$/),
    ]);

    const alice = new ChatUser(app, local, 'alice@example.com');
    const beforeSlack = slack.length;
    expect(await alice.say('Firefox, latest version')).toHaveLength(0); // the bot stays silent
    const toThread = slack.slice(beforeSlack);
    expect(toThread.map((m) => [m.message.conversation.threadId, m.message.reply.text])).toEqual([
      [thread, 'Alice Martin: Firefox, latest version'],
    ]);

    const t = await app.db
      .selectFrom('tickets')
      .select('id')
      .where('number', '=', number)
      .executeTakeFirstOrThrow();
    const comments = await app.db
      .selectFrom('comments')
      .select(['body', 'internal'])
      .where('ticket_id', '=', t.id)
      .orderBy('id')
      .execute();
    expect(comments).toEqual([
      { body: 'Hi Alice, which browser do you use?', internal: 0 },
      { body: 'probably the SSO cookie issue again', internal: 1 },
      { body: 'Firefox, latest version', internal: 0 },
    ]);
  });

  it('refuses an agent of another group', async () => {
    const before = slack.length;
    await agentClicks('U_IVAN', 'agent.resolve', { ticket: number });
    expect(
      slack
        .slice(before)
        .map((m) => m.message.reply.text)
        .join('\n'),
    ).toMatch(/belongs to Service Desk; only its agents/);
  });

  it('hands back to the bot, which answers again with a fresh dialog', async () => {
    await agentClicks('U_GRACE', 'agent.handback', { ticket: number });
    expect(local.at(-1)?.message.reply.text).toMatch(/back with the IT bot/);
    const alice = new ChatUser(app, local, 'alice@example.com');
    expect(texts(await alice.say('status'))).toMatch(/Your open tickets/);
    const events = await app.db
      .selectFrom('ticket_events as e')
      .innerJoin('tickets as t', 't.id', 'e.ticket_id')
      .select(['e.from_value', 'e.to_value'])
      .where('t.number', '=', number)
      .where('e.type', '=', 'owner_changed')
      .orderBy('e.seq')
      .execute();
    expect(events.map((e) => `${e.from_value}→${e.to_value}`)).toEqual([
      'bot→queue',
      expect.stringMatching(/^queue→agent:\d+$/),
      expect.stringMatching(/^agent:\d+→bot$/),
    ]);
  });

  it('escalates an unclaimed handoff once the response target passes, and only once', async () => {
    const bob = new ChatUser(app, local, 'bob@example.com');
    const reply = texts(await bob.say('please get me a real person, the payroll app will not load'));
    const bobTicket = /INC\d{7}/.exec(reply)?.[0] ?? '';
    expect(await app.engine.sweepHandoffs()).toBe(0);
    clock = new Date(clock.getTime() + 48 * 3600_000); // two business days: past any response target
    expect(await app.engine.sweepHandoffs()).toBe(1);
    await app.drain();
    expect(
      local.filter((m) => m.conversationId === 'console:bob@example.com').at(-1)?.message.reply.text,
    ).toMatch(new RegExp(`Sorry for the wait on ${bobTicket}`));
    expect(await app.engine.sweepHandoffs()).toBe(0);
    const escalations = await app.db
      .selectFrom('ticket_events as e')
      .innerJoin('tickets as t', 't.id', 'e.ticket_id')
      .select('e.data')
      .where('t.number', '=', bobTicket)
      .where('e.type', '=', 'escalated')
      .execute();
    expect(escalations).toHaveLength(1);
    // Service Desk escalates to Network & Security: a new card lands in that group's channel.
    expect(
      slack.some(
        (m) => m.message.conversation.channelId === 'C0INFRA' && m.message.reply.card?.number === bobTicket,
      ),
    ).toBe(true);
  });
});

describe('handoff on low confidence', () => {
  it('hands a message the classifier is unsure about to the triage channel, with the confidence and guesses', async () => {
    const db = await sqliteDb.create();
    const l = localAdapter();
    const s = recordingAdapter('slack', {});
    // A threshold no prediction reaches: every multi-word message is "low confidence".
    const app = await buildTestApp(
      db.url,
      { HANDOFF_THRESHOLD: '0.9999' },
      { serve: false, adapters: [l.adapter, s.adapter] },
    );
    try {
      const erin = new ChatUser(app, l.sent, 'erin@example.com');
      const reply = texts(await erin.say('that weird thing happened again with the thingy on my desk'));
      expect(reply).toMatch(/handing this to a person/);
      const card = s.sent.find((m) => m.message.reply.card);
      expect(card?.message.reply.text).toMatch(
        /Reason: low confidence \(0\.\d\d for \w+\) \(bot confidence 0\.\d\d\)/,
      );
      expect(card?.message.reply.text).toMatch(/Bot tried: best guesses: /);
    } finally {
      await app.close();
      await db.cleanup();
    }
  }, 120_000);
});
