import { describe, expect, it } from 'vitest';
import {
  parseActivity,
  parseCardData,
  splitConversationId,
  stripBotMention,
} from '../../../../src/adapters/teams/activity.js';
import { formCard, formValuesFromInputs, replyToCard } from '../../../../src/adapters/teams/cards.js';
import { isAllowedServiceUrl } from '../../../../src/adapters/teams/service-urls.js';
import { messageActivity } from '../../../support/teams-activities.js';
import { LAPTOP_FORM } from './harness.js';

describe('service URL allow-list', () => {
  const strict = { extraPrefixes: [], allowLoopback: false };
  it('allows Microsoft Bot Connector hosts over https', () => {
    for (const u of [
      'https://smba.trafficmanager.net/amer/',
      'https://smba.trafficmanager.net/teams/',
      'https://smba.infra.gcc.teams.microsoft.com/',
      'https://europe.webchat.botframework.com/',
    ]) {
      expect(isAllowedServiceUrl(u, strict), u).toBe(true);
    }
  });
  it('refuses look-alikes, plain http, odd ports and credentials in the URL', () => {
    for (const u of [
      'https://smba.trafficmanager.net.evil.io/',
      'http://smba.trafficmanager.net/amer/',
      'https://smba.trafficmanager.net:8443/',
      'https://user:pw@smba.trafficmanager.net/',
      'https://evilbotframework.com/',
      'nonsense',
    ]) {
      expect(isAllowedServiceUrl(u, strict), u).toBe(false);
    }
  });
  it('allows loopback only in anonymous mode, and configured prefixes at a path boundary', () => {
    expect(isAllowedServiceUrl('http://127.0.0.1:3979/', strict)).toBe(false);
    expect(isAllowedServiceUrl('http://127.0.0.1:3979/', { extraPrefixes: [], allowLoopback: true })).toBe(
      true,
    );
    const proxy = { extraPrefixes: ['https://proxy.corp.example/teams'], allowLoopback: false };
    expect(isAllowedServiceUrl('https://proxy.corp.example/teams/amer/', proxy)).toBe(true);
    expect(isAllowedServiceUrl('https://proxy.corp.example/teamsevil/', proxy)).toBe(false);
    expect(isAllowedServiceUrl('https://proxy.corp.example.evil/teams/', proxy)).toBe(false);
  });
});

describe('activity translation', () => {
  it('splits ;messageid= off channel thread conversation ids', () => {
    expect(splitConversationId('19:abc@thread.tacv2;messageid=1700')).toEqual({
      channelId: '19:abc@thread.tacv2',
      threadId: '1700',
    });
    expect(splitConversationId('a:1xyz')).toEqual({ channelId: 'a:1xyz', threadId: null });
  });
  it('removes only the bot mention and HTML', () => {
    const a = parseActivity(
      messageActivity('my <b>vpn</b> &amp; wifi', {
        serviceUrl: 'https://smba.trafficmanager.net/amer/',
        conversation: 'channel',
      }),
    );
    expect(a.ok && stripBotMention(a.value)).toBe('my vpn & wifi');
  });
  it('names the bad field of an invalid activity', () => {
    const r = parseActivity({
      type: 'message',
      serviceUrl: 'https://smba.trafficmanager.net/amer/',
      channelId: 'msteams',
      from: {},
      recipient: { id: 'b' },
      conversation: { id: 'c' },
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain('from.id');
  });
  it('decodes card data and rejects unknown actions', () => {
    expect(
      parseCardData({
        chatdesk: { actionId: 'ticket.rate', value: { ticket: 'INC0000001', rating: 5 } },
        msteams: { type: 'messageBack' },
        comment: 'great',
      }),
    ).toEqual({
      ok: true,
      value: {
        action: { actionId: 'ticket.rate', value: { ticket: 'INC0000001', rating: 5 } },
        inputs: { comment: 'great' },
      },
    });
    const bad = parseCardData({ chatdesk: { actionId: 'rm -rf' } });
    expect(!bad.ok && bad.error).toContain('chatdesk.actionId');
  });
});

describe('adaptive card rendering', () => {
  it('renders plain text replies without a card', () => {
    expect(replyToCard({ text: 'Hello' })).toBeNull();
  });
  it('renders an article with its link and the helpful buttons', () => {
    const card = replyToCard({
      text: 'This article may help:',
      article: {
        id: 'kb-1',
        title: 'VPN drops',
        body: 'Reconnect to the corporate Wi-Fi.',
        url: 'https://kb.example/vpn',
      },
      choices: [
        { label: 'Yes, solved', actionId: 'kb.helpful', value: { article: 'kb-1' }, style: 'primary' },
        { label: 'No', actionId: 'kb.not_helpful', value: { article: 'kb-1' } },
      ],
    });
    expect(card?.version).toBe('1.4');
    expect(card?.actions?.map((a) => a.type)).toEqual(['Action.OpenUrl', 'Action.Execute', 'Action.Execute']);
    expect(card?.actions?.[1]).toMatchObject({
      style: 'positive',
      fallback: { type: 'Action.Submit', style: 'positive' },
    });
  });
  it('puts errors under their field and keeps entered values', () => {
    const card = formCard({
      ...LAPTOP_FORM,
      values: { reason: 'hm' },
      errors: { reason: 'Too short.', other: 'Something else is off.' },
    });
    const ids = card.body.map((e) => (e.id as string | undefined) ?? (e.text as string | undefined));
    expect(ids.indexOf('⚠ Too short.')).toBe(ids.indexOf('reason') + 1);
    expect(ids).toContain('⚠ Something else is off.');
    expect(card.body.find((e) => e.id === 'reason')).toMatchObject({
      value: 'hm',
      isRequired: true,
      isMultiline: true,
    });
  });
  it('turns card input strings back into typed values', () => {
    const form = {
      ...LAPTOP_FORM,
      fields: [
        ...LAPTOP_FORM.fields,
        { id: 'docks', label: 'Docks', type: 'multiselect' as const, required: false, options: ['A', 'B'] },
        { id: 'urgent', label: 'Urgent', type: 'boolean' as const, required: false },
      ],
    };
    expect(
      formValuesFromInputs(form, {
        model: 'Standard',
        monitors: '3',
        docks: 'A,B',
        urgent: 'true',
        injected: 'x',
        reason: '',
      }),
    ).toEqual({ model: 'Standard', monitors: 3, docks: ['A', 'B'], urgent: true });
  });
});
