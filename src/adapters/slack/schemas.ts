/**
 * zod schemas for everything Slack sends us. Only the fields the adapter reads are declared (zod strips
 * the rest), so a new Slack field never breaks parsing, while a missing one we rely on fails loudly with
 * the field's path in the message.
 */
import { z } from 'zod';
import { formatIssues } from '../../errors.js';

const id = z.string().min(1);

const slackFile = z.object({
  name: z.string().optional(),
  title: z.string().optional(),
  url_private: z.string().optional(),
  mimetype: z.string().optional(),
});

/** The Events API envelope (HTTP body or Socket Mode payload). */
export const eventEnvelopeSchema = z.object({
  type: z.literal('event_callback'),
  event_id: id,
  team_id: z.string().optional(),
  event_time: z.number().optional(),
});

export const messageEventSchema = z.object({
  type: z.literal('message'),
  subtype: z.string().optional(),
  channel: id,
  channel_type: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  app_id: z.string().optional(),
  text: z.string().default(''),
  ts: id,
  thread_ts: z.string().optional(),
  parent_user_id: z.string().optional(),
  team: z.string().optional(),
  files: z.array(slackFile).optional(),
});
export type SlackMessageEvent = z.infer<typeof messageEventSchema>;

export const appMentionEventSchema = z.object({
  type: z.literal('app_mention'),
  channel: id,
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().default(''),
  ts: id,
  thread_ts: z.string().optional(),
  team: z.string().optional(),
  files: z.array(slackFile).optional(),
});
export type SlackAppMentionEvent = z.infer<typeof appMentionEventSchema>;

export const reactionAddedEventSchema = z.object({
  type: z.literal('reaction_added'),
  user: id,
  reaction: id,
  item_user: z.string().optional(),
  item: z.object({ type: z.string(), channel: z.string().optional(), ts: z.string().optional() }),
  event_ts: z.string().optional(),
});

export const appHomeOpenedEventSchema = z.object({
  type: z.literal('app_home_opened'),
  user: id,
  channel: z.string().optional(),
  tab: z.string().optional(),
});

/** A message as returned by conversations.history / conversations.replies. */
const historyMessageSchema = z.object({
  ts: id,
  text: z.string().default(''),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  thread_ts: z.string().optional(),
  reply_users: z.array(z.string()).optional(),
  files: z.array(slackFile).optional(),
});
export const historyResponseSchema = z.object({ messages: z.array(historyMessageSchema).default([]) });

const interactiveUser = z.object({
  id,
  team_id: z.string().optional(),
  name: z.string().optional(),
  username: z.string().optional(),
});
const interactiveTeam = z.object({ id }).nullable().optional();

export const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  trigger_id: z.string().optional(),
  user: interactiveUser,
  team: interactiveTeam,
  channel: z.object({ id, name: z.string().optional() }).optional(),
  container: z
    .object({
      type: z.string(),
      message_ts: z.string().optional(),
      channel_id: z.string().optional(),
      is_ephemeral: z.boolean().optional(),
      thread_ts: z.string().optional(),
      view_id: z.string().optional(),
    })
    .optional(),
  message: z.object({ ts: id, thread_ts: z.string().optional() }).optional(),
  view: z.object({ id, type: z.string().optional() }).optional(),
  response_url: z.string().optional(),
  actions: z
    .array(
      z.object({
        action_id: id,
        block_id: z.string().optional(),
        value: z.string().optional(),
        action_ts: z.string().optional(),
      }),
    )
    .min(1, 'at least one action'),
});

const elementState = z.object({
  type: z.string(),
  value: z.string().nullable().optional(),
  selected_option: z.object({ value: z.string() }).nullable().optional(),
  selected_options: z.array(z.object({ value: z.string() })).optional(),
  selected_date: z.string().nullable().optional(),
  selected_user: z.string().nullable().optional(),
});
export type SlackElementState = z.infer<typeof elementState>;

export const viewSubmissionSchema = z.object({
  type: z.literal('view_submission'),
  user: interactiveUser,
  team: interactiveTeam,
  view: z.object({
    id,
    hash: z.string().optional(),
    callback_id: z.string(),
    private_metadata: z.string().default(''),
    blocks: z.array(z.object({ type: z.string(), block_id: z.string().optional() })).default([]),
    state: z
      .object({ values: z.record(z.string(), z.record(z.string(), elementState)) })
      .default({ values: {} }),
  }),
});

export const messageShortcutSchema = z.object({
  type: z.literal('message_action'),
  callback_id: id,
  trigger_id: id,
  user: interactiveUser,
  team: interactiveTeam,
  channel: z.object({ id, name: z.string().optional() }),
  message: z.object({
    ts: id,
    text: z.string().default(''),
    user: z.string().optional(),
    bot_id: z.string().optional(),
    thread_ts: z.string().optional(),
  }),
});

export const slashCommandSchema = z.object({
  command: id,
  text: z.string().default(''),
  user_id: id,
  team_id: z.string().optional(),
  channel_id: id,
  channel_name: z.string().optional(),
  trigger_id: id,
  response_url: z.string().optional(),
});

/** A conversation reference small enough for a modal's private_metadata (3000 chars). */
const convMeta = z.object({
  channelId: id,
  threadId: z.string().nullable(),
  isDirect: z.boolean(),
  workspaceId: z.string().nullable(),
  isPublic: z.boolean().optional(),
});
export type ConvMeta = z.infer<typeof convMeta>;

export const modalMetadataSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('picker'), conv: convMeta }),
  z.object({ kind: z.literal('form'), templateId: id, conv: convMeta }),
  z.object({ kind: z.literal('ticket_from_message'), conv: convMeta, messageTs: id, author: id }),
]);
export type ModalMetadata = z.infer<typeof modalMetadataSchema>;

/** Value JSON carried by a chat button (`value` field of a Block Kit button). */
export const buttonValueSchema = z.record(z.string(), z.unknown());

/** Parses or throws an Error whose message names the payload and every bad field. */
export function parseSlack<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw new SlackPayloadError(`invalid Slack ${what}: ${formatIssues(parsed.error.issues)}`);
  return parsed.data;
}

export class SlackPayloadError extends Error {
  override readonly name = 'SlackPayloadError';
}

const EVENT_SCHEMAS: Record<string, z.ZodType> = {
  message: messageEventSchema,
  app_mention: appMentionEventSchema,
  reaction_added: reactionAddedEventSchema,
  app_home_opened: appHomeOpenedEventSchema,
};

/**
 * Why a signed body is unusable, in one short line for the 400 answer: the first bad fields of an
 * Events API envelope (or of its event, when it is one we subscribe to), else a generic reason.
 */
export function malformedReason(body: unknown): string {
  const short = (issues: string) => (issues.length > 160 ? `${issues.slice(0, 157)}...` : issues);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'the payload is not a JSON object';
  const envelope = body as Record<string, unknown>;
  if (envelope.type === 'event_callback') {
    const env = eventEnvelopeSchema.safeParse(envelope);
    if (!env.success) return short(formatIssues(env.error.issues));
    const event = envelope.event;
    if (typeof event !== 'object' || event === null) return 'event: expected an object';
    const type = (event as { type?: unknown }).type;
    const schema = typeof type === 'string' ? EVENT_SCHEMAS[type] : undefined;
    const parsed = schema?.safeParse(event);
    if (parsed && !parsed.success)
      return short(formatIssues(parsed.error.issues.map((i) => ({ ...i, path: ['event', ...i.path] }))));
  }
  return 'Slack payload fields have unexpected types';
}
