/**
 * Reply → Block Kit (ticket cards, replies, the /it menu, App Home); modals are in modals.ts. Pure functions over plain data so
 * they are unit-tested without a network; Slack's hard limits (text lengths, 50 blocks, 25 elements
 * per actions block, 100 options) are enforced here rather than discovered as `invalid_blocks` at
 * delivery time, which the outbox could never fix by retrying.
 */
import type { types as SlackTypes } from '@slack/bolt';
import type { ActionId, Choice, Reply, TicketCard } from '../../chat/message.js';
import { ACTION_IDS } from '../../chat/message.js';

type KnownBlock = SlackTypes.KnownBlock;
type Button = SlackTypes.Button;
type HomeView = SlackTypes.HomeView;

/** Button action ids are `cd:<chat action id>:<n>`; the suffix keeps them unique within one message. */
export const ACTION_PREFIX = 'cd:';
/** Adapter-local buttons (the /it menu, App Home) that never reach the engine. */
export const LOCAL_PREFIX = 'cd_local:';
export const LOCAL_ACTIONS = ['new', 'tickets', 'help'] as const;
type LocalAction = (typeof LOCAL_ACTIONS)[number];
/** Modal callback ids; the private_metadata `kind` says which flow a submission belongs to. */
export const VIEW_CALLBACK_ID = 'cd_modal';
/** The input block/action ids of fields this adapter adds itself. */
export const TEMPLATE_BLOCK = 'template';
export const DESCRIPTION_BLOCK = 'description';
export const VALUE_ACTION = 'value';

const MAX_BLOCKS = 50;
export const MAX_SECTION = 3000;
const MAX_BUTTON_TEXT = 75;
const MAX_BUTTON_VALUE = 2000;
export const MAX_TITLE = 24;
export const MAX_OPTIONS = 100;

/** Slack's mrkdwn treats &, < and > as control characters; user text must not inject links or mentions. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack's wire text → what the user typed: entities decoded, links shown as `label (url)`, mentions of the bot removed. */
/** Slack caps a message at 40,000 characters; anything longer is cut before it is scanned. */
const SLACK_TEXT_MAX = 40_000;

/**
 * Slack's markup to plain text. Every pattern is linear: an entity runs from `<` to the next `<` or
 * `>` (Slack escapes both inside entities), so `<http:` × 10,000 is one pass, not n² backtracking.
 */
export function plainText(text: string, botUserId?: string | null): string {
  let out = text.length > SLACK_TEXT_MAX ? text.slice(0, SLACK_TEXT_MAX) : text;
  if (botUserId) out = out.split(`<@${botUserId}>`).join('');
  out = out.replace(/<((?:https?|mailto):[^<|>]+)\|([^<>]+)>/g, (_m, url: string, label: string) =>
    label === url.replace(/^mailto:/, '') ? label : `${label} (${url})`,
  );
  out = out.replace(/<((?:https?|mailto):[^<>]+)>/g, (_m, url: string) => url.replace(/^mailto:/, ''));
  out = out.replace(/<!(here|channel|everyone)>/g, '@$1');
  out = out.replace(
    /<@([UW][A-Z0-9]+)(?:\|([^<>]+))?>/g,
    (_m, id: string, name?: string) => `@${name ?? id}`,
  );
  out = out.replace(/<#(C[A-Z0-9]+)(?:\|([^<>]*))?>/g, (_m, id: string, name?: string) => `#${name || id}`);
  // Line breaks stay: a multi-line report is easier for an agent to read as written.
  return out
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function isActionId(v: string): v is ActionId {
  return (ACTION_IDS as readonly string[]).includes(v);
}

/** `cd:ticket.close:2` → `ticket.close`; null when the id is not one of ours. */
export function decodeActionId(actionId: string): ActionId | null {
  if (!actionId.startsWith(ACTION_PREFIX)) return null;
  const rest = actionId.slice(ACTION_PREFIX.length);
  const name = rest.includes(':') ? rest.slice(0, rest.lastIndexOf(':')) : rest;
  return isActionId(name) ? name : null;
}

function button(choice: Choice, index: number): Button | null {
  const value = JSON.stringify(choice.value);
  // A value Slack would reject makes the whole message undeliverable; dropping one button is the lesser evil.
  if (value.length > MAX_BUTTON_VALUE) return null;
  const b: Button = {
    type: 'button',
    text: { type: 'plain_text', text: truncate(choice.label, MAX_BUTTON_TEXT), emoji: true },
    action_id: `${ACTION_PREFIX}${choice.actionId}:${index}`,
    value,
  };
  if (choice.style) b.style = choice.style;
  return b;
}

function actionBlocks(choices: Choice[], startIndex: number): KnownBlock[] {
  const buttons = choices.map((c, i) => button(c, startIndex + i)).filter((b): b is Button => b !== null);
  const blocks: KnownBlock[] = [];
  for (let i = 0; i < buttons.length; i += 25)
    blocks.push({ type: 'actions', elements: buttons.slice(i, i + 25) });
  return blocks;
}

function sections(text: string): KnownBlock[] {
  const escaped = escapeMrkdwn(text);
  const out: KnownBlock[] = [];
  for (let i = 0; i < escaped.length; i += MAX_SECTION) {
    out.push({ type: 'section', text: { type: 'mrkdwn', text: escaped.slice(i, i + MAX_SECTION) } });
  }
  return out;
}

const STATE_LABEL: Record<TicketCard['state'], string> = {
  new: 'New',
  assigned: 'Assigned',
  in_progress: 'In progress',
  pending: 'Waiting',
  resolved: 'Resolved',
  closed: 'Closed',
  cancelled: 'Cancelled',
};

export function cardBlocks(card: TicketCard, buttonIndexStart = 0): KnownBlock[] {
  const fields = [
    { type: 'mrkdwn' as const, text: `*State*\n${STATE_LABEL[card.state]}` },
    {
      type: 'mrkdwn' as const,
      text: `*Priority*\n${card.priority} (impact ${card.impact}, urgency ${card.urgency})`,
    },
    { type: 'mrkdwn' as const, text: `*Group*\n${escapeMrkdwn(card.group ?? 'not assigned yet')}` },
    { type: 'mrkdwn' as const, text: `*Assignee*\n${escapeMrkdwn(card.assignee ?? 'not assigned yet')}` },
  ];
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      block_id: `card:${card.number}`,
      text: {
        type: 'mrkdwn',
        text: truncate(`:ticket: *${card.number}* · ${escapeMrkdwn(card.title)}`, MAX_SECTION),
      },
      fields,
    },
  ];
  if (card.eta)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(card.eta) }] });
  blocks.push(...actionBlocks(card.actions, buttonIndexStart));
  return blocks;
}

/** The full Block Kit rendering of a reply; `text` stays the notification and accessibility fallback. */
export function replyBlocks(reply: Reply): KnownBlock[] {
  const blocks: KnownBlock[] = [...sections(reply.text)];
  let buttons = 0;
  if (reply.article) {
    const a = reply.article;
    const title = a.url ? `<${a.url}|${escapeMrkdwn(a.title)}>` : escapeMrkdwn(a.title);
    blocks.push({ type: 'divider' });
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(`:book: *${title}*\n${escapeMrkdwn(a.body)}`, MAX_SECTION) },
    });
  }
  if (reply.card) {
    blocks.push(...cardBlocks(reply.card, buttons));
    buttons += reply.card.actions.length;
  }
  if (reply.form) {
    const form = reply.form;
    blocks.push(
      ...actionBlocks(
        [
          {
            label: `Open form: ${form.title}`,
            actionId: 'form.open',
            value: { templateId: form.templateId, values: form.values ?? {} },
            style: 'primary',
          },
        ],
        buttons,
      ),
    );
    buttons += 1;
  }
  if (reply.choices && reply.choices.length > 0) blocks.push(...actionBlocks(reply.choices, buttons));
  return blocks.slice(0, MAX_BLOCKS);
}

/** Top-level `text` of a message: notifications and screen readers show it. */
export function fallbackText(reply: Reply): string {
  const base =
    reply.card && !reply.text.includes(reply.card.number)
      ? `${reply.text} (${reply.card.number})`
      : reply.text;
  return truncate(escapeMrkdwn(base), 4000);
}

export function plain(text: string, max = 2000): SlackTypes.PlainTextElement {
  return { type: 'plain_text', text: truncate(text, max), emoji: true };
}

function localButton(label: string, action: LocalAction, style?: 'primary'): Button {
  const b: Button = {
    type: 'button',
    text: plain(label, MAX_BUTTON_TEXT),
    action_id: `${LOCAL_PREFIX}${action}`,
    value: action,
  };
  if (style) b.style = style;
  return b;
}

export const HELP_TEXT = [
  'I am the IT service desk. You can:',
  '• write to me here in a DM, or @mention me in a channel: I answer, or open a ticket for you',
  '• react with :ticket: on any message to turn it into a ticket',
  '• use the message shortcut *Create ticket* (the ⋮ menu of a message)',
  '• `/it new` to fill a request form, `/it status` for your tickets, `/it <your problem>` to report something',
  '• open my *Home* tab to see your open and recent tickets',
].join('\n');

/** `/it` alone: an ephemeral menu. */
export function menuBlocks(): KnownBlock[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text: 'How can IT help?' } },
    {
      type: 'actions',
      elements: [
        localButton('New request', 'new', 'primary'),
        localButton('My tickets', 'tickets'),
        localButton('Help', 'help'),
      ],
    },
  ];
}

function ticketLine(card: TicketCard): KnownBlock[] {
  const due = card.eta ? ` · ${escapeMrkdwn(card.eta)}` : '';
  return [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(`*${card.number}* · ${escapeMrkdwn(card.title)}`, MAX_SECTION) },
    },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${STATE_LABEL[card.state]} · ${card.priority}${due}` }],
    },
  ];
}

/** The requester's tickets as a compact list (App Home, `/it status`). */
export function ticketListBlocks(cards: TicketCard[]): KnownBlock[] {
  if (cards.length === 0)
    return [{ type: 'section', text: { type: 'mrkdwn', text: 'You have no tickets.' } }];
  const open = cards.filter((c) => ['new', 'assigned', 'in_progress', 'pending'].includes(c.state));
  const recent = cards.filter((c) => !open.includes(c));
  const blocks: KnownBlock[] = [];
  if (open.length > 0) {
    blocks.push({ type: 'header', text: plain('Open tickets', 150) });
    for (const c of open) blocks.push(...ticketLine(c));
  }
  if (recent.length > 0) {
    blocks.push({ type: 'header', text: plain('Recently closed', 150) });
    for (const c of recent) blocks.push(...ticketLine(c));
  }
  return blocks;
}

/** `top`: blocks above the requester's part (a member of staff's queue, home-queue.ts). */
export function homeView(cards: TicketCard[], top: KnownBlock[] = []): HomeView {
  const head: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*IT service desk*\nWrite to me in the Messages tab, or start a request here.',
      },
    },
    {
      type: 'actions',
      elements: [localButton('New request', 'new', 'primary'), localButton('Help', 'help')],
    },
    { type: 'divider' },
  ];
  return { type: 'home', blocks: [...head, ...top, ...ticketListBlocks(cards)].slice(0, 100) };
}
