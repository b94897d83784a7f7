/**
 * The conversation engine: accepts events into the durable, deduplicated inbox and schedules their
 * turns (turn-scheduler.ts), runs each against the inbox (turn-runner.ts → turn.ts), and offers the
 * notices and sweeps other parts of the desk call. Processing never throws to the adapter; a failed
 * turn stays in the inbox and is retried.
 */

import type { DirectoryStore } from '../itsm/ports.js';
import { type Template, validateSubmission } from '../itsm/templates.js';
import type { TicketService } from '../itsm/tickets.js';
import type { Person, Ticket } from '../itsm/types.js';
import type { Logger } from '../log.js';
import type { Nlu } from '../nlu/types.js';
import type {
  ActionHandler,
  ConversationEngine,
  FormCheck,
  ReceiveResult,
  ThreadHandler,
} from './adapter-api.js';
import type { AgentCommandHook } from './agent-desk-chat.js';
import type { QueueView } from './agent-queue-view.js';
import { createDialogs, type DialogHooks } from './dialogs/index.js';
import { createHandoff, type Handoff } from './handoff/index.js';
import { sweepHandoffs } from './handoff-sweep.js';
import { createIdentityResolver } from './identity.js';
import {
  type ActionId,
  type ChatPort,
  conversationRefOf,
  type Incoming,
  type Platform,
  type Reply,
} from './message.js';
import { createNotifications, type Notifications } from './notifications.js';
import type { PortRegistry } from './ports.js';
import { createRateLimiter } from './rate-limit.js';
import { templateForm } from './render.js';
import { DEFAULT_RETRY_HORIZON_MS } from './retry.js';
import {
  type ChatStore,
  type ConversationRole,
  conversationKey,
  type InboxItem,
  type OutboxItem,
} from './store.js';
import { createTurnHandler } from './turn.js';
import { createTurnRunner, INBOX_LEASE_MS } from './turn-runner.js';
import { createTurnScheduler } from './turn-scheduler.js';

/**
 * The parts of the chat side built before the engine: the port registry, the handoff protocol and the
 * notices. ITIL services speak through `notifications`, so they exist before the dialogs that call them.
 */
export interface ChatCore {
  ports: PortRegistry;
  handoff: Handoff;
  notifications: Notifications;
}

interface ChatCoreOptions {
  ports: PortRegistry;
  store: ChatStore;
  tickets: TicketService;
  directory: DirectoryStore;
  log: Logger;
  now: () => Date;
  /** Default Bot Connector URL for Teams channels that do not name one (the Teams adapter's). */
  teamsServiceUrl: string;
  /** Agent thread messages starting with this are internal notes (default `;;`). */
  internalNotePrefix?: string;
  /** Development mode: triage channels in the local web chat for groups without one (handoff/types.ts). */
  webTriage?: boolean;
  /** Called after messages were queued, so the outbox delivers them without waiting for its timer. */
  onOutgoing?: () => void;
}

export function createChatCore(opts: ChatCoreOptions): ChatCore {
  const { ports } = opts;
  const handoff = createHandoff({
    store: opts.store,
    tickets: opts.tickets,
    directory: opts.directory,
    hasPort: (p) => ports.has(p),
    internalNotePrefix: opts.internalNotePrefix ?? ';;',
    teamsServiceUrl: opts.teamsServiceUrl,
    webTriage: opts.webTriage === true,
  });
  const notifications = createNotifications({ ...opts, ports, handoff });
  return { ports, handoff, notifications };
}

interface EngineOptions {
  core: ChatCore;
  store: ChatStore;
  tickets: TicketService;
  directory: DirectoryStore;
  nlu: Nlu;
  templates: Template[];
  articles: Map<string, { title: string; body: string; url: string | null }>;
  log: Logger;
  now: () => Date;
  handoffThreshold: number;
  maxMessageChars: number;
  /** Messages per person per minute before the bot asks them to slow down. */
  ratePerMinute?: number;
  /** Called after replies were queued, so the outbox delivers them without waiting for its timer. */
  onOutgoing?: () => void;
  /**
   * Takes the replies of a finished turn that were leased to this process as they were queued, to
   * deliver them at once (the outbox worker's deliverLeased); `pollAfter` when more wait behind them.
   * Without it every reply waits for onOutgoing's poll.
   */
  deliverNow?: { leaseMs: number; deliver(items: OutboxItem[], pollAfter: boolean): void };
  /** Features composed in by the app that the dialogs call (ITIL depth, KPIs). */
  hooks?: DialogHooks;
  /** Staff's typed commands (queue, ticket edits), read before the NLU (agent-desk-chat.ts). */
  agentCommands?: AgentCommandHook;
  /** Staff's queue as rows (agent-desk-chat.ts), for the App Home; null for employees. */
  agentQueue?: (person: Person, now: string) => Promise<QueueView | null>;
  /**
   * How long a turn that keeps failing for a passing reason (a platform or the database down) is
   * retried, from when its event was accepted (default one hour). Then the person is told and the event
   * stays as a dead letter (inbox `failed`).
   */
  retryHorizonMs?: number;
  /** Tests only: each turn waits this long before it is leased, so a test can kill the process between ack and processing. */
  turnDelayMs?: number;
  /**
   * Turns processed at once (default 16). More wait in arrival order: under a burst the event loop
   * keeps answering platform acks (an inbox insert each) instead of drowning in half-done turns.
   */
  maxConcurrentTurns?: number;
}

export interface Engine extends ConversationEngine {
  /** Lets a feature module (approvals, CAB, agent commands) handle an action id; one handler per id. */
  registerActionHandler(actionId: ActionId, handler: ActionHandler): void;
  /** Lets a feature module own the threads of a conversation role (`cab`: CAB vote threads). */
  registerThreadHandler(role: ConversationRole, handler: ThreadHandler): void;
  /** Processes inbox items left pending by a crash or a failed attempt. */
  recoverInbox(): Promise<number>;
  /**
   * Reads the platform profile of identities that turns had to take on trust while the platform was
   * down, completing (or merging) their provisional people. Returns how many were completed.
   */
  completeIdentities(): Promise<number>;
  /**
   * Queued conversations nobody claimed within the response target: the requester is told the
   * expected time and the ticket escalated (once per level). Returns how many were escalated.
   */
  sweepHandoffs(): Promise<number>;
  /** Resolves when no turn is being processed. */
  idle(): Promise<void>;
  /**
   * Sends a message to a person in their direct conversation with the bot (opening one through the
   * platform when needed). False when the person has no reachable chat identity.
   */
  notifyPerson(personId: number, reply: Reply, key: string): Promise<boolean>;
  /**
   * Tells the agents working a ticket: in its agent thread, or (none yet) as a card in its group's
   * triage channel. False when the group has no reachable channel.
   */
  notifyAgents(ticket: Ticket, text: string, key: string): Promise<boolean>;
  /** Tells the requester about a change made elsewhere (agent, REST API), in the ticket's conversation. */
  notifyRequester(ticket: Ticket, text: string, key: string, opts?: { askRating?: boolean }): Promise<void>;
  port(platform: Platform): ChatPort | undefined;
  platforms(): Platform[];
}

export function createEngine(opts: EngineOptions): Engine {
  const { store, tickets, log } = opts;
  const { ports, handoff, notifications } = opts.core;
  const templates = new Map(opts.templates.map((t) => [t.id, t]));
  const nowIso = () => opts.now().toISOString();
  const dialogs = createDialogs({
    tickets,
    store,
    directory: opts.directory,
    nlu: opts.nlu,
    templates,
    articles: opts.articles,
    handoffThreshold: opts.handoffThreshold,
    handoff,
    hooks: opts.hooks ?? {},
  });
  const identities = createIdentityResolver({
    store,
    directory: opts.directory,
    port: (p) => ports.get(p),
    log,
    now: nowIso,
  });
  const actionHandlers = new Map<ActionId, ActionHandler>();
  const threadHandlers = new Map<ConversationRole, ThreadHandler>();
  const run = createTurnRunner({
    store,
    ports,
    log,
    now: opts.now,
    retryHorizonMs: opts.retryHorizonMs ?? DEFAULT_RETRY_HORIZON_MS,
    ...(opts.onOutgoing ? { onOutgoing: opts.onOutgoing } : {}),
    ...(opts.deliverNow ? { deliverNow: opts.deliverNow } : {}),
    handle: createTurnHandler({
      store,
      tickets,
      directory: opts.directory,
      identities,
      handoff,
      dialogs,
      ports,
      rateLimiter: createRateLimiter(opts.ratePerMinute ?? 30),
      actionHandlers,
      threadHandlers,
      ...(opts.agentCommands ? { agentCommands: opts.agentCommands } : {}),
      maxMessageChars: opts.maxMessageChars,
      log,
      now: opts.now,
    }),
  });
  const scheduler = createTurnScheduler({
    maxConcurrent: opts.maxConcurrentTurns ?? 16,
    ...(opts.turnDelayMs ? { delayMs: opts.turnDelayMs } : {}),
  });
  /**
   * `fresh`: accepted by this process just now, rather than found by the recovery sweep; `leased`: its
   * lease, when the accept took one.
   */
  const schedule = (inboxId: number, incoming: Incoming, fresh: boolean, leased?: InboxItem) => {
    const key = conversationKey(conversationRefOf(incoming));
    return scheduler.schedule(inboxId, key, () => run(inboxId, fresh, key, leased));
  };

  const engine: Engine = {
    async receive(incoming: Incoming): Promise<ReceiveResult> {
      // The accept also claims the turn when its conversation is free: one commit for both.
      const { id, duplicate, leased } = await store.accept(incoming, nowIso(), { leaseMs: INBOX_LEASE_MS });
      if (duplicate) {
        log.debug('duplicate delivery ignored', { platform: incoming.platform, id: incoming.id });
        return { status: 'duplicate', processed: Promise.resolve() };
      }
      return { status: 'accepted', processed: schedule(id, incoming, true, leased) };
    },

    registerActionHandler(actionId, handler) {
      if (actionHandlers.has(actionId)) throw new Error(`a handler for ${actionId} is already registered`);
      actionHandlers.set(actionId, handler);
    },

    registerThreadHandler(role, handler) {
      if (threadHandlers.has(role)) throw new Error(`a handler for ${role} threads is already registered`);
      threadHandlers.set(role, handler);
    },

    registerPort(port: ChatPort) {
      ports.register(port);
    },

    checkForm(templateId, values): FormCheck {
      const template = templates.get(templateId);
      if (!template) return { ok: false, errors: { templateId: `Unknown request form "${templateId}"` } };
      const r = validateSubmission(template, values);
      if (r.ok) return { ok: true, values: r.values };
      return { ok: false, errors: Object.fromEntries(r.errors.map((e) => [e.field, e.message])) };
    },

    formFor(templateId, prefill) {
      const template = templates.get(templateId);
      return template ? templateForm(template, prefill) : null;
    },

    listTemplates() {
      return [...templates.values()].map((t) => ({ id: t.id, title: t.title, description: t.description }));
    },

    async ticketsFor(user, o = {}) {
      const person = await store.personFor(user);
      if (!person) return [];
      const list = await tickets.listFor(person, { requesterId: person.id, limit: o.limit ?? 20 });
      return notifications.cardsFor(person, list);
    },

    async agentQueueFor(user) {
      const person = await store.personFor(user);
      if (!person || person.active === false || !opts.agentQueue) return null;
      return opts.agentQueue(person, nowIso());
    },

    async recoverInbox() {
      // Rows this process is already working on (or holding in line for a slot) are not taken again:
      // under a burst that would queue every waiting turn twice a second and feed the overload.
      const ids = (await store.pendingInbox(nowIso(), 500)).filter((id) => !scheduler.isScheduled(id));
      const turns: Promise<void>[] = [];
      for (const id of ids) {
        const incoming = await store.peekInbox(id);
        if (incoming) turns.push(schedule(id, incoming, false));
      }
      await Promise.all(turns);
      return ids.length;
    },

    completeIdentities: () => identities.complete(),

    async meet(users, where) {
      let n = 0;
      for (const u of users) {
        try {
          const person = await identities.resolve(u, where);
          if (!person) continue;
          n++;
          // Where they were seen: its Bot Connector reaches them later (notifications.ts directTo).
          if (where.serviceUrl)
            await store.ensureConversation(where, where.isDirect ? person.id : null, nowIso());
        } catch (e) {
          log.warn('could not record a roster member', { platform: u.platform, error: e });
        }
      }
      return n;
    },

    sweepHandoffs: () =>
      sweepHandoffs({
        store,
        tickets,
        handoff,
        notifyPerson: (managerId, reply, key) => notifications.notifyPerson(managerId, reply, key),
        log,
        now: opts.now,
        ...(opts.onOutgoing ? { onOutgoing: opts.onOutgoing } : {}),
      }),

    idle: () => scheduler.idle(),
    notifyPerson: (personId, reply, key) => notifications.notifyPerson(personId, reply, key),
    notifyAgents: (ticket, text, key) => notifications.notifyAgents(ticket, text, key),
    notifyRequester: (ticket, text, key, o) => notifications.notifyRequester(ticket, text, key, o),
    port: (platform) => ports.get(platform),
    platforms: () => ports.platforms(),
  };
  return engine;
}
