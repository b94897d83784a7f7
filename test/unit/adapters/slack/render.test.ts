import { describe, expect, it } from 'vitest';
import { formModal, formValues } from '../../../../src/adapters/slack/modals.js';
import { toDeliveryError } from '../../../../src/adapters/slack/port.js';
import {
  cardBlocks,
  decodeActionId,
  escapeMrkdwn,
  fallbackText,
  homeView,
  plainText,
  replyBlocks,
} from '../../../../src/adapters/slack/render.js';
import { errorsOnBlocks } from '../../../../src/adapters/slack/view-submission.js';
import type { FormSpec } from '../../../../src/chat/message.js';
import { CARD, LAPTOP_FORM } from './fake-engine.js';

const meta = {
  kind: 'form' as const,
  templateId: 'laptop',
  conv: { channelId: 'D1', threadId: null, isDirect: true, workspaceId: null },
};

describe('Slack text', () => {
  it('decodes what the user typed: entities, links, the bot mention', () => {
    expect(
      plainText('<@UBOT> see <https://x.io/a|the doc> &amp; <mailto:a@b.c|a@b.c> &lt;now&gt;', 'UBOT'),
    ).toBe('see the doc (https://x.io/a) & a@b.c <now>');
  });

  it('keeps line breaks and shows user and channel mentions readably', () => {
    expect(
      plainText('<@UBOT>  VPN drops\n\n\n\nsince <@U0BOB|bob> changed <#C0NET|network>\n  <@W0X>', 'UBOT'),
    ).toBe('VPN drops\n\nsince @bob changed #network\n@W0X');
  });

  it('escapes user text so it cannot inject mentions or links', () => {
    expect(escapeMrkdwn('<!channel> & <https://evil|x>')).toBe(
      '&lt;!channel&gt; &amp; &lt;https://evil|x&gt;',
    );
  });
});

describe('ticket card → Block Kit', () => {
  it('shows number, title, state, priority, group, assignee and SLA line, with one button per action', () => {
    const blocks = cardBlocks(CARD);
    const json = JSON.stringify(blocks);
    for (const s of [
      'INC0000042',
      'VPN keeps dropping',
      'Assigned',
      'P3',
      'Network',
      'Bob',
      'first response by 14:00',
    ])
      expect(json).toContain(s);
    const actions = blocks.find((b) => b.type === 'actions') as {
      elements: Array<{ action_id: string; value: string; style?: string }>;
    };
    expect(actions.elements.map((e) => e.action_id)).toEqual(['cd:ticket.add_info:0', 'cd:ticket.close:1']);
    expect(JSON.parse(actions.elements[1]?.value ?? '')).toEqual({ ticket: 'INC0000042' });
    expect(actions.elements[1]?.style).toBe('danger');
  });

  it('round-trips action ids and refuses foreign ones', () => {
    expect(decodeActionId('cd:ticket.rate:3')).toBe('ticket.rate');
    expect(decodeActionId('cd:kb.not_helpful:0')).toBe('kb.not_helpful');
    expect(decodeActionId('cd:rm -rf:0')).toBeNull();
    expect(decodeActionId('other:ticket.close:0')).toBeNull();
  });

  it('renders text, article, card, form button and choices with unique action ids', () => {
    const blocks = replyBlocks({
      text: 'Does this help?',
      article: {
        id: 'kb1',
        title: 'VPN drops',
        body: 'Reinstall the client.',
        url: 'https://kb.example.com/1',
      },
      card: CARD,
      form: { ...LAPTOP_FORM },
      choices: [
        { label: 'Yes', actionId: 'kb.helpful', value: { article: 'kb1' } },
        { label: 'No', actionId: 'kb.not_helpful', value: { article: 'kb1' } },
      ],
    });
    const ids = blocks.flatMap((b) =>
      b.type === 'actions' ? b.elements.map((e) => (e as { action_id: string }).action_id) : [],
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('cd:form.open:2');
    expect(JSON.stringify(blocks)).toContain('<https://kb.example.com/1|VPN drops>');
  });

  it('puts the ticket number into the notification text', () => {
    expect(fallbackText({ text: 'I opened a ticket.', card: CARD })).toBe('I opened a ticket. (INC0000042)');
    expect(fallbackText({ text: 'INC0000042 is resolved', card: CARD })).toBe('INC0000042 is resolved');
  });

  it('never exceeds 50 blocks', () => {
    const choices = Array.from({ length: 2000 }, (_, i) => ({
      label: `c${i}`,
      actionId: 'choice' as const,
      value: { i },
    }));
    expect(replyBlocks({ text: 'x'.repeat(20_000), choices }).length).toBeLessThanOrEqual(50);
  });
});

describe('form ↔ modal', () => {
  const form: FormSpec = {
    templateId: 'access',
    title: 'Access to a shared drive please',
    fields: [
      { id: 'drive', label: 'Drive', type: 'select', required: true, options: ['Finance', 'HR'] },
      { id: 'tags', label: 'Tags', type: 'multiselect', required: false, options: ['a', 'b'] },
      { id: 'until', label: 'Until', type: 'date', required: false },
      { id: 'manager', label: 'Manager', type: 'user', required: true },
      { id: 'email', label: 'Email', type: 'email', required: true },
      { id: 'urgent', label: 'Urgent', type: 'boolean', required: false },
      { id: 'n', label: 'Count', type: 'number', required: false },
      { id: 'free', label: 'Free', type: 'select', required: false },
    ],
    values: { drive: 'HR', tags: ['b'], urgent: true },
  };

  it('renders each field type as the matching input, block_id = field id, prefilled', () => {
    const view = formModal(form, meta);
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(view.callback_id).toBe('cd_modal');
    const inputs = view.blocks as unknown as Array<{
      block_id: string;
      optional: boolean;
      element: Record<string, unknown>;
    }>;
    expect(inputs.map((b) => [b.block_id, b.element.type])).toEqual([
      ['drive', 'static_select'],
      ['tags', 'multi_static_select'],
      ['until', 'datepicker'],
      ['manager', 'users_select'],
      ['email', 'email_text_input'],
      ['urgent', 'checkboxes'],
      ['n', 'number_input'],
      ['free', 'plain_text_input'],
    ]);
    expect(inputs[0]?.optional).toBe(false);
    expect(inputs[1]?.optional).toBe(true);
    expect(inputs[0]?.element.initial_option).toMatchObject({ value: 'HR' });
    expect(inputs[5]?.element.initial_options).toHaveLength(1);
    expect(JSON.parse(view.private_metadata ?? '')).toEqual(meta);
  });

  it('reads submitted state back into plain values, leaving empty answers out', () => {
    expect(
      formValues({
        drive: { value: { type: 'static_select', selected_option: { value: 'HR' } } },
        tags: { value: { type: 'multi_static_select', selected_options: [{ value: 'a' }] } },
        until: { value: { type: 'datepicker', selected_date: '2026-12-01' } },
        manager: { value: { type: 'users_select', selected_user: 'U0BOSS' } },
        email: { value: { type: 'email_text_input', value: 'a@b.c' } },
        urgent: { value: { type: 'checkboxes', selected_options: [] } },
        n: { value: { type: 'number_input', value: '3.5' } },
        free: { value: { type: 'plain_text_input', value: null } },
      }),
    ).toEqual({
      drive: 'HR',
      tags: ['a'],
      until: '2026-12-01',
      manager: 'U0BOSS',
      email: 'a@b.c',
      urgent: false,
      n: 3.5,
    });
  });

  it('keeps errors for unknown fields visible on the first block', () => {
    expect(errorsOnBlocks({ reason: 'too short', template: 'gone' }, ['model', 'reason'])).toEqual({
      reason: 'too short',
      model: 'template: gone',
    });
  });
});

describe('App Home', () => {
  it('lists open and recently closed tickets with state, priority and due time', () => {
    const view = homeView([CARD, { ...CARD, number: 'INC0000001', state: 'closed', eta: null }]);
    const json = JSON.stringify(view);
    expect(view.type).toBe('home');
    expect(json).toContain('Open tickets');
    expect(json).toContain('Recently closed');
    expect(json).toContain('Assigned · P3 · first response by 14:00');
    expect(json.indexOf('INC0000042')).toBeLessThan(json.indexOf('INC0000001'));
  });
});

describe('Web API failure mapping', () => {
  it('treats unknown throwables as retryable so nothing is lost', () => {
    expect(toDeliveryError(new Error('boom'), 'x').retryable).toBe(true);
    expect(toDeliveryError({ code: 'slack_webapi_http_error', statusCode: 400 }, 'x').retryable).toBe(false);
  });
});
