import { describe, expect, it } from 'vitest';
import { appMentionEventSchema, messageEventSchema } from '../../../../src/adapters/slack/schemas.js';
import {
  directMeta,
  fromAppMention,
  fromCardReaction,
  fromMessageEvent,
  fromReactedMessage,
  isPublicChannel,
  slackConversation,
} from '../../../../src/adapters/slack/to-message.js';

const AT = '2026-03-02T09:00:00.000Z';
const env = { event_id: 'Ev1', team_id: 'T0001' };
const file = { name: 'log.txt', url_private: 'https://files.slack.com/log.txt', mimetype: 'text/plain' };

describe('Slack → Incoming (to-message.ts)', () => {
  it('turns a DM into a direct message from its author, bot mention and entities removed, files kept', () => {
    const ev = messageEventSchema.parse({
      type: 'message',
      channel: 'D0ALICE',
      channel_type: 'im',
      user: 'U0ALICE',
      text: '<@U0BOT> printer &amp; scanner are down',
      ts: '1700000000.000100',
      files: [file, { name: 'no-url' }],
    });
    const m = fromMessageEvent(
      env,
      { ...ev, user: 'U0ALICE' },
      { channelType: 'im', botUserId: 'U0BOT', receivedAt: AT },
    );
    expect(m).toMatchObject({
      kind: 'message',
      id: 'Ev1',
      via: 'dm',
      conversation: {
        platform: 'slack',
        channelId: 'D0ALICE',
        threadId: null,
        isDirect: true,
        workspaceId: 'T0001',
        isPublic: false,
      },
      user: { platform: 'slack', platformUserId: 'U0ALICE' },
      messageId: '1700000000.000100',
      receivedAt: AT,
    });
    expect(m.text).not.toContain('<@U0BOT>');
    expect(m.text).toContain('printer & scanner');
    expect(m.attachments).toEqual([{ name: 'log.txt', url: file.url_private, mimeType: 'text/plain' }]);
  });

  it('answers a mention in its thread, and treats C… channels as public', () => {
    const ev = appMentionEventSchema.parse({
      type: 'app_mention',
      channel: 'C0GENERAL',
      user: 'U0BOB',
      text: '<@U0BOT> vpn down',
      ts: '1700000000.000200',
    });
    const m = fromAppMention(env, { ...ev, user: 'U0BOB' }, { botUserId: 'U0BOT', receivedAt: AT });
    expect(m.via).toBe('mention');
    expect(m.conversation).toEqual({
      platform: 'slack',
      channelId: 'C0GENERAL',
      threadId: '1700000000.000200',
      isDirect: false,
      workspaceId: 'T0001',
      isPublic: true,
    });
    expect(isPublicChannel('G0PRIVATE')).toBe(false);
  });

  it('makes a reaction on a handoff card the card button, keyed so a redelivery dedupes', () => {
    const r = { channel: 'C0TRIAGE', ts: '1700000000.000300', reaction: 'eyes', user: 'U0AGENT' };
    const a = fromCardReaction(env, r, 'agent.claim', AT);
    expect(a).toMatchObject({ kind: 'action', actionId: 'agent.claim', value: {} });
    expect(a.id).toBe(fromCardReaction(env, r, 'agent.claim', AT).id);
    expect(a.sourceMessage?.messageId).toBe(r.ts);
    expect(a.conversation.threadId).toBe(r.ts);
  });

  it('opens one ticket per reacted message, whoever reacts, in the message thread', () => {
    const at = { channel: 'C0GENERAL', ts: '1700000000.000400' };
    const original = { text: 'disk full on build01', thread_ts: '1700000000.000001' };
    const m = fromReactedMessage(env, at, original, 'U0CAROL', AT);
    expect(m.id).toBe(fromReactedMessage(env, at, original, 'U0DAVE', AT).id);
    expect(m.via).toBe('ticket_from_message');
    expect(m.conversation.threadId).toBe('1700000000.000001');
    expect(m.user.platformUserId).toBe('U0CAROL');
  });

  it('addresses a DM by user id and keeps isPublic only when known', () => {
    expect(slackConversation(directMeta('U0ALICE', 'T0001'))).toEqual({
      platform: 'slack',
      channelId: 'U0ALICE',
      threadId: null,
      isDirect: true,
      workspaceId: 'T0001',
      isPublic: false,
    });
    expect(
      slackConversation({ channelId: 'C1', threadId: null, isDirect: false, workspaceId: null }),
    ).not.toHaveProperty('isPublic');
  });
});
