/**
 * Outbound e-mail: nodemailer over SMTP (SMTP_URL), sent from the durable delivery queue. Every mail
 * carries Auto-Submitted (RFC 3834) and our loop header, so autoresponders stay quiet and a mail that
 * comes back is recognised.
 */
import nodemailer from 'nodemailer';
import type { DeliveryItem } from '../../db/delivery-store.js';
import { DeliveryFailure } from '../../jobs/deliveries.js';
import type { EmailMessageStore, OutgoingMail } from './intake.js';

interface MailerOptions {
  smtpUrl: string;
  deskAddress: string;
  deskName: string;
  messages: EmailMessageStore;
  now: () => Date;
}

export function createMailer(o: MailerOptions) {
  const transport = nodemailer.createTransport(o.smtpUrl);
  return {
    async send(item: DeliveryItem): Promise<{ status: number | null }> {
      const mail = JSON.parse(item.payload) as OutgoingMail;
      try {
        const info = await transport.sendMail({
          from: { name: o.deskName, address: o.deskAddress },
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          messageId: mail.messageId,
          ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
          ...(mail.references && mail.references.length > 0 ? { references: mail.references } : {}),
          ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
          headers: { 'Auto-Submitted': 'auto-replied', 'X-Chatdesk-Loop': o.deskAddress },
        });
        await o.messages.record(mail.messageId, mail.ticketId ?? null, 'out', o.now().toISOString());
        const code = Number(/^(\d{3})/.exec(String(info.response ?? ''))?.[1] ?? 250);
        return { status: code };
      } catch (e) {
        const code = (e as { responseCode?: number }).responseCode ?? null;
        // 5xx: the server refuses this mail for good (unknown mailbox…); anything else may pass later.
        throw new DeliveryFailure(
          `SMTP: ${e instanceof Error ? e.message : String(e)}`,
          code === null || code < 500,
          code,
        );
      }
    },
    close: () => transport.close(),
  };
}
