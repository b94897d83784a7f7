/**
 * The one normalized contract between chat platforms and the conversation engine.
 * Adapters translate platform events into these types and render `Reply` back; the engine never
 * sees a Slack or Bot Framework object.
 */
import type { Level, Priority, TicketKind, TicketState } from '../itsm/types.js';

export type Platform = 'slack' | 'teams' | 'local' | 'web';

/** Where a conversation happens. `threadId` is the platform's thread root when replies belong in a thread. */
export interface ConversationRef {
  platform: Platform;
  /** Slack channel id (D… for DMs), Teams conversation id (without `;messageid=`), local session id. */
  channelId: string;
  /** Slack thread_ts; Teams root message id of a channel thread. Null for a flat DM. */
  threadId: string | null;
  /** True for a 1:1 conversation with the bot (Slack IM, Teams personal chat). */
  isDirect: boolean;
  /** Slack team id / Teams tenant id. */
  workspaceId: string | null;
  /** Teams: the Bot Connector service URL of this conversation (needed for proactive messages). */
  serviceUrl?: string | null;
  /** Public channel visibility: sensitive requests move to a DM. */
  isPublic?: boolean;
}

export interface PlatformUser {
  platform: Platform;
  /** Slack user id (U…), Teams user id (29:…), or the email for local chat. */
  platformUserId: string;
  email?: string | null;
  displayName?: string | null;
  /** Teams AAD object id; used to link identities. */
  aadObjectId?: string | null;
  /** IANA time zone the platform reports for the person (Teams sends the client's with each message). */
  timeZone?: string | null;
}

export interface Attachment {
  name: string;
  url: string;
  mimeType?: string | null;
}

export interface IncomingMessage {
  kind: 'message';
  /** Dedupe key, unique per platform (Slack event_id, Teams activity id, local counter). */
  id: string;
  platform: Platform;
  conversation: ConversationRef;
  user: PlatformUser;
  text: string;
  attachments: Attachment[];
  /** The platform's id of this message (Slack ts, Teams activity id): lets the bot reply in its thread. */
  messageId: string | null;
  receivedAt: string;
  /**
   * How the message reached the bot. `ticket_from_message` is a 🎫 reaction or a "Create ticket"
   * message shortcut/action: `text` is the original message and `user` its author.
   */
  via: 'dm' | 'mention' | 'thread' | 'ticket_from_message' | 'command';
}

/** Button presses, card submissions, modal submissions. */
export interface IncomingAction {
  kind: 'action';
  id: string;
  platform: Platform;
  conversation: ConversationRef;
  user: PlatformUser;
  /** One of ACTION_IDS. */
  actionId: ActionId;
  /** Action payload: `{ ticket: 'INC0000001' }`, `{ ticket, rating: 4 }`, form values, … */
  value: Record<string, unknown>;
  /** The card the action came from, so the engine can refresh it in place. */
  sourceMessage: MessageRef | null;
  receivedAt: string;
}

export type Incoming = IncomingMessage | IncomingAction;

/**
 * The conversation an event belongs to. A top-level message in a channel is answered in its own
 * thread, so that thread is the conversation.
 */
export function conversationRefOf(incoming: Incoming): ConversationRef {
  const ref = incoming.conversation;
  if (ref.threadId || ref.isDirect || incoming.kind !== 'message' || !incoming.messageId) return ref;
  return { ...ref, threadId: incoming.messageId };
}

export const ACTION_IDS = [
  'ticket.add_info',
  'ticket.close',
  'ticket.reopen',
  'ticket.cancel',
  'ticket.human',
  'ticket.rate',
  'ticket.status',
  'kb.helpful',
  'kb.not_helpful',
  'form.open',
  'form.submit',
  'choice',
  // Agents, in the triage channel (handoff protocol).
  'agent.claim',
  'agent.resolve',
  'agent.escalate',
  'agent.handback',
  // Agents, from their queue: post the ticket's card or bump its agent thread.
  'desk.open',
  // Agents, ticket edits from a card: priority and pending (answered with choices), take a colleague's.
  'desk.priority',
  'desk.pending',
  'desk.take',
  // Approvers and CAB members.
  'approval.approve',
  'approval.reject',
  'change.vote',
  // The possible-problem card: one click makes the problem.
  'problem.create',
] as const;
export type ActionId = (typeof ACTION_IDS)[number];

/** A message the bot sent, as the platform knows it: to update it in place later. */
export interface MessageRef {
  conversation: ConversationRef;
  messageId: string;
}

export interface Choice {
  label: string;
  actionId: ActionId;
  value: Record<string, unknown>;
  style?: 'primary' | 'danger';
}

export interface TicketCard {
  number: string;
  kind: TicketKind;
  title: string;
  state: TicketState;
  priority: Priority;
  impact: Level;
  urgency: Level;
  group: string | null;
  assignee: string | null;
  /** Plain-language SLA line for the requester: "first response by 14:00 (your time)". */
  eta: string | null;
  /** Buttons valid in the current state. */
  actions: Choice[];
}

export interface FormField {
  id: string;
  label: string;
  type: 'text' | 'textarea' | 'number' | 'select' | 'multiselect' | 'date' | 'email' | 'user' | 'boolean';
  required: boolean;
  options?: string[];
  maxLength?: number;
  help?: string;
}

export interface FormSpec {
  templateId: string;
  title: string;
  description?: string;
  fields: FormField[];
  values?: Record<string, unknown>;
  /** Field id → message, shown on the field. */
  errors?: Record<string, string>;
}

export interface Reply {
  /** Always present: the plain-text rendering and the notification text. */
  text: string;
  card?: TicketCard;
  choices?: Choice[];
  form?: FormSpec;
  /** Knowledge article offered as an answer. */
  article?: { id: string; title: string; body: string; url: string | null };
}

/** An outbound message waiting in the outbox. `update` replaces an earlier bot message in place. */
export interface Outgoing {
  conversation: ConversationRef;
  reply: Reply;
  /** Set to update a message the bot sent earlier instead of posting a new one. */
  updateOf?: MessageRef | null;
  /** Reply in the thread of this platform message (Slack ts / Teams activity id). */
  replyTo?: string | null;
}

export interface DeliveryResult {
  messageId: string;
}

/**
 * Raised by a port when a delivery failed; `retryable` failures are retried from the outbox with backoff.
 * `mayHaveReached`: the platform may have acted on the request although it failed for us (a timeout, a
 * dropped connection, a 5xx after the work was done), so the next attempt checks before posting again.
 * Default: true for retryable failures, false otherwise (a refusal such as 429 or `ok:false` did nothing).
 */
export class DeliveryError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  readonly mayHaveReached: boolean;
  constructor(
    message: string,
    opts: { retryable: boolean; retryAfterMs?: number | null; mayHaveReached?: boolean; cause?: unknown },
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DeliveryError';
    this.retryable = opts.retryable;
    this.retryAfterMs = opts.retryAfterMs ?? null;
    this.mayHaveReached = opts.mayHaveReached ?? opts.retryable;
  }
}

/** Identifies one queued message to the platform, so a later attempt can find an earlier one's post. */
export interface DeliveryTag {
  outboxId: number;
  dedupeKey: string;
}

/** What each adapter implements so the engine and the outbox can talk back. */
export interface ChatPort {
  readonly platform: Platform;
  /**
   * Posts (or, with `updateOf`, updates) a message. Throws DeliveryError on failure. A port that can be
   * asked later whether a post arrived (findDelivered) attaches `tag` to the message.
   */
  deliver(message: Outgoing, opts?: { tag?: DeliveryTag }): Promise<DeliveryResult>;
  /**
   * The platform's own record of an earlier post of this message (by its tag), if the platform keeps one
   * that can be searched: lets the outbox take over a message whose earlier attempt may have been posted
   * without posting it twice. Null when it was not posted; throws DeliveryError when the check failed.
   * Ports without it deliver at least once in that case.
   */
  findDelivered?(message: Outgoing, tag: DeliveryTag, since: string): Promise<DeliveryResult | null>;
  /** Looks up profile details (email, name) of a platform user; null when the platform does not know them. */
  lookupUser(
    platformUserId: string,
    conversation: ConversationRef,
  ): Promise<{
    email: string | null;
    displayName: string | null;
    aadObjectId?: string | null;
    /** IANA time zone from the profile (Slack `users.info` tz). */
    timeZone?: string | null;
    /** Teams tenant of the member (roster), for proactive messages. */
    tenantId?: string | null;
  } | null>;
  /**
   * Finds a workspace member by email (Slack users.lookupByEmail), to reach a person the bot never
   * talked to. Absent on platforms that cannot; null when nobody has that email.
   */
  findByEmail?(email: string): Promise<PlatformUser | null>;
  /** Opens (or finds) the 1:1 conversation with a user, for private follow-ups and notifications. */
  openDirect(user: PlatformUser, workspace: ConversationRef): Promise<ConversationRef>;
  /**
   * Downloads a file a person sent (with the platform's credentials), at most `maxBytes`. Absent on
   * platforms whose files the desk keeps as links only.
   */
  fetchAttachment?(
    attachment: Attachment,
    maxBytes: number,
  ): Promise<{ data: Buffer; mimeType: string | null }>;
}
