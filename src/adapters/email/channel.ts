/**
 * The e-mail channel assembled from configuration: SMTP intake and/or IMAP polling in, nodemailer out
 * through the durable delivery queue, ticket notices for people not reachable in chat, and a notifier
 * that falls back to e-mail when a person has no chat identity (approvers, managers). Off unless
 * EMAIL_ADDRESS is set.
 */
import type { Config } from '../../config.js';
import type { DeliveryItem, DeliveryStore } from '../../db/delivery-store.js';
import type { DirectoryStore, ItilNotifier } from '../../itsm/ports.js';
import type { TicketService } from '../../itsm/tickets.js';
import type { Person, Ticket } from '../../itsm/types.js';
import type { Logger } from '../../log.js';
import { createImapPoller } from './imap-poller.js';
import { createEmailIntake, type EmailMessageStore, type EmailOutcome, newMessageId } from './intake.js';
import { createMailer } from './mailer.js';
import { dispatchEmailNotices } from './notices.js';
import { createSmtpIntake } from './smtp-intake.js';

interface EmailChannelDeps {
  config: Config;
  /** Message-IDs seen and sent, for threading and deduplication. */
  messages: EmailMessageStore;
  /** Creates a person for an unknown sender (EMAIL_UNKNOWN_SENDERS=create). */
  createPerson: (email: string, name: string, now: string) => Promise<Person>;
  deliveryStore: DeliveryStore;
  tickets: TicketService;
  directory: DirectoryStore;
  notifyAgents: (ticket: Ticket, text: string, key: string) => Promise<unknown>;
  kick: () => void;
  log: Logger;
  now: () => Date;
}

export interface EmailChannel {
  receive(raw: Buffer | string): Promise<EmailOutcome>;
  /** The port the SMTP intake listens on (after start), or null without one. */
  smtpPort(): number | null;
  pollImap(): Promise<number>;
  /** Delivery handlers and the dispatch step for the delivery worker. */
  handlers: Partial<Record<string, (item: DeliveryItem) => Promise<{ status: number | null }>>>;
  dispatch(now: string): Promise<number>;
  /** Wraps a chat notifier: a person it cannot reach in chat gets the notice by e-mail. */
  withFallback(notifier: ItilNotifier): ItilNotifier;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createEmailChannel(deps: EmailChannelDeps): EmailChannel | null {
  const { config } = deps;
  const address = config.EMAIL_ADDRESS;
  if (!address) return null;
  const { messages } = deps;
  const mailer = config.SMTP_URL
    ? createMailer({
        smtpUrl: config.SMTP_URL,
        deskAddress: address,
        deskName: config.EMAIL_NAME,
        messages,
        now: deps.now,
      })
    : null;
  const intake = createEmailIntake({
    deskAddress: address,
    deskName: config.EMAIL_NAME,
    unknownSenders: config.EMAIL_UNKNOWN_SENDERS,
    tickets: deps.tickets,
    personByEmail: (e) => deps.directory.personByEmail(e),
    createPerson: deps.createPerson,
    messages,
    notifyAgents: deps.notifyAgents,
    async sendMail(mail, dedupeKey, at) {
      if (!mailer) return;
      await deps.deliveryStore.enqueue(
        [
          {
            kind: 'email',
            dedupeKey,
            eventType: 'email.ack',
            target: mail.to,
            payload: JSON.stringify(mail),
          },
        ],
        at,
      );
      deps.kick();
    },
    log: deps.log,
  });
  const receive = (raw: Buffer | string) => intake.receive(raw, deps.now().toISOString());
  const smtp =
    config.SMTP_LISTEN_PORT !== undefined
      ? createSmtpIntake({
          host: config.SMTP_LISTEN_HOST,
          port: config.SMTP_LISTEN_PORT,
          deskAddress: address,
          maxBytes: config.EMAIL_MAX_BYTES,
          receive,
          log: deps.log,
        })
      : null;
  const imap = config.IMAP_URL
    ? createImapPoller({
        url: config.IMAP_URL,
        intervalMs: config.IMAP_POLL_SECONDS * 1000,
        receive,
        log: deps.log,
      })
    : null;
  let port: number | null = null;

  return {
    receive,
    smtpPort: () => port,
    pollImap: () => imap?.pollOnce() ?? Promise.resolve(0),
    handlers: mailer ? { email: (item) => mailer.send(item) } : {},
    dispatch: (at) =>
      mailer
        ? dispatchEmailNotices(deps.deliveryStore, { address, name: config.EMAIL_NAME }, at)
        : Promise.resolve(0),
    withFallback(notifier) {
      if (!mailer) return notifier;
      return {
        ...notifier,
        async notifyPerson(personId, text, key, choices) {
          if (await notifier.notifyPerson(personId, text, key, choices)) return true;
          const p = await deps.directory.personById(personId);
          if (!p || p.active === false || p.email.endsWith('@chatdesk.local')) return false;
          const at = deps.now().toISOString();
          const options =
            choices && choices.length > 0
              ? `\n\nOptions: ${choices.map((c) => c.label).join(' · ')} (answer in chat or ask the service desk)`
              : '';
          const number = /\b(INC|REQ|PRB|CHG)\d{7}\b/.exec(text)?.[0];
          await deps.deliveryStore.enqueue(
            [
              {
                kind: 'email',
                dedupeKey: `email:person:${personId}:${key}`,
                eventType: 'email.notice',
                target: p.email,
                payload: JSON.stringify({
                  to: p.email,
                  subject: number
                    ? `[${number}] ${text.split('\n')[0]?.slice(0, 120)}`
                    : text.split('\n')[0]?.slice(0, 120),
                  text: `${text}${options}\n\n${config.EMAIL_NAME}`,
                  messageId: newMessageId(address, (number ?? 'notice').toLowerCase()),
                  replyTo: number ? `${address.split('@')[0]}+${number}@${address.split('@')[1]}` : address,
                }),
              },
            ],
            at,
          );
          deps.kick();
          return true;
        },
      };
    },
    async start() {
      if (smtp) port = await smtp.start();
      imap?.start();
    },
    async stop() {
      await smtp?.stop();
      await imap?.stop();
      mailer?.close();
    },
  };
}
