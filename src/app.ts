/**
 * Composition root: the only place that constructs infrastructure (database, models, adapters,
 * jobs) and wires them together. Everything else receives what it needs.
 */

import type { Kysely } from 'kysely';
import type { EmailChannel } from './adapters/email/channel.js';
import type { ChannelAdapter } from './adapters/types.js';
import { skippedChannelsLine } from './channel-reach.js';
import type { Engine } from './chat/conversation-engine.js';
import { type ChatStore, ownerOfTicket } from './chat/store.js';
import { composeAdapters } from './compose-adapters.js';
import { composeAssigneeNotice, composeChatCore, composeEngine } from './compose-chat.js';
import { loadDataFiles, prepareDatabase } from './compose-data.js';
import { composeDeliveries } from './compose-deliveries.js';
import { composeAlertIntake, composeAttachments, composeProvisioning } from './compose-intake.js';
import { composeItil } from './compose-itil.js';
import { composeKpis } from './compose-kpis.js';
import { type AppLifecycle, appLifecycle } from './compose-lifecycle.js';
import { type Config, secretsOf, sqlitePath } from './config.js';
import { createAttachmentStore } from './db/attachment-store.js';
import { createChatStore } from './db/chat-store.js';
import { type Database, pingDatabase } from './db/connect.js';
import type { DeliveryStore } from './db/delivery-store.js';
import { createDirectoryStore } from './db/directory-store.js';
import type { KpiStore } from './db/kpi-store.js';
import { createItilStore } from './db/practices-store.js';
import type { DB } from './db/schema.js';
import { createTicketStore } from './db/ticket-store.js';
import { createWebLoginStore } from './db/web-login-store.js';
import type { AgentDesk } from './itsm/agent-desk.js';
import type { AlertIntake } from './itsm/alerts.js';
import { requesterCeiling } from './itsm/impact-claim.js';
import type { ImprovementService } from './itsm/improvement.js';
import type { KpiService } from './itsm/kpis/service.js';
import type { DirectoryStore } from './itsm/ports.js';
import type { Itil } from './itsm/practices.js';
import type { ProvisioningService } from './itsm/provisioning.js';
import { createTicketService, type TicketService } from './itsm/tickets.js';
import type { Ticket } from './itsm/types.js';
import type { AttachmentCollector } from './jobs/attachments.js';
import type { DeliveryWorker } from './jobs/deliveries.js';
import type { OutboxWorker } from './jobs/outbox.js';
import type { SlaSweeper } from './jobs/sla-timer.js';
import { createLogger, type Logger } from './log.js';
import type { Nlu } from './nlu/types.js';
import type { ChatdeskMetrics } from './observability/metrics.js';
import type { HttpDeps } from './server.js';
import { startNlu } from './start-nlu.js';

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

export interface App extends AppLifecycle {
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
}

export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const log = opts.log ?? createLogger({ level: config.LOG_LEVEL, secrets: secretsOf(config) });
  const now = opts.now ?? (() => new Date());
  const serve = opts.serve !== false;

  const files = await loadDataFiles(config, new Set((opts.adapters ?? []).map((a) => a.port.platform)));
  const { database, bootId } = await prepareDatabase(
    config,
    files,
    log,
    now,
    opts.onStatement ? { onStatement: opts.onStatement } : {},
  );
  const { db } = database;
  const loadedNlu = await startNlu(config, log);

  const directory = createDirectoryStore(db);
  // Groups were just synced from groups.json: read once now, dispatch and ticket cards find them cached.
  await directory.groups();
  if (serve) {
    const skipped = skippedChannelsLine(files.groups, files.itilFile, files.reach);
    if (skipped) log[config.NODE_ENV === 'production' ? 'warn' : 'info'](skipped);
  }
  const chatStore = createChatStore(db, { bootId, dialect: database.dialect });
  const { kpiStore, kpis, metrics, nlu } = await composeKpis({
    database,
    config,
    sla: files.sla,
    chatStore,
    nlu: loadedNlu.nlu,
    now,
  });
  // The one callback bound late: telling an assignee goes through the chat core's notices, and the chat
  // core needs the ticket service first.
  let tellAssignee: (t: Ticket, at: string) => Promise<void> = async () => {};
  const tickets = createTicketService({
    onAssigned: (t, at) => tellAssignee(t, at),
    tickets: createTicketStore(db),
    directory,
    rules: files.rules,
    sla: files.sla,
    requesterCeiling: requesterCeiling({
      ceiling: config.REQUESTER_PRIORITY_CEILING,
      tickets: createTicketStore(db),
      itil: createItilStore(db),
    }),
  });
  // Built in dependency order: ports ← outbox ← chat core (handoff, notices) ← ITIL ← dialogs' hooks ← engine.
  const chat = composeChatCore({ config, chatStore, tickets, directory, reach: files.reach, log, now });
  const { deliveryStore, email, deliveries } = await composeDeliveries({
    config,
    database,
    files,
    tickets,
    directory,
    notifyAgents: (t, text, key) => chat.notifier.notifyAgents(t, text, key),
    log,
    now,
  });
  const { itilStore, itil, improvements, slaSweeper, agentDesk, hooks } = composeItil({
    database,
    config,
    files,
    directory,
    tickets,
    notifier: email ? email.withFallback(chat.notifier) : chat.notifier,
    nlu,
    kpiStore,
    kpis,
    onAssigned: (t, at) => tellAssignee(t, at),
    log,
    now,
  });
  tellAssignee = composeAssigneeNotice({ chat, database, tickets, directory, log });
  const engine = composeEngine({
    chat,
    hooks,
    agentDesk,
    itil,
    tickets,
    directory,
    chatStore,
    nlu,
    files,
    config,
    now,
  });
  const { notifier } = chat;
  const provisioning = await composeProvisioning({ database, files, directory, notifier, now });
  const alerts = composeAlertIntake({ database, config, tickets, directory, itil, notifier });
  const attachments = composeAttachments({
    database,
    config,
    chatStore,
    tickets,
    engine,
    notifier,
    log,
    now,
  });
  const adapters = await composeAdapters({ config, engine, injected: opts.adapters ?? [], serve, log });

  const services = {
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
    outbox: chat.outbox,
    itil,
    agentDesk,
    slaSweeper,
    nlu,
    log,
    now,
  };
  const http: HttpDeps = {
    ...services,
    health: async () => ({ ok: await pingDatabase(db), dialect: database.dialect }),
    attachmentStore: createAttachmentStore(db),
    webLogins: createWebLoginStore(db),
    templates: files.templates,
    flushOutbox: () => chat.outbox.flush(),
    ticketAssets: (ticketId) => itilStore.assetsOfTicket(ticketId),
    ticketOwner: (ticketId) => ownerOfTicket(chatStore, ticketId),
  };
  const app: App = {
    ...services,
    ...appLifecycle({
      ...services,
      adapters,
      closeNlu: loadedNlu.close,
      http,
      timers: opts.timers !== false,
    }),
  };
  log.debug('app ready', {
    database: sqlitePath(config) ?? 'postgres',
    adapters: adapters.map((a) => a.port.platform),
  });
  return app;
}
