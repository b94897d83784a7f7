/**
 * Composition root: the only place that constructs infrastructure (database, models, adapters,
 * jobs) and wires them together. Everything else receives what it needs.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { createEmailChannel, type EmailChannel } from './adapters/email/channel.js';
import { DEFAULT_TEAMS_SERVICE_URL } from './adapters/teams/default-service-url.js';
import type { ChannelAdapter } from './adapters/types.js';
import { skippedChannelsLine, withReachableTriage } from './channel-reach.js';
import { createAgentDeskChat } from './chat/agent-desk-chat.js';
import { createAssigneeNotice, recordUndeliverable } from './chat/assignee-notice.js';
import { createChatCore, createEngine, type Engine } from './chat/conversation-engine.js';
import { deskCardActions } from './chat/desk-card-actions.js';
import { createChatNotifier, registerItilActions } from './chat/itil-actions.js';
import { createPortRegistry } from './chat/ports.js';
import { type ChatStore, ownerOfTicket } from './chat/store.js';
import { loadDataFiles, prepareDatabase } from './compose-data.js';
import { composeItil } from './compose-itil.js';
import { startPeriodicWork } from './compose-timers.js';
import { type Config, secretsOf, sqlitePath, teamsMode } from './config.js';
import { ALERTMANAGER_ACCOUNT, createAlertStore } from './db/alert-store.js';
import { createAttachmentStore } from './db/attachment-store.js';
import { endBoot } from './db/boots.js';
import { createChatStore } from './db/chat-store.js';
import { type Database, pingDatabase } from './db/connect.js';
import { createDeliveryStore, type DeliveryStore, syncDataWebhooks } from './db/delivery-store.js';
import { createDirectoryStore } from './db/directory-store.js';
import { createEmailMessageStore, createPersonByEmail } from './db/email-store.js';
import { createKpiStore, type KpiStore } from './db/kpi-store.js';
import { createItilStore } from './db/practices-store.js';
import { createProvisioningStore, releaseAgentConversations } from './db/provisioning-store.js';
import type { DB } from './db/schema.js';
import { createTicketStore } from './db/ticket-store.js';
import { createWebLoginStore } from './db/web-login-store.js';
import type { AgentDesk } from './itsm/agent-desk.js';
import { type AlertIntake, createAlertIntake } from './itsm/alerts.js';
import type { ChatChannel } from './itsm/directory-data.js';
import { requesterCeiling } from './itsm/impact-claim.js';
import type { ImprovementService } from './itsm/improvement.js';
import { openTicketGauges } from './itsm/kpis/open-tickets.js';
import { createKpiService, type KpiService } from './itsm/kpis/service.js';
import { loadKpiTargetsIfPresent } from './itsm/kpis/targets.js';
import type { DirectoryStore } from './itsm/ports.js';
import type { Itil } from './itsm/practices.js';
import { createProvisioningService, type ProvisioningService } from './itsm/provisioning.js';
import { createTicketService, type TicketService } from './itsm/tickets.js';
import type { Ticket } from './itsm/types.js';
import { type AttachmentCollector, createAttachmentCollector } from './jobs/attachments.js';
import { createDeliveryWorker, type DeliveryWorker } from './jobs/deliveries.js';
import { createOutboxWorker, type OutboxWorker } from './jobs/outbox.js';
import { createSlaSweeper, type SlaSweeper } from './jobs/sla-timer.js';
import { dispatchWebhookEvents, webhookSender } from './jobs/webhooks.js';
import { createLogger, type Logger } from './log.js';
import type { Nlu } from './nlu/types.js';
import { observeDeadLetters } from './observability/dead-letters.js';
import { type ChatdeskMetrics, createChatdeskMetrics, observeClassifier } from './observability/metrics.js';
import { createHttpServer } from './server.js';
import { startNlu } from './start-nlu.js';

/** How long a process may take to deliver an outbox message before another may try. */
const OUTBOX_LEASE_MS = 30_000;
export interface AppOptions {
  log?: Logger;
  now?: () => Date;
  /** Serve HTTP and deliver Slack/Teams; false for the console chat, which only talks locally. */
  serve?: boolean;
  /** Extra adapters (the console chat registers its port this way). */
  adapters?: ChannelAdapter[];
  /** Benches and tests: sees every SQL statement the app runs (bench/statement-count.ts counts them). */
  onStatement?: (sql: string) => void;
  /**
   * False: listen() starts no timers (polls, sweeps, recovery), so every statement the app runs is
   * caused by a request; for counting the statements of a message (default true).
   */
  timers?: boolean;
}

export interface App {
  config: Config;
  db: Kysely<DB>;
  database: Database;
  engine: Engine;
  tickets: TicketService;
  directory: DirectoryStore;
  chatStore: ChatStore;
  outbox: OutboxWorker;
  /** ITIL engine: SLA sweep, approvals, problems, changes, CMDB (issue 7). */
  itil: Itil;
  /** Agents' queue and ticket edits (issue 18). */
  agentDesk: AgentDesk;
  slaSweeper: SlaSweeper;
  /** KPI report, targets and summary (issue 8); kpiStore also holds the CSI register. */
  kpis: KpiService;
  kpiStore: KpiStore;
  /** The improvement (CSI) register worked from chat, CLI and REST (issue 18 item 12). */
  improvements: ImprovementService;
  /** Directory provisioning: SCIM, CSV import, roles (issue 20). */
  provisioning: ProvisioningService;
  /** Webhook subscribers and the durable queue of deliveries to the outside (webhooks, e-mail). */
  deliveryStore: DeliveryStore;
  deliveries: DeliveryWorker;
  /** Prometheus Alertmanager intake: one incident per alert group. */
  alerts: AlertIntake;
  /** The e-mail channel (null unless EMAIL_ADDRESS is set). */
  email: EmailChannel | null;
  /** Keeps files sent in chat on their tickets. */
  attachments: AttachmentCollector;
  metrics: ChatdeskMetrics;
  /** This process start: the leases it takes name it (see src/db/boots.ts). */
  bootId: string;
  nlu: Nlu;
  log: Logger;
  now: () => Date;
  listen(): Promise<{ url: string }>;
  /** Waits until every accepted message is processed and every due reply delivered. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const log = opts.log ?? createLogger({ level: config.LOG_LEVEL, secrets: secretsOf(config) });
  const now = opts.now ?? (() => new Date());
  const dataDir = config.DATA_DIR;

  const files = await loadDataFiles(config, new Set((opts.adapters ?? []).map((a) => a.port.platform)));
  const { templates, sla, rules, groups, articles, reach, itilFile, itilConfig } = files;
  const { database, bootId } = await prepareDatabase(
    config,
    files,
    log,
    now,
    opts.onStatement ? { onStatement: opts.onStatement } : {},
  );
  const { db } = database;

  const loadedNlu = await startNlu(config, log);
  let nlu = loadedNlu.nlu;
  const closeNlu = loadedNlu.close;

  const directory = createDirectoryStore(db);
  // Groups were just synced from groups.json: read once now, dispatch and ticket cards find them cached.
  await directory.groups();
  if (opts.serve !== false) {
    const skipped = skippedChannelsLine(groups, itilFile, reach);
    if (skipped) log[config.NODE_ENV === 'production' ? 'warn' : 'info'](skipped);
  }
  const chatStore = createChatStore(db, { bootId, dialect: database.dialect });
  const retryHorizonMs = config.RETRY_HORIZON_SECONDS * 1000;
  const kpiStore = createKpiStore(db);
  const kpis = createKpiService({
    source: kpiStore,
    sla,
    targets: await loadKpiTargetsIfPresent(join(dataDir, 'kpi-targets.json')),
    now,
    deflectionWindowDays: config.KPI_DEFLECTION_WINDOW_DAYS,
  });
  const metrics = createChatdeskMetrics(async () => {
    const at = now().toISOString();
    const { open, ...counts } = await kpiStore.operationalCounts(at);
    return { ...counts, ...openTicketGauges(sla, open, at) };
  });
  nlu = observeClassifier(nlu, metrics.classifierConfidence);
  observeDeadLetters(metrics.registry, chatStore);
  // Telling an assignee goes through the chat core's notices, which need the ticket service first.
  let tellAssignee: (t: Ticket, at: string) => Promise<void> = async () => {};
  const tickets = createTicketService({
    onAssigned: (t, at) => tellAssignee(t, at),
    tickets: createTicketStore(db),
    directory,
    rules,
    sla,
    requesterCeiling: requesterCeiling({
      ceiling: config.REQUESTER_PRIORITY_CEILING,
      tickets: createTicketStore(db),
      itil: createItilStore(db),
    }),
  });
  // Built in dependency order: ports ← outbox ← chat core (handoff, notices) ← ITIL ← dialogs' hooks ← engine.
  const ports = createPortRegistry();
  const worker = createOutboxWorker({
    store: chatStore,
    ports: (p) => ports.get(p),
    platforms: () => ports.platforms(),
    log: log.child({ component: 'outbox' }),
    now,
    leaseMs: OUTBOX_LEASE_MS,
    retryHorizonMs,
  });
  const triageDirectory = withReachableTriage(directory, reach);
  const engineLog = log.child({ component: 'engine' });
  const core = createChatCore({
    ports,
    store: chatStore,
    tickets,
    directory: triageDirectory,
    log: engineLog,
    now,
    teamsServiceUrl: DEFAULT_TEAMS_SERVICE_URL,
    webTriage: config.NODE_ENV === 'development',
    onOutgoing: () => worker.kick(),
  });
  const deliveryStore = createDeliveryStore(db);
  // Kicks the delivery worker, which is built below once every handler exists.
  let kickDeliveries = () => {};
  const chatPosts = {
    store: chatStore,
    kick: () => worker.kick(),
    now,
    teamsServiceUrl: DEFAULT_TEAMS_SERVICE_URL,
    groupTriage: async (id: number) =>
      ((await directory.groupById(id))?.triage as ChatChannel | undefined) ?? null,
  };
  const chatNotifier = createChatNotifier(core, chatPosts);
  const email = createEmailChannel({
    config,
    messages: createEmailMessageStore(db),
    createPerson: (address, name, at) => createPersonByEmail(db, address, name, at),
    deliveryStore,
    tickets,
    directory,
    notifyAgents: (t, text, key) => chatNotifier.notifyAgents(t, text, key),
    kick: () => kickDeliveries(),
    log: log.child({ component: 'email' }),
    now,
  });
  const { itilStore, itil, improvements, evaluateIfDue, agentDesk, hooks } = composeItil({
    database,
    config,
    files,
    directory,
    tickets,
    notifier: email ? email.withFallback(chatNotifier) : chatNotifier,
    nlu,
    kpiStore,
    kpis,
    onAssigned: (t, at) => tellAssignee(t, at),
    log,
    now,
  });
  tellAssignee = createAssigneeNotice({
    tickets,
    directory,
    notifyPerson: (id, reply, key, known) => core.notifications.notifyPerson(id, reply, key, known),
    notifyAgents: (t, text, key) => core.notifications.notifyAgents(t, text, key),
    undeliverable: (t, personId, why, at) => recordUndeliverable(createTicketStore(db), t, personId, why, at),
    log: log.child({ component: 'assignee-notice' }),
  });
  const deskChat = createAgentDeskChat({
    desk: agentDesk,
    tickets,
    directory,
    notifyRequester: (t, text, key) => core.notifications.notifyRequester(t, text, key),
    notifyAgents: (t, text, key) => core.notifications.notifyAgents(t, text, key),
  });
  const engine = createEngine({
    core,
    hooks,
    agentCommands: deskChat.commands,
    agentQueue: deskChat.queue,
    store: chatStore,
    tickets,
    directory: triageDirectory,
    nlu,
    templates,
    articles: new Map(articles.map((a) => [a.id, { title: a.title, body: a.body, url: a.url }])),
    log: engineLog,
    now,
    handoffThreshold: config.HANDOFF_THRESHOLD,
    maxMessageChars: config.MAX_MESSAGE_CHARS,
    ratePerMinute: config.RATE_LIMIT_PER_MINUTE,
    onOutgoing: () => worker.kick(),
    deliverNow: {
      leaseMs: OUTBOX_LEASE_MS,
      deliver: (items, pollAfter) => worker.deliverLeased(items, pollAfter),
    },
    retryHorizonMs,
    ...(config.TEST_TURN_DELAY_MS ? { turnDelayMs: config.TEST_TURN_DELAY_MS } : {}),
  });
  registerItilActions(engine, itil);
  engine.registerActionHandler('desk.open', deskChat.open);
  const cardEdits = deskCardActions(deskChat.apply);
  engine.registerActionHandler('desk.priority', cardEdits.priority);
  engine.registerActionHandler('desk.pending', cardEdits.pending);
  engine.registerActionHandler('desk.take', cardEdits.take);
  const provisioning = createProvisioningService({
    store: createProvisioningStore(db),
    tickets: createTicketStore(db),
    mapping: files.directoryMapping,
    staticMembers: new Map(groups.groups.map((g) => [g.slug, new Set(g.members)])),
    notifier: createChatNotifier(core, chatPosts),
    releaseConversations: (personId, at) => releaseAgentConversations(db, personId, at),
    personById: (id) => directory.personById(id),
  });
  // Start-up rewrote support group memberships from groups.json; the directory's come back on top.
  await provisioning.resyncAll(now().toISOString());
  const alerts = createAlertIntake({
    store: createAlertStore(db),
    tickets,
    reporter: async () => {
      const p = await directory.personByEmail(ALERTMANAGER_ACCOUNT);
      if (!p) throw new Error('the Alertmanager service account is missing; restart chatdesk to recreate it');
      return p;
    },
    linkService: async (ticket, tag, actor, at) =>
      (await itil.assets.linkAsset(ticket.number, tag, actor, at)).added,
    groupExists: async (slug) => (await directory.groupBySlug(slug)) !== null,
    notifier: createChatNotifier(core, chatPosts),
    serviceLabels: config.ALERTMANAGER_SERVICE_LABELS,
  });
  await syncDataWebhooks(deliveryStore, files.webhookFile, now().toISOString());
  const deliveries = createDeliveryWorker({
    store: deliveryStore,
    handlers: {
      webhook: webhookSender({ store: deliveryStore, now, log: log.child({ component: 'webhooks' }) }),
      ...email?.handlers,
    },
    before: async () => {
      await dispatchWebhookEvents(deliveryStore, now().toISOString());
      await email?.dispatch(now().toISOString());
    },
    log: log.child({ component: 'deliveries' }),
    now,
  });
  kickDeliveries = () => deliveries.kick();
  const attachments = createAttachmentCollector({
    store: createAttachmentStore(db),
    policy: {
      mode: config.ATTACHMENTS_MODE,
      dir: config.ATTACHMENTS_DIR,
      maxBytes: config.ATTACHMENTS_MAX_BYTES,
      types: config.ATTACHMENTS_TYPES,
    },
    ticketOf: async (ref) => {
      const id = (await chatStore.conversation(ref))?.ticketId ?? null;
      return id === null ? null : tickets.byIdForSystem(id);
    },
    personOf: async (incoming) => (await chatStore.personFor(incoming.user))?.id ?? null,
    port: (p) => engine.port(p),
    notifyAgents: (t, text, key) => chatNotifier.notifyAgents(t, text, key),
    log: log.child({ component: 'attachments' }),
    now,
  });
  const slaSweeper = createSlaSweeper({
    run: async (at) => {
      const r = await itil.sweep(at);
      await evaluateIfDue(at);
      return r;
    },
    log: log.child({ component: 'sla' }),
    now,
    intervalMs: itilConfig.sla.sweepSeconds * 1000,
  });

  const adapters: ChannelAdapter[] = [...(opts.adapters ?? [])];
  if (opts.serve !== false) {
    if (config.SLACK_SIGNING_SECRET && config.SLACK_BOT_TOKEN) {
      const { createSlackAdapter } = await import('./adapters/slack/index.js');
      adapters.push(createSlackAdapter({ config, engine, log: log.child({ component: 'slack' }) }));
    }
    if (teamsMode(config) !== 'off') {
      const { createTeamsAdapter } = await import('./adapters/teams/index.js');
      adapters.push(createTeamsAdapter({ config, engine, log: log.child({ component: 'teams' }) }));
    }
  }
  for (const a of adapters) engine.registerPort(a.port);

  let server: Server | null = null;
  let started = false;
  let stopPeriodicWork: (() => void) | null = null;
  const app: App = {
    kpis,
    kpiStore,
    improvements,
    provisioning,
    deliveryStore,
    deliveries,
    alerts,
    email,
    attachments,
    metrics,
    bootId,
    config,
    db,
    database,
    engine,
    tickets,
    directory,
    chatStore,
    outbox: worker,
    itil,
    agentDesk,
    slaSweeper,
    nlu,
    log,
    now,
    async listen() {
      for (const a of adapters) await a.start();
      started = true;
      if (opts.timers !== false) {
        worker.start();
        slaSweeper.start();
        deliveries.start();
        await email?.start();
        stopPeriodicWork = startPeriodicWork(engine, attachments, log);
      }
      const { server: s, webPort } = createHttpServer({
        app: {
          ...app,
          health: async () => ({ ok: await pingDatabase(db), dialect: database.dialect }),
          attachmentStore: createAttachmentStore(db),
          webLogins: createWebLoginStore(db),
          templates,
          flushOutbox: () => worker.flush(),
          ticketAssets: (ticketId) => itilStore.assetsOfTicket(ticketId),
          ticketOwner: (ticketId) => ownerOfTicket(chatStore, ticketId),
        },
        adapters,
        log: log.child({ component: 'http' }),
      });
      engine.registerPort(webPort);
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(config.PORT, config.HOST, () => resolve());
      });
      // Work a crash left between ack and processing is done now, before new traffic piles on.
      const recovered = await engine.recoverInbox();
      if (recovered > 0) log.info('recovered pending inbox items', { count: recovered });
      const { port } = s.address() as AddressInfo;
      return { url: `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}` };
    },
    async drain() {
      for (let i = 0; i < 100; i++) {
        await engine.idle();
        await worker.flush();
        const nowIso = now().toISOString();
        const due = await chatStore.outboxDue(nowIso, engine.platforms());
        const pending = await chatStore.pendingInbox(nowIso, 1);
        if (due === 0 && pending.length === 0) {
          await engine.idle();
          return;
        }
        if (pending.length > 0) await engine.recoverInbox();
      }
    },
    async close() {
      stopPeriodicWork?.();
      if (server) {
        const s = server;
        const closed = new Promise<void>((resolve) => s.close(() => resolve()));
        s.closeAllConnections();
        await closed;
      }
      await engine.idle();
      await slaSweeper.stop();
      await email?.stop();
      await deliveries.stop();
      await worker.stop();
      if (started) for (const a of adapters) await a.stop();
      await closeNlu?.();
      await endBoot(db, bootId).catch((e) => log.warn('could not record the clean stop', { error: e }));
      await database.close();
    },
  };
  log.debug('app ready', {
    database: sqlitePath(config) ?? 'postgres',
    adapters: adapters.map((a) => a.port.platform),
  });
  return app;
}
