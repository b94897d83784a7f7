/**
 * How a scripted requester talks to the desk on each platform, and how agents answer in Slack's triage
 * channels. Every channel reports what the requester saw during a turn in the same shape: the texts as
 * rendered for that platform, the buttons offered, and the ticket cards.
 */
import { randomUUID } from 'node:crypto';
import { replyToText } from '../../src/adapters/local/text-render.js';
import type { ActionId, Choice } from '../../src/chat/message.js';
import type { RecordedCall } from '../support/fake-slack-api.js';
import { blockActions } from '../support/slack-payloads.js';
import { eventEnvelope, FORM, interactivityBody, postSigned, slackTs } from '../support/slack-signing.js';
import { executeActivity, messageActivity } from '../support/teams-activities.js';
import type { Desk, Persona } from './desk.js';

export interface Seen {
  texts: string[];
  buttons: string[];
  cards: string[];
}

interface Button {
  label: string;
  click: () => Promise<void>;
}

export interface Channel {
  say(who: Persona, text: string): Promise<Seen>;
  click(who: Persona, label: string): Promise<Seen>;
  /** What the requester saw since `mark` (after agents acted). */
  since(who: Persona, mark: number): Seen;
  mark(who: Persona): number;
}

const empty = (): Seen => ({ texts: [], buttons: [], cards: [] });

// ---------------------------------------------------------------- Slack (requesters and agents)

const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

type Block = {
  type: string;
  block_id?: string;
  text?: { text: string };
  fields?: Array<{ text: string }>;
  elements?: Array<{ text?: string | { text: string }; action_id?: string; value?: string }>;
};

function slackSeen(calls: RecordedCall[], desk: Desk, userId: string): { seen: Seen; buttons: Button[] } {
  const seen = empty();
  const buttons: Button[] = [];
  for (const c of calls) {
    seen.texts.push(decode(String(c.args.text ?? '')));
    const ts = String(c.method === 'chat.update' ? c.args.ts : (c.response?.ts ?? ''));
    const channel = String(c.args.channel);
    for (const b of (c.args.blocks ?? []) as Block[]) {
      if (b.block_id?.startsWith('card:')) seen.cards.push(b.block_id.slice(5));
      if (b.text?.text) seen.texts.push(decode(b.text.text));
      for (const f of b.fields ?? []) seen.texts.push(decode(f.text));
      for (const e of b.elements ?? []) {
        if (b.type === 'context' && typeof e.text === 'string') seen.texts.push(decode(e.text));
        if (b.type === 'actions' && e.action_id && typeof e.text === 'object') {
          const label = e.text.text;
          seen.buttons.push(label);
          const button = { action_id: e.action_id, value: e.value ?? '' };
          buttons.push({ label, click: () => slackClick(desk, userId, channel, ts, button) });
        }
      }
    }
  }
  return { seen, buttons };
}

async function slackClick(
  desk: Desk,
  user: string,
  channel: string,
  ts: string,
  button: { action_id: string; value: string },
) {
  await postSigned(
    `${desk.base}/slack/events`,
    desk.slackSecret,
    interactivityBody(blockActions({ user, channel, ts, button, triggerId: `trig.${randomUUID()}` })),
    { contentType: FORM },
  );
}

const slackPostsTo = (desk: Desk, channel: string) =>
  desk.slack.calls.filter(
    (c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && c.args.channel === channel,
  );

/** The DM channel of a requester in Slack. */
const dmOf = (p: Persona) => `D${p.slackId.slice(1)}`;

export function slackChannel(desk: Desk): Channel {
  const lastButtons = new Map<string, Button[]>();
  const seenSince = (who: Persona, mark: number) => {
    const { seen, buttons } = slackSeen(slackPostsTo(desk, dmOf(who)).slice(mark), desk, who.slackId);
    if (buttons.length > 0) lastButtons.set(who.email, buttons);
    return seen;
  };
  const mark = (who: Persona) => slackPostsTo(desk, dmOf(who)).length;
  return {
    mark,
    since: seenSince,
    async say(who, text) {
      const m = mark(who);
      await postSigned(
        `${desk.base}/slack/events`,
        desk.slackSecret,
        eventEnvelope({
          type: 'message',
          channel: dmOf(who),
          channel_type: 'im',
          user: who.slackId,
          text,
          ts: slackTs(),
          team: 'T0001',
        }),
      );
      await desk.app.drain();
      return seenSince(who, m);
    },
    async click(who, label) {
      const b = [...(lastButtons.get(who.email) ?? [])].reverse().find((x) => x.label === label);
      if (!b) throw new Error(`no button "${label}" in the last replies`);
      const m = mark(who);
      await b.click();
      await desk.app.drain();
      return seenSince(who, m);
    },
  };
}

// ---------------------------------------------------------------- Local channel (console rendering)

export function localChannel(desk: Desk): Channel {
  const lastButtons = new Map<string, Choice[]>();
  const mine = (who: Persona) => desk.local.filter((m) => m.conversationId === `console:${who.email}`);
  const seenSince = (who: Persona, mark: number): Seen => {
    const seen = empty();
    const choices: Choice[] = [];
    for (const m of mine(who).slice(mark)) {
      const r = m.message.reply;
      seen.texts.push(replyToText(r));
      if (r.card) seen.cards.push(r.card.number);
      choices.push(...(r.card?.actions ?? []), ...(r.choices ?? []));
    }
    seen.buttons.push(...choices.map((c) => c.label));
    if (choices.length > 0) lastButtons.set(who.email, choices);
    return seen;
  };
  const conversation = (who: Persona) => ({
    platform: 'local' as const,
    channelId: `console:${who.email}`,
    threadId: null,
    isDirect: true,
    workspaceId: null,
  });
  async function send(who: Persona, incoming: Parameters<Desk['app']['engine']['receive']>[0]) {
    const m = mine(who).length;
    const r = await desk.app.engine.receive(incoming);
    await r.processed;
    await desk.app.drain();
    return seenSince(who, m);
  }
  return {
    mark: (who) => mine(who).length,
    since: seenSince,
    say: (who, text) =>
      send(who, {
        kind: 'message',
        id: randomUUID(),
        platform: 'local',
        conversation: conversation(who),
        user: { platform: 'local', platformUserId: who.email },
        text,
        attachments: [],
        messageId: null,
        receivedAt: desk.app.now().toISOString(),
        via: 'dm',
      }),
    click(who, label) {
      const c = [...(lastButtons.get(who.email) ?? [])].reverse().find((x) => x.label === label);
      if (!c) throw new Error(`no button "${label}" in the last replies`);
      return send(who, {
        kind: 'action',
        id: randomUUID(),
        platform: 'local',
        conversation: conversation(who),
        user: { platform: 'local', platformUserId: who.email },
        actionId: c.actionId as ActionId,
        value: c.value,
        sourceMessage: null,
        receivedAt: desk.app.now().toISOString(),
      });
    },
  };
}

// ---------------------------------------------------------------- Teams

type CardNode = {
  type?: string;
  text?: string;
  title?: string;
  facts?: Array<{ title: string; value: string }>;
  items?: CardNode[];
  body?: CardNode[];
  actions?: CardNode[];
  columns?: CardNode[];
  data?: Record<string, unknown>;
};

function walkCard(
  node: CardNode,
  seen: Seen,
  actions: Array<{ title: string; data: Record<string, unknown> }>,
) {
  if (node.type === 'TextBlock' && node.text) seen.texts.push(node.text);
  for (const f of node.facts ?? []) seen.texts.push(`${f.title}: ${f.value}`);
  if ((node.type === 'Action.Execute' || node.type === 'Action.Submit') && node.title && node.data)
    actions.push({ title: node.title, data: node.data });
  for (const k of [node.items, node.body, node.actions, node.columns])
    for (const c of k ?? []) walkCard(c, seen, actions);
}

export function teamsChannel(desk: Desk): Channel {
  const connector = desk.teams;
  if (!connector || !desk.issuer) throw new Error('the Teams run needs the fake connector and token issuer');
  const lastActions = new Map<
    string,
    Array<{ title: string; data: Record<string, unknown>; replyTo: string }>
  >();
  const convOf = (who: Persona) => `a:1personal-${who.teamsId.slice(3)}`;
  const mine = (who: Persona) =>
    connector.calls.filter(
      (c) =>
        (c.kind === 'send' || c.kind === 'reply' || c.kind === 'update') &&
        c.conversationId?.startsWith(convOf(who)),
    );
  const seenSince = (who: Persona, mark: number): Seen => {
    const seen = empty();
    const acts: Array<{ title: string; data: Record<string, unknown>; replyTo: string }> = [];
    for (const c of mine(who).slice(mark)) {
      const body = c.body ?? {};
      if (typeof body.text === 'string') seen.texts.push(body.text);
      const found: Array<{ title: string; data: Record<string, unknown> }> = [];
      for (const a of (body.attachments ?? []) as Array<{ content?: CardNode }>)
        if (a.content) walkCard(a.content, seen, found);
      for (const f of found) {
        seen.buttons.push(f.title);
        acts.push({ ...f, replyTo: c.responseId ?? c.activityId ?? '' });
      }
      const number = /\b(?:INC|REQ|CHG|PRB)\d{7}\b/.exec(seen.texts.join(' '));
      if (found.length > 0 && number && (body.attachments as unknown[] | undefined)?.length)
        seen.cards.push(number[0]);
    }
    if (acts.length > 0) lastActions.set(who.email, acts);
    return seen;
  };
  const from = (who: Persona) => ({ id: who.teamsId, name: who.name, aadObjectId: who.aad });
  const post = (activity: Record<string, unknown>) => teamsPost(desk, activity);
  return {
    mark: (who) => mine(who).length,
    since: seenSince,
    async say(who, text) {
      const m = mine(who).length;
      await post(
        messageActivity(text, {
          serviceUrl: connector.serviceUrl,
          from: from(who),
          conversationId: convOf(who),
        }),
      );
      await desk.app.drain();
      return seenSince(who, m);
    },
    async click(who, label) {
      const a = [...(lastActions.get(who.email) ?? [])].reverse().find((x) => x.title === label);
      if (!a) throw new Error(`no button "${label}" in the last replies`);
      const m = mine(who).length;
      await post(
        executeActivity(a.data, {
          serviceUrl: connector.serviceUrl,
          from: from(who),
          conversationId: convOf(who),
          replyToId: a.replyTo,
        }),
      );
      await desk.app.drain();
      return seenSince(who, m);
    },
  };
}

// ---------------------------------------------------------------- Agents, in their group's triage channel

export interface AgentMark {
  slack: number;
  teams: number;
}

export const agentMark = (desk: Desk): AgentMark => ({
  slack: desk.slack.calls.length,
  teams: desk.teams?.calls.length ?? 0,
});

type HandoffCard =
  | { platform: 'slack'; channel: string; ts: string; call: RecordedCall }
  | {
      platform: 'teams';
      channel: string;
      root: string;
      actions: Array<{ title: string; data: Record<string, unknown> }>;
    };

/** The last handoff card of a ticket in a triage channel (Slack, else Teams). */
function handoffCard(desk: Desk, number: string): HandoffCard {
  const call = [...desk.slack.calls]
    .reverse()
    .find(
      (c) =>
        c.method === 'chat.postMessage' &&
        String(c.args.channel).startsWith('C') &&
        ((c.args.blocks ?? []) as Block[]).some((b) => b.block_id === `card:${number}`),
    );
  if (call)
    return {
      platform: 'slack',
      channel: String(call.args.channel),
      ts: String(call.response?.ts ?? ''),
      call,
    };
  const teams = [...(desk.teams?.messages() ?? [])]
    .reverse()
    .find(
      (c) =>
        c.conversationId?.startsWith('19:') &&
        !c.conversationId.includes(';') &&
        JSON.stringify(c.body).includes(`Handoff ${number}`),
    );
  if (!teams?.conversationId) throw new Error(`no handoff card for ${number} in a triage channel`);
  const actions: Array<{ title: string; data: Record<string, unknown> }> = [];
  for (const a of (teams.body?.attachments ?? []) as Array<{ content?: CardNode }>)
    if (a.content) walkCard(a.content, empty(), actions);
  return { platform: 'teams', channel: teams.conversationId, root: String(teams.responseId ?? ''), actions };
}

export function agentThreadSince(desk: Desk, number: string, mark: AgentMark): Seen {
  const card = handoffCard(desk, number);
  const seen = empty();
  if (card.platform === 'slack') {
    for (const c of desk.slack.calls.slice(mark.slack))
      if (
        c.method === 'chat.postMessage' &&
        c.args.channel === card.channel &&
        (c.args.thread_ts === card.ts || c.response?.ts === card.ts)
      )
        seen.texts.push(decode(String(c.args.text ?? '')));
    return seen;
  }
  for (const c of desk.teams?.calls.slice(mark.teams) ?? [])
    if (
      (c.kind === 'send' || c.kind === 'reply') &&
      c.conversationId?.startsWith(card.channel) &&
      typeof c.body?.text === 'string'
    )
      seen.texts.push(c.body.text);
  return seen;
}

const teamsAgent = (p: Persona) => ({ id: p.teamsId, name: p.name, aadObjectId: p.aad });

export async function agentSays(desk: Desk, agent: Persona, number: string, text: string): Promise<void> {
  const card = handoffCard(desk, number);
  if (card.platform === 'slack')
    await postSigned(
      `${desk.base}/slack/events`,
      desk.slackSecret,
      eventEnvelope({
        type: 'message',
        channel: card.channel,
        channel_type: 'channel',
        user: agent.slackId,
        text,
        ts: slackTs(),
        thread_ts: card.ts,
        parent_user_id: 'UBOT',
      }),
    );
  else
    await teamsPost(
      desk,
      messageActivity(text, {
        serviceUrl: desk.teams?.serviceUrl ?? '',
        conversation: 'channel',
        conversationId: `${card.channel};messageid=${card.root}`,
        from: teamsAgent(agent),
      }),
    );
  await desk.app.drain();
}

export async function agentClicks(desk: Desk, agent: Persona, number: string, label: string): Promise<void> {
  const card = handoffCard(desk, number);
  if (card.platform === 'slack') {
    const { buttons } = slackSeen([card.call], desk, agent.slackId);
    const b = buttons.find((x) => x.label === label);
    if (!b) throw new Error(`no button "${label}" on the handoff card of ${number}`);
    await b.click();
  } else {
    const a = card.actions.find((x) => x.title === label);
    if (!a) throw new Error(`no button "${label}" on the handoff card of ${number}`);
    await teamsPost(
      desk,
      executeActivity(a.data, {
        serviceUrl: desk.teams?.serviceUrl ?? '',
        conversation: 'channel',
        conversationId: `${card.channel};messageid=${card.root}`,
        from: teamsAgent(agent),
        replyToId: card.root,
      }),
    );
  }
  await desk.app.drain();
}

/** Posts an activity as the Bot Framework channel does, with a token from the local issuer. */
export async function teamsPost(desk: Desk, activity: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${desk.base}/api/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization:
        desk.issuer?.channelAuthHeader({ appId: desk.appId, serviceUrl: desk.teams?.serviceUrl ?? '' }) ?? '',
    },
    body: JSON.stringify(activity),
  });
  await res.arrayBuffer();
  if (res.status >= 300) throw new Error(`Teams activity refused: ${res.status}`);
}
