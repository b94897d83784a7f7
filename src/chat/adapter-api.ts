/**
 * What adapters call. The engine is created by the composition root (src/app.ts); adapters only
 * see this interface.
 */

import type { Person } from '../itsm/types.js';
import type { QueueView } from './agent-queue-view.js';

export type { QueueView } from './agent-queue-view.js';

import type { Emit } from './handoff/index.js';
import type {
  ChatPort,
  ConversationRef,
  FormSpec,
  Incoming,
  IncomingAction,
  PlatformUser,
  Reply,
  TicketCard,
} from './message.js';
import type { Conversation } from './store.js';

export interface ReceiveResult {
  status: 'accepted' | 'duplicate';
  /**
   * Settles when processing has finished (replies are in the outbox). Adapters must NOT await it
   * before acknowledging the platform; tests may. It never rejects: failures are logged and the
   * inbox row stays pending for the retry sweep.
   */
  processed: Promise<void>;
}

/**
 * Handles one kind of button/card action that belongs to a feature outside the core dialogs
 * (approvals, CAB votes, agent commands). Returns the replies for the clicking user, in order;
 * `updateSource: true` replaces the card the button was on.
 */
export type ActionHandler = (input: {
  action: IncomingAction;
  person: Person;
  now: string;
}) => Promise<Array<{ reply: Reply; updateSource?: boolean }>>;

/**
 * Handles everything said and clicked in threads of one conversation role other than the requester's
 * and the agents' (e.g. `cab`: a change's CAB vote thread, bound to the change when its card was
 * delivered). `emit` queues replies (to the thread or elsewhere) with the turn's other replies, keyed by
 * the incoming event, so a redelivered event cannot speak twice.
 */
export type ThreadHandler = (input: {
  conversation: Conversation;
  incoming: Incoming;
  person: Person;
  emit: Emit;
  now: string;
}) => Promise<void>;

export type FormCheck =
  | { ok: true; values: Record<string, unknown> }
  | { ok: false; errors: Record<string, string> };

export interface ConversationEngine {
  /**
   * Stores the event in the inbox (deduplicated on platform + id) and schedules processing.
   * Resolves as soon as the event is durable: adapters acknowledge the platform after that.
   */
  receive(incoming: Incoming): Promise<ReceiveResult>;
  /** Registers the port replies to this platform go through. */
  registerPort(port: ChatPort): void;
  /** Validates template values synchronously, so modal/card submissions can show errors inline. */
  checkForm(templateId: string, values: Record<string, unknown>): FormCheck;
  /** The template rendered as a form, optionally prefilled (e.g. from a message). Null when unknown. */
  formFor(templateId: string, prefill?: Record<string, unknown>): FormSpec | null;
  /** Templates a requester can pick from (id, title, description). */
  listTemplates(): Array<{ id: string; title: string; description: string }>;
  /**
   * People who appeared in a roster (Teams members added to a team or chat): their identity is
   * recorded with tenant and AAD object id, so the desk can reach them before they ever write.
   */
  meet?(users: PlatformUser[], where: ConversationRef): Promise<number>;
  /** The requester's open and recent tickets, as cards (App Home, status views). */
  ticketsFor(user: PlatformUser, opts?: { limit?: number }): Promise<TicketCard[]>;
  /** The agent queue of a member of staff, row by row (App Home); null for employees and unknown people. */
  agentQueueFor?(user: PlatformUser): Promise<QueueView | null>;
}
