/**
 * Storage the conversation engine needs: identities, conversations, the inbox and the outbox.
 * Implemented in src/db/chat-store.ts.
 */
import type { ConversationOwner, Person } from '../itsm/types.js';
import type { ConversationRef, Incoming, Outgoing, Platform, PlatformUser } from './message.js';

/** `cab`: the thread of a change's CAB vote card in the board's channel. */
export type ConversationRole = 'requester' | 'agents' | 'cab';

export interface Conversation {
  id: number;
  ref: ConversationRef;
  /** `requester`: an employee talks to the desk; `agents`: a triage-channel thread where agents work a ticket. */
  role: ConversationRole;
  personId: number | null;
  ticketId: number | null;
  owner: ConversationOwner;
  dialog: Record<string, unknown>;
  updatedAt: string;
}

export interface InboxItem {
  id: number;
  platform: Platform;
  incoming: Incoming;
  attempts: number;
  /** When the event was accepted (stored): retries of its turn are bounded from here. */
  acceptedAt: string;
  /** Proof of the lease: completing or releasing the item needs it. */
  leaseToken: string;
}

export interface OutboxItem {
  id: number;
  dedupeKey: string;
  platform: Platform;
  message: Outgoing;
  attempts: number;
  /** Set when delivering this message should bind the posted message's thread to a ticket. */
  bindTicketId: number | null;
  bindRole: ConversationRole;
  /** Proof of the lease: recording the outcome needs it. */
  leaseToken: string;
  /** When the lease runs out; past it another worker may deliver the message, so this one must not. */
  leasedUntil: string;
  /** When it was queued: retries are bounded from here, and an earlier post cannot be older. */
  createdAt: string;
  /**
   * An earlier attempt may have reached the platform without its outcome being recorded (its holder died
   * or its lease ran out mid-post, or it failed ambiguously): check the platform before posting again.
   */
  inDoubt: boolean;
}

/** A person known by a platform identity; `identityPending` while the platform profile is still unread. */
export type KnownPerson = Person & { identityPending: boolean };

/** What to bind when a delivered message starts a ticket's thread (recorded with the delivery). */
export interface ThreadBinding {
  ref: ConversationRef;
  ticketId: number;
  role: ConversationRole;
}

/** An accepted event whose turn was given up, or a reply given up: kept for admins to act on. */
export interface DeadLetter {
  kind: 'turn' | 'reply';
  /** Inbox id (turn) or outbox id (reply). */
  id: number;
  platform: Platform;
  /** Platform channel (and thread) it belongs to. */
  conversation: string;
  /** The person's platform user id (turns), when known. */
  user: string | null;
  /** What was lost: the message or action (turns), the reply text (replies); cut to 500 characters. */
  text: string;
  error: string | null;
  attempts: number;
  /** When it was accepted (turn) or queued (reply). */
  since: string;
  /** When it was given up. */
  gaveUpAt: string | null;
}

export interface NewOutgoing {
  dedupeKey: string;
  message: Outgoing;
  bindTicketId?: number | null;
  /** The role of the thread the delivered message starts (default `requester`). */
  bindRole?: ConversationRole;
}

interface LeaseOptions {
  /**
   * Reads whether the claim can succeed before taking the write lock (default true). Recovery sweeps
   * try items other processes hold, where most claims fail; an item this process has just accepted
   * is nearly always free, and the read would only add a statement.
   */
  precheck?: boolean;
  /**
   * The item's conversation key (conversationKey of its incoming ref), when the caller knows it: without
   * the precheck it is otherwise read from the row first.
   */
  conversationKey?: string;
  /**
   * The token of a lease the caller holds on the item (taken at accept): renewed with a new token, and
   * no new attempt counted.
   */
  renew?: string;
}

interface CompleteOptions {
  /** The conversation's dialog state after the turn (saved with the completion, not in a write of its own). */
  dialog?: { conversationId: number; dialog: Record<string, unknown> };
  /**
   * Leases each reply that is first in line in its channel (nothing older pending there) on these
   * platforms to the caller, so the process that ran the turn delivers it at once instead of finding
   * it by polling. The others wait for the outbox worker, which keeps each channel's order.
   */
  deliverNow?: { platforms: Platform[]; leaseMs: number };
}

interface KbAnswerRecord {
  personId: number;
  articleId: string;
  query: string;
  intent: string | null;
  confidence: number | null;
  platform: Platform;
  answeredAt: string;
}

export interface ChatStore {
  /** Records a knowledge answer given to a requester; its outcome is set when they reply. */
  recordKbAnswer(a: KbAnswerRecord): Promise<number>;
  setKbOutcome(
    id: number,
    outcome: 'accepted' | 'rejected',
    at: string,
    ticketId: number | null,
  ): Promise<void>;
  /** The person behind a platform identity, if known. */
  personFor(user: PlatformUser): Promise<KnownPerson | null>;
  /** personFor and conversation in one read: what every turn starts with. */
  personAndConversation(
    user: PlatformUser,
    ref: ConversationRef,
  ): Promise<{ person: KnownPerson | null; conversation: Conversation | null }>;
  /**
   * Links a platform identity to a person (found or created by email). A provisional person the identity
   * had (see provisionalPerson) becomes that person: renamed when the email is new, else merged into the
   * existing one (everything that named the provisional person names the real one). `details` from the
   * platform's profile: a new person gets its time zone (instead of UTC); the identity keeps tenant and
   * AAD object id.
   */
  linkIdentity(
    user: PlatformUser,
    email: string,
    displayName: string,
    now: string,
    details?: IdentityDetails,
  ): Promise<Person>;
  /**
   * The person for an identity whose platform profile cannot be read right now (the platform is down):
   * a provisional person without a real email, marked pending so linkIdentity completes it later.
   */
  provisionalPerson(user: PlatformUser, displayName: string, now: string): Promise<Person>;
  /** Identities whose profile is still pending, with a conversation to look them up in (Teams needs one). */
  pendingIdentities(limit: number): Promise<Array<{ user: PlatformUser; where: ConversationRef | null }>>;

  conversation(ref: ConversationRef): Promise<Conversation | null>;
  /** The person's 1:1 conversations with the bot, most recently active first. */
  directConversationsOf(personId: number): Promise<Conversation[]>;
  /** The person's platform identities (with the workspace they were seen in). */
  identitiesOf(
    personId: number,
  ): Promise<Array<PlatformUser & { workspaceId: string | null; serviceUrl?: string | null }>>;
  /** Finds or creates the conversation row for a ref. */
  ensureConversation(
    ref: ConversationRef,
    personId: number | null,
    now: string,
    role?: ConversationRole,
  ): Promise<Conversation>;
  saveConversation(
    id: number,
    patch: Partial<Pick<Conversation, 'dialog' | 'ticketId' | 'owner' | 'personId'>>,
    now: string,
  ): Promise<void>;
  /** Atomically moves the owner from one of `from` to `to`; false when someone else changed it first. */
  compareAndSetOwner(
    id: number,
    from: ConversationOwner[],
    to: ConversationOwner,
    now: string,
  ): Promise<boolean>;
  conversationsOfTicket(ticketId: number): Promise<Conversation[]>;
  /** Requester conversations waiting for an agent (owner `queue`) with their ticket. */
  queuedConversations(limit: number): Promise<Conversation[]>;

  /**
   * Stores an incoming event; `duplicate` when the same platform id was accepted before. With
   * `leaseMs`, a new event whose conversation is free (nothing of it pending, no live lease) is leased
   * to the caller in the same write, as lease() would (its first attempt): `leased`. Otherwise it waits
   * for lease().
   */
  accept(
    incoming: Incoming,
    now: string,
    opts?: { leaseMs?: number },
  ): Promise<{ id: number; duplicate: boolean; leased?: InboxItem }>;
  /**
   * Takes a lease on a pending inbox item and on its conversation. Null when the item is done or
   * leased, when another item of its conversation is leased (by any process), or when an earlier item
   * of its conversation is still pending: a conversation's turns run one at a time, in order.
   */
  lease(id: number, now: string, leaseMs: number, opts?: LeaseOptions): Promise<InboxItem | null>;
  /**
   * Marks a leased item done, saves the turn's dialog state and queues its replies, in one
   * transaction. Null (nothing written) when the lease was taken over by another worker meanwhile;
   * otherwise the replies leased to the caller for delivery right away (see CompleteOptions.deliverNow).
   */
  complete(
    id: number,
    leaseToken: string,
    replies: NewOutgoing[],
    now: string,
    opts?: CompleteOptions,
  ): Promise<OutboxItem[] | null>;
  /**
   * Gives a failed item back (pending again from `at`, or `failed` for good as of `at`) and frees its
   * conversation; `notify` (telling the person it was given up) is queued in the same transaction.
   * False (nothing written) when the lease was taken over meanwhile.
   */
  release(
    id: number,
    leaseToken: string,
    error: string,
    at: string,
    failed: boolean,
    notify?: NewOutgoing[],
  ): Promise<boolean>;
  /** The stored event of an inbox item, without taking a lease. */
  peekInbox(id: number): Promise<Incoming | null>;
  /** Pending inbox items whose lease expired or never existed: work a crash left behind. */
  pendingInbox(now: string, limit: number): Promise<number[]>;

  enqueue(items: NewOutgoing[], now: string): Promise<void>;
  /** Due outbox items of the given platforms, at most one per channel (the oldest), leased to the caller. */
  leaseDue(now: string, limit: number, leaseMs: number, platforms: Platform[]): Promise<OutboxItem[]>;
  /**
   * The mark* calls record a delivery's outcome; false (nothing written) when the lease is no longer the
   * caller's. markSent writes at once (never batched: a crash after the post must find it recorded),
   * after binding the thread the message started (a posted message's thread is real, whoever records it).
   */
  markSent(
    id: number,
    leaseToken: string,
    messageId: string,
    now: string,
    bind?: ThreadBinding,
  ): Promise<boolean>;
  /** `unconfirmed`: the failed attempt (or an earlier one) may have reached the platform. */
  markRetry(
    id: number,
    leaseToken: string,
    error: string,
    nextAttemptAt: string,
    unconfirmed?: boolean,
  ): Promise<boolean>;
  markDead(id: number, leaseToken: string, error: string, now: string): Promise<boolean>;
  outboxBacklog(): Promise<number>;
  /** Pending outbox items of these platforms that are due at `now`. */
  outboxDue(now: string, platforms: Platform[]): Promise<number>;
  /** The platform id of a sent outbox message (e.g. the ticket card), by dedupe key. */
  sentMessageId(dedupeKey: string): Promise<string | null>;
  /** Turns and replies given up, newest first. */
  deadLetters(opts: { kind?: 'turn' | 'reply'; limit: number }): Promise<DeadLetter[]>;
  deadLetterCounts(): Promise<Array<{ kind: 'turn' | 'reply'; platform: string; count: number }>>;
}

export interface IdentityDetails {
  timeZone?: string | null;
  tenantId?: string | null;
  aadObjectId?: string | null;
}

export const conversationKey = (ref: ConversationRef): string =>
  `${ref.platform}:${ref.channelId}:${ref.threadId ?? ''}`;

/** Who has a ticket's conversation: a person (`queue`, `agent:<id>`) on any of its conversations, else `bot`. */
export async function ownerOfTicket(store: Pick<ChatStore, 'conversationsOfTicket'>, ticketId: number) {
  return (await store.conversationsOfTicket(ticketId)).find((c) => c.owner !== 'bot')?.owner ?? 'bot';
}
