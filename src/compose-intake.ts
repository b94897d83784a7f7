/**
 * Composition: what reaches tickets from outside a conversation turn — Prometheus Alertmanager alerts
 * (one incident per alert group) and files sent in chat (kept on their tickets) — and the directory
 * provisioning (SCIM, CSV import, roles), whose memberships are re-applied at start.
 */
import type { Engine } from './chat/conversation-engine.js';
import type { ChatStore } from './chat/store.js';
import type { DataFiles } from './compose-data.js';
import type { Config } from './config.js';
import { ALERTMANAGER_ACCOUNT, createAlertStore } from './db/alert-store.js';
import { createAttachmentStore } from './db/attachment-store.js';
import type { Database } from './db/connect.js';
import { createProvisioningStore, releaseAgentConversations } from './db/provisioning-store.js';
import { createTicketStore } from './db/ticket-store.js';
import { createAlertIntake } from './itsm/alerts.js';
import type { DirectoryStore, ItilNotifier } from './itsm/ports.js';
import type { Itil } from './itsm/practices.js';
import { createProvisioningService } from './itsm/provisioning.js';
import type { TicketService } from './itsm/tickets.js';
import { createAttachmentCollector } from './jobs/attachments.js';
import type { Logger } from './log.js';

/** Builds the provisioning service and re-applies the directory's memberships. */
export async function composeProvisioning(d: {
  database: Database;
  files: Pick<DataFiles, 'directoryMapping' | 'groups'>;
  directory: DirectoryStore;
  notifier: ItilNotifier;
  now: () => Date;
}) {
  const { db } = d.database;
  const provisioning = createProvisioningService({
    store: createProvisioningStore(db),
    tickets: createTicketStore(db),
    mapping: d.files.directoryMapping,
    staticMembers: new Map(d.files.groups.groups.map((g) => [g.slug, new Set(g.members)])),
    notifier: d.notifier,
    releaseConversations: (personId, at) => releaseAgentConversations(db, personId, at),
    personById: (id) => d.directory.personById(id),
  });
  // Start-up rewrote support group memberships from groups.json; the directory's come back on top.
  await provisioning.resyncAll(d.now().toISOString());
  return provisioning;
}

export function composeAlertIntake(d: {
  database: Database;
  config: Pick<Config, 'ALERTMANAGER_SERVICE_LABELS'>;
  tickets: TicketService;
  directory: DirectoryStore;
  itil: Itil;
  notifier: ItilNotifier;
}) {
  const { directory } = d;
  return createAlertIntake({
    store: createAlertStore(d.database.db),
    tickets: d.tickets,
    reporter: async () => {
      const p = await directory.personByEmail(ALERTMANAGER_ACCOUNT);
      if (!p) throw new Error('the Alertmanager service account is missing; restart chatdesk to recreate it');
      return p;
    },
    linkService: async (ticket, tag, actor, at) =>
      (await d.itil.assets.linkAsset(ticket.number, tag, actor, at)).added,
    groupExists: async (slug) => (await directory.groupBySlug(slug)) !== null,
    notifier: d.notifier,
    serviceLabels: d.config.ALERTMANAGER_SERVICE_LABELS,
  });
}

export function composeAttachments(d: {
  database: Database;
  config: Pick<
    Config,
    'ATTACHMENTS_MODE' | 'ATTACHMENTS_DIR' | 'ATTACHMENTS_MAX_BYTES' | 'ATTACHMENTS_TYPES'
  >;
  chatStore: ChatStore;
  tickets: TicketService;
  engine: Pick<Engine, 'port'>;
  notifier: Pick<ItilNotifier, 'notifyAgents'>;
  log: Logger;
  now: () => Date;
}) {
  const { config, chatStore, tickets } = d;
  return createAttachmentCollector({
    store: createAttachmentStore(d.database.db),
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
    port: (p) => d.engine.port(p),
    notifyAgents: (t, text, key) => d.notifier.notifyAgents(t, text, key),
    log: d.log.child({ component: 'attachments' }),
    now: d.now,
  });
}
