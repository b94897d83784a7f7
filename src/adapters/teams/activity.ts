/**
 * Bot Framework activities → the engine's normalized types. Everything Teams sends is validated
 * here with zod before anything else looks at it; the schemas are loose (Teams adds fields freely)
 * but the fields we rely on are checked with messages that name them.
 */
import { z } from 'zod';
import {
  ACTION_IDS,
  type ActionId,
  type ConversationRef,
  type IncomingAction,
  type IncomingMessage,
  type PlatformUser,
} from '../../chat/message.js';
import { formatIssues } from '../../errors.js';

const account = z.looseObject({
  id: z.string().min(1, 'must be a non-empty id'),
  name: z.string().optional().nullable(),
  aadObjectId: z.string().optional().nullable(),
});

const conversation = z.looseObject({
  id: z.string().min(1, 'must be a non-empty conversation id'),
  conversationType: z.string().optional().nullable(),
  tenantId: z.string().optional().nullable(),
  isGroup: z.boolean().optional().nullable(),
});

const channelData = z
  .looseObject({
    tenant: z.looseObject({ id: z.string() }).optional().nullable(),
    team: z.looseObject({ id: z.string() }).optional().nullable(),
    channel: z.looseObject({ id: z.string() }).optional().nullable(),
  })
  .optional()
  .nullable();

const activitySchema = z.looseObject({
  type: z.string().min(1, 'must name the activity type'),
  id: z.string().min(1).max(512).optional().nullable(),
  serviceUrl: z.string().url('must be the Bot Connector URL of this conversation'),
  channelId: z.string().min(1),
  timestamp: z.string().optional().nullable(),
  from: account,
  recipient: account,
  conversation,
  text: z.string().max(100_000, 'is longer than 100000 characters').optional().nullable(),
  textFormat: z.string().optional().nullable(),
  replyToId: z.string().optional().nullable(),
  name: z.string().optional().nullable(),
  value: z.unknown().optional(),
  channelData,
  entities: z
    .array(z.looseObject({ type: z.string().optional() }))
    .optional()
    .nullable(),
  attachments: z
    .array(
      z.looseObject({
        contentType: z.string().optional(),
        contentUrl: z.string().optional().nullable(),
        name: z.string().optional().nullable(),
      }),
    )
    .optional()
    .nullable(),
  membersAdded: z.array(account).optional().nullable(),
  /** The Teams client's IANA time zone, sent with each message. */
  localTimezone: z.string().max(64).optional().nullable(),
});
export type TeamsActivity = z.infer<typeof activitySchema>;

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function parseActivity(body: unknown): Parsed<TeamsActivity> {
  const r = activitySchema.safeParse(body);
  return r.success
    ? { ok: true, value: r.data }
    : { ok: false, error: `Invalid activity: ${formatIssues(r.error.issues)}` };
}

/** What we put into every card button, so that Execute, Submit and task modules all decode the same way. */
export const CARD_DATA_KEY = 'chatdesk';

const actionData = z.object({
  actionId: z.enum(ACTION_IDS, { message: `must be one of ${ACTION_IDS.join(', ')}` }),
  value: z.record(z.string(), z.unknown()).default({}),
});
export type CardActionData = z.infer<typeof actionData>;

/**
 * Card submissions carry our routing data under `chatdesk` and the user's inputs next to it
 * (Adaptive Cards merge input values into the action data).
 */
export function parseCardData(
  data: unknown,
): Parsed<{ action: CardActionData; inputs: Record<string, unknown> }> {
  const outer = z.record(z.string(), z.unknown()).safeParse(data);
  if (!outer.success) return { ok: false, error: 'Invalid card data: must be an object' };
  const { [CARD_DATA_KEY]: routing, ...inputs } = outer.data;
  // `msteams` is Teams' own routing for Action.Submit (e.g. messageBack); never a form field.
  delete inputs.msteams;
  const r = actionData.safeParse(routing);
  if (!r.success)
    return {
      ok: false,
      error: `Invalid card data: ${formatIssues(r.error.issues.map((i) => ({ ...i, path: [CARD_DATA_KEY, ...i.path] })))}`,
    };
  return { ok: true, value: { action: r.data, inputs } };
}

export const adaptiveCardInvokeSchema = z.looseObject({
  action: z.looseObject({
    type: z.literal('Action.Execute', { message: 'must be Action.Execute' }),
    verb: z.string().optional().nullable(),
    data: z.unknown().optional(),
  }),
  trigger: z.string().optional().nullable(),
});

const messagePayloadSchema = z.looseObject({
  id: z.string().optional().nullable(),
  body: z
    .looseObject({ content: z.string().max(100_000), contentType: z.string().optional().nullable() })
    .optional()
    .nullable(),
  from: z
    .looseObject({
      user: z
        .looseObject({
          id: z.string(),
          displayName: z.string().optional().nullable(),
          aadObjectId: z.string().optional().nullable(),
        })
        .optional()
        .nullable(),
    })
    .optional()
    .nullable(),
  linkToMessage: z.string().optional().nullable(),
});

export const composeActionSchema = z.looseObject({
  commandId: z.string().min(1, 'must name the command'),
  commandContext: z.string().optional().nullable(),
  data: z.unknown().optional(),
  messagePayload: messagePayloadSchema.optional().nullable(),
});

/** Teams marks channel thread replies by appending `;messageid=<root>` to the conversation id. */
export function splitConversationId(id: string): { channelId: string; threadId: string | null } {
  const m = /^(.*);messageid=([^;]+)$/.exec(id);
  return m?.[1] && m[2] ? { channelId: m[1], threadId: m[2] } : { channelId: id, threadId: null };
}

export function tenantOf(a: TeamsActivity): string | null {
  return a.channelData?.tenant?.id ?? a.conversation.tenantId ?? null;
}

export function conversationRefOf(a: TeamsActivity): ConversationRef {
  const { channelId, threadId } = splitConversationId(a.conversation.id);
  const type = a.conversation.conversationType ?? 'personal';
  return {
    platform: 'teams',
    channelId,
    threadId,
    isDirect: type === 'personal',
    workspaceId: tenantOf(a),
    serviceUrl: a.serviceUrl,
    isPublic: type === 'channel',
  };
}

function userOf(a: TeamsActivity): PlatformUser {
  return {
    platform: 'teams',
    platformUserId: a.from.id,
    displayName: a.from.name ?? null,
    aadObjectId: a.from.aadObjectId ?? null,
    email: null,
    timeZone: a.localTimezone ?? null,
  };
}

/** Removes the bot's own `<at>…</at>` mention so that "@chatdesk my vpn drops" reads "my vpn drops". */
export function stripBotMention(a: TeamsActivity): string {
  let text = a.text ?? '';
  for (const e of a.entities ?? []) {
    if (e.type !== 'mention') continue;
    const mentioned = (e as { mentioned?: { id?: unknown } }).mentioned;
    const shown = (e as { text?: unknown }).text;
    if (mentioned?.id === a.recipient.id && typeof shown === 'string') text = text.split(shown).join(' ');
  }
  return htmlToText(text).replace(/\s+/g, ' ').trim();
}

/** Longest HTML we convert; Teams caps messages at about 28 KB, so more is never a real message. */
const HTML_MAX_CHARS = 40_000;

/**
 * Teams sends some messages (and message-action payloads) as HTML. Every pattern here is linear: a
 * tag is `<` up to the next `<` or `>`, so a run of `<` without `>` is one pass, not n² backtracking.
 */
export function htmlToText(input: string): string {
  const s = input.length > HTML_MAX_CHARS ? input.slice(0, HTML_MAX_CHARS) : input;
  return s
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>/gi, '\n')
    .replace(/<[^<>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

export function toIncomingMessage(a: TeamsActivity, id: string, now: Date): IncomingMessage {
  const conv = conversationRefOf(a);
  return {
    kind: 'message',
    id,
    platform: 'teams',
    conversation: conv,
    user: userOf(a),
    text: stripBotMention(a),
    attachments: (a.attachments ?? [])
      .filter(
        (x) =>
          typeof x.contentUrl === 'string' &&
          x.contentUrl.length > 0 &&
          !(x.contentType ?? '').startsWith('application/vnd.microsoft.card'),
      )
      .map((x) => ({
        name: x.name ?? 'attachment',
        url: x.contentUrl ?? '',
        mimeType: x.contentType ?? null,
      })),
    messageId: a.id ?? null,
    receivedAt: now.toISOString(),
    via: conv.isDirect ? 'dm' : conv.threadId ? 'thread' : 'mention',
  };
}

export function toIncomingAction(
  a: TeamsActivity,
  id: string,
  actionId: ActionId,
  value: Record<string, unknown>,
  now: Date,
): IncomingAction {
  const conv = conversationRefOf(a);
  return {
    kind: 'action',
    id,
    platform: 'teams',
    conversation: conv,
    user: userOf(a),
    actionId,
    value,
    sourceMessage: a.replyToId ? { conversation: conv, messageId: a.replyToId } : null,
    receivedAt: now.toISOString(),
  };
}
