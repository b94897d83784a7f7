/**
 * What an e-mail to the desk does: a reply (by In-Reply-To/References, the `desk+INC…@` address or
 * the ticket number in the subject) comments on its ticket; anything else opens one and is
 * acknowledged. Automatic replies and loops are dropped, senders are matched to the directory, and
 * unknown senders are ignored or added as the admin chose (EMAIL_UNKNOWN_SENDERS).
 */
import { AppError, isAppError } from '../../errors.js';
import type { TicketService } from '../../itsm/tickets.js';
import { COMMENT_MAX } from '../../itsm/tickets.js';
import type { Person, Ticket } from '../../itsm/types.js';
import type { Logger } from '../../log.js';
import { type InboundEmail, parseEmail, stripQuoted, ticketFromAddress, ticketNumberIn } from './message.js';

export interface EmailMessageStore {
  seen(messageId: string): Promise<boolean>;
  record(messageId: string, ticketId: number | null, direction: 'in' | 'out', now: string): Promise<void>;
  ticketOf(messageIds: string[]): Promise<number | null>;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  messageId: string;
  inReplyTo?: string | null;
  references?: string[];
  /** The address a reply should go to: `desk+INC0000042@…`, so replies land on the ticket. */
  replyTo?: string | null;
  ticketId?: number | null;
}

interface EmailIntakeDeps {
  deskAddress: string;
  deskName: string;
  unknownSenders: 'ignore' | 'create';
  tickets: TicketService;
  personByEmail: (email: string) => Promise<Person | null>;
  createPerson: (email: string, name: string, now: string) => Promise<Person>;
  messages: EmailMessageStore;
  notifyAgents: (ticket: Ticket, text: string, key: string) => Promise<unknown>;
  /** Queues a mail in the durable delivery queue. */
  sendMail: (mail: OutgoingMail, dedupeKey: string, now: string) => Promise<void>;
  log: Logger;
}

export interface EmailOutcome {
  action: 'opened' | 'commented' | 'ignored' | 'duplicate';
  ticket: string | null;
  reason?: string;
}

/** Message-IDs the desk generates; replies quote them in In-Reply-To. */
export function newMessageId(deskAddress: string, tag: string): string {
  const domain = deskAddress.split('@')[1] ?? 'chatdesk.local';
  return `<${tag}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 10)}@${domain}>`;
}

/** `help@example.com` + INC0000042 → `help+INC0000042@example.com`. */
export function replyAddress(deskAddress: string, number: string): string {
  const [local, domain] = deskAddress.split('@');
  return `${local}+${number}@${domain}`;
}

export function createEmailIntake(deps: EmailIntakeDeps) {
  const desk = deps.deskAddress.toLowerCase();

  async function ticketFor(mail: InboundEmail): Promise<string | null> {
    const byThread = await deps.messages.ticketOf([...mail.inReplyTo, ...mail.references]);
    if (byThread !== null) {
      const t = await deps.tickets.byIdForSystem(byThread);
      if (t) return t.number;
    }
    return ticketFromAddress(mail.to, desk) ?? ticketNumberIn(mail.subject);
  }

  async function open(mail: InboundEmail, person: Person, body: string, now: string): Promise<EmailOutcome> {
    const title =
      mail.subject.replace(/^(re|fw|fwd|aw|wg)\s*:\s*/i, '').trim() ||
      body.split('\n')[0]?.slice(0, 120) ||
      `E-mail from ${person.displayName}`;
    const t = await deps.tickets.open(
      {
        kind: 'incident',
        title,
        description: body || title,
        impact: 'medium',
        urgency: 'medium',
        category: null,
        requester: person,
        channel: 'email',
        groupSlug: null,
        sourceKey: `email:${mail.messageId}`.slice(0, 500),
      },
      now,
    );
    await deps.messages.record(mail.messageId, t.id, 'in', now);
    const messageId = newMessageId(desk, t.number.toLowerCase());
    await deps.sendMail(
      {
        to: person.email,
        subject: `[${t.number}] ${t.title}`,
        text: `Hello ${person.displayName},\n\nwe have opened ${t.number} for your request "${t.title}" (priority ${t.priority}). Reply to this e-mail to add information; keep ${t.number} in the subject.\n\n${deps.deskName}`,
        messageId,
        inReplyTo: mail.messageId,
        references: [...mail.references, mail.messageId],
        replyTo: replyAddress(desk, t.number),
        ticketId: t.id,
      },
      `email:ack:${t.number}`,
      now,
    );
    await deps.notifyAgents(
      t,
      `📧 New by e-mail from ${person.displayName}: ${t.title}`,
      `email:opened:${t.number}`,
    );
    return { action: 'opened', ticket: t.number };
  }

  return {
    async receive(raw: Buffer | string, now: string): Promise<EmailOutcome> {
      const mail = await parseEmail(raw, desk);
      if (await deps.messages.seen(mail.messageId)) return { action: 'duplicate', ticket: null };
      if (mail.automatic) {
        await deps.messages.record(mail.messageId, null, 'in', now);
        deps.log.info('automatic e-mail ignored', { from: mail.from, reason: mail.automatic });
        return { action: 'ignored', ticket: null, reason: mail.automatic };
      }
      const from = mail.from as string;
      let person = await deps.personByEmail(from);
      if (!person && deps.unknownSenders === 'create')
        person = await deps.createPerson(from, mail.fromName ?? from.split('@')[0] ?? from, now);
      if (!person || person.active === false) {
        await deps.messages.record(mail.messageId, null, 'in', now);
        const reason = person
          ? 'the sender is deactivated'
          : 'the sender is not in the directory (EMAIL_UNKNOWN_SENDERS=ignore)';
        deps.log.info('e-mail ignored', { from, reason });
        return { action: 'ignored', ticket: null, reason };
      }
      const body = stripQuoted(mail.text).slice(0, COMMENT_MAX);
      const number = await ticketFor(mail);
      if (number) {
        try {
          if (body.length === 0) throw new AppError('validation_failed', 'empty reply');
          const c = await deps.tickets.comment(number, person, body, { platform: 'email' }, now);
          const t = await deps.tickets.get(number, person);
          await deps.messages.record(mail.messageId, t.id, 'in', now);
          await deps.notifyAgents(
            t,
            `📧 ${person.displayName} on ${t.number} by e-mail: ${body.slice(0, 500)}`,
            `email:comment:${c.id}`,
          );
          return { action: 'commented', ticket: t.number };
        } catch (e) {
          // Not theirs to comment on (or no such ticket): what they wrote becomes a ticket of their own.
          if (!isAppError(e) || !['forbidden', 'not_found', 'validation_failed'].includes(e.code)) throw e;
          if (e.code === 'validation_failed') {
            await deps.messages.record(mail.messageId, null, 'in', now);
            return { action: 'ignored', ticket: number, reason: 'nothing written above the quoted text' };
          }
        }
      }
      return open(mail, person, body, now);
    },
  };
}
