/**
 * Composition: the conversation side. In dependency order: the port registry and the outbox that
 * delivers through it, the chat core (handoff, notices), the notifier ITIL speaks through, the assignee
 * notice, and the engine with the action handlers of the agents' desk and the ITIL practices.
 */
import { DEFAULT_TEAMS_SERVICE_URL } from './adapters/teams/default-service-url.js';
import { type ChannelReach, withReachableTriage } from './channel-reach.js';
import { createAgentDeskChat } from './chat/agent-desk-chat.js';
import { createAssigneeNotice, recordUndeliverable } from './chat/assignee-notice.js';
import { type ChatCore, createChatCore, createEngine, type Engine } from './chat/conversation-engine.js';
import { deskCardActions } from './chat/desk-card-actions.js';
import type { DialogHooks } from './chat/dialogs/index.js';
import { resolveHandedOff } from './chat/handoff-resolve.js';
import { createChatNotifier, registerItilActions } from './chat/itil-actions.js';
import { createPortRegistry } from './chat/ports.js';
import type { ChatStore } from './chat/store.js';
import type { DataFiles } from './compose-data.js';
import type { Config } from './config.js';
import type { Database } from './db/connect.js';
import { createTicketStore } from './db/ticket-store.js';
import type { AgentDesk } from './itsm/agent-desk.js';
import type { ChatChannel } from './itsm/directory-data.js';
import type { DirectoryStore, ItilNotifier } from './itsm/ports.js';
import type { Itil } from './itsm/practices.js';
import type { TicketService } from './itsm/tickets.js';
import type { Ticket } from './itsm/types.js';
import { createOutboxWorker, type OutboxWorker } from './jobs/outbox.js';
import type { Logger } from './log.js';
import type { Nlu } from './nlu/types.js';

/** How long a process may take to deliver an outbox message before another may try. */
const OUTBOX_LEASE_MS = 30_000;

interface ChatParts {
  core: ChatCore;
  outbox: OutboxWorker;
  /** The directory with triage channels this process cannot post to left out (channel-reach.ts). */
  triageDirectory: DirectoryStore;
  /** Chat notices plus CAB threads on the boards' channels: what ITIL, provisioning and alerts tell through. */
  notifier: ItilNotifier;
  engineLog: Logger;
}

export function composeChatCore(d: {
  config: Pick<Config, 'NODE_ENV' | 'RETRY_HORIZON_SECONDS'>;
  chatStore: ChatStore;
  tickets: TicketService;
  directory: DirectoryStore;
  reach: ChannelReach;
  log: Logger;
  now: () => Date;
}): ChatParts {
  const { chatStore, directory, log, now } = d;
  const ports = createPortRegistry();
  const outbox = createOutboxWorker({
    store: chatStore,
    ports: (p) => ports.get(p),
    platforms: () => ports.platforms(),
    log: log.child({ component: 'outbox' }),
    now,
    leaseMs: OUTBOX_LEASE_MS,
    retryHorizonMs: d.config.RETRY_HORIZON_SECONDS * 1000,
  });
  const triageDirectory = withReachableTriage(directory, d.reach);
  const engineLog = log.child({ component: 'engine' });
  const core = createChatCore({
    ports,
    store: chatStore,
    tickets: d.tickets,
    directory: triageDirectory,
    log: engineLog,
    now,
    teamsServiceUrl: DEFAULT_TEAMS_SERVICE_URL,
    webTriage: d.config.NODE_ENV === 'development',
    onOutgoing: () => outbox.kick(),
  });
  const notifier = createChatNotifier(core, {
    store: chatStore,
    kick: () => outbox.kick(),
    now,
    teamsServiceUrl: DEFAULT_TEAMS_SERVICE_URL,
    groupTriage: async (id: number) =>
      ((await directory.groupById(id))?.triage as ChatChannel | undefined) ?? null,
  });
  return { core, outbox, triageDirectory, notifier, engineLog };
}

/** Tells an agent that dispatch gave them a ticket (chat/assignee-notice.ts). */
export function composeAssigneeNotice(d: {
  chat: ChatParts;
  database: Database;
  tickets: TicketService;
  directory: DirectoryStore;
  log: Logger;
}): (t: Ticket, at: string) => Promise<void> {
  const { notifications } = d.chat.core;
  return createAssigneeNotice({
    tickets: d.tickets,
    directory: d.directory,
    notifyPerson: (id, reply, key, known) => notifications.notifyPerson(id, reply, key, known),
    notifyAgents: (t, text, key) => notifications.notifyAgents(t, text, key),
    undeliverable: (t, personId, why, at) =>
      recordUndeliverable(createTicketStore(d.database.db), t, personId, why, at),
    log: d.log.child({ component: 'assignee-notice' }),
  });
}

/** The conversation engine, with the agents' desk commands and every chat action handler registered. */
export function composeEngine(d: {
  chat: ChatParts;
  hooks: DialogHooks;
  agentDesk: AgentDesk;
  itil: Itil;
  tickets: TicketService;
  directory: DirectoryStore;
  chatStore: ChatStore;
  nlu: Nlu;
  files: Pick<DataFiles, 'templates' | 'articles'>;
  config: Pick<
    Config,
    | 'HANDOFF_THRESHOLD'
    | 'MAX_MESSAGE_CHARS'
    | 'RATE_LIMIT_PER_MINUTE'
    | 'RETRY_HORIZON_SECONDS'
    | 'TEST_TURN_DELAY_MS'
  >;
  now: () => Date;
}): Engine {
  const { chat, tickets, directory, config } = d;
  const { core, outbox } = chat;
  const deskChat = createAgentDeskChat({
    desk: d.agentDesk,
    tickets,
    directory,
    notifyRequester: (t, text, key, opts) => core.notifications.notifyRequester(t, text, key, opts),
    notifyAgents: (t, text, key) => core.notifications.notifyAgents(t, text, key),
    resolveHandedOff: (t, agent, note, now) =>
      resolveHandedOff(
        { handoff: core.handoff, store: d.chatStore, onOutgoing: () => outbox.kick() },
        t,
        agent,
        note,
        now,
      ),
  });
  const engine = createEngine({
    core,
    hooks: d.hooks,
    agentCommands: deskChat.commands,
    agentQueue: deskChat.queue,
    store: d.chatStore,
    tickets,
    directory: chat.triageDirectory,
    nlu: d.nlu,
    templates: d.files.templates,
    articles: new Map(d.files.articles.map((a) => [a.id, { title: a.title, body: a.body, url: a.url }])),
    log: chat.engineLog,
    now: d.now,
    handoffThreshold: config.HANDOFF_THRESHOLD,
    maxMessageChars: config.MAX_MESSAGE_CHARS,
    ratePerMinute: config.RATE_LIMIT_PER_MINUTE,
    onOutgoing: () => outbox.kick(),
    deliverNow: {
      leaseMs: OUTBOX_LEASE_MS,
      deliver: (items, pollAfter) => outbox.deliverLeased(items, pollAfter),
    },
    retryHorizonMs: config.RETRY_HORIZON_SECONDS * 1000,
    ...(config.TEST_TURN_DELAY_MS ? { turnDelayMs: config.TEST_TURN_DELAY_MS } : {}),
  });
  registerItilActions(engine, d.itil);
  engine.registerActionHandler('desk.open', deskChat.open);
  const cardEdits = deskCardActions(deskChat.apply);
  engine.registerActionHandler('desk.priority', cardEdits.priority);
  engine.registerActionHandler('desk.pending', cardEdits.pending);
  engine.registerActionHandler('desk.take', cardEdits.take);
  return engine;
}
