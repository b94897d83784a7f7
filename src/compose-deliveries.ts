/**
 * Composition: deliveries to the outside. The durable delivery queue with its webhook subscribers (synced
 * from webhooks.json), the e-mail channel (null unless EMAIL_ADDRESS is set), and the worker that sends
 * both. The e-mail channel and the worker need each other — the worker sends with the channel's handler,
 * the channel asks the worker to run when it queued a mail — so the channel's kick reaches the worker
 * through a closure, called only once both exist.
 */
import type { DataFiles } from './compose-data.js';
import type { Config } from './config.js';
import type { Database } from './db/connect.js';
import { createDeliveryStore, syncDataWebhooks } from './db/delivery-store.js';
import { createEmailMessageStore, createPersonByEmail } from './db/email-store.js';
import type { DirectoryStore } from './itsm/ports.js';
import type { TicketService } from './itsm/tickets.js';
import type { Ticket } from './itsm/types.js';
import { createDeliveryWorker, type DeliveryWorker } from './jobs/deliveries.js';
import { dispatchWebhookEvents, webhookSender } from './jobs/webhooks.js';
import type { Logger } from './log.js';

export async function composeDeliveries(d: {
  config: Config;
  database: Database;
  files: Pick<DataFiles, 'webhookFile'>;
  tickets: TicketService;
  directory: DirectoryStore;
  /** Where an e-mail that arrives on a ticket is told to its agents. */
  notifyAgents: (t: Ticket, text: string, key: string) => Promise<unknown>;
  log: Logger;
  now: () => Date;
}) {
  const { db } = d.database;
  const { log, now } = d;
  const deliveryStore = createDeliveryStore(db);
  // The mail libraries (IMAP, MIME parsing, SMTP) cost a third of a second of start-up CPU: load them
  // only for a desk that has an address.
  const email = !d.config.EMAIL_ADDRESS
    ? null
    : (await import('./adapters/email/channel.js')).createEmailChannel({
        config: d.config,
        messages: createEmailMessageStore(db),
        createPerson: (address, name, at) => createPersonByEmail(db, address, name, at),
        deliveryStore,
        tickets: d.tickets,
        directory: d.directory,
        notifyAgents: d.notifyAgents,
        kick: () => deliveries.kick(),
        log: log.child({ component: 'email' }),
        now,
      });
  await syncDataWebhooks(deliveryStore, d.files.webhookFile, now().toISOString());
  const deliveries: DeliveryWorker = createDeliveryWorker({
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
  return { deliveryStore, email, deliveries };
}
