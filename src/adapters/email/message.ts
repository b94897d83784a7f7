/**
 * Inbound e-mail as the desk reads it: parsed with mailparser, then the decisions that need no
 * database — is it an automatic reply or a loop, which ticket does it name, what did the person write
 * above the quoted history.
 */
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';

export interface InboundEmail {
  messageId: string;
  from: string | null;
  fromName: string | null;
  to: string[];
  subject: string;
  text: string;
  inReplyTo: string[];
  references: string[];
  /** Why this is an automatic message the desk must not answer (null: a person wrote it). */
  automatic: string | null;
  attachments: Array<{ filename: string; contentType: string; size: number; content: Buffer }>;
}

const TICKET_NUMBER = /\b(INC|REQ|PRB|CHG)\d{7}\b/i;

function addresses(a: AddressObject | AddressObject[] | undefined): Array<{ address: string; name: string }> {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list
    .flatMap((x) => x.value)
    .filter((v) => typeof v.address === 'string' && v.address.length > 0)
    .map((v) => ({ address: (v.address as string).toLowerCase(), name: v.name ?? '' }));
}

function ids(v: string | string[] | undefined): string[] {
  const list = Array.isArray(v) ? v : v ? v.split(/\s+/) : [];
  return list.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** RFC 3834 and the headers autoresponders really send; our own loop header; bounces. */
function automaticReason(mail: ParsedMail, deskAddress: string, from: string | null): string | null {
  const h = (name: string) => {
    const v = mail.headers.get(name);
    return typeof v === 'string'
      ? v.toLowerCase()
      : v === undefined
        ? null
        : String(JSON.stringify(v)).toLowerCase();
  };
  const auto = h('auto-submitted');
  if (auto && !auto.startsWith('no')) return `Auto-Submitted: ${auto}`;
  if (h('x-autoreply') || h('x-autorespond') || h('x-auto-reply')) return 'X-Autoreply';
  const precedence = h('precedence');
  if (precedence && /bulk|junk|list|auto_reply/.test(precedence)) return `Precedence: ${precedence}`;
  if (h('x-chatdesk-loop')) return 'a message chatdesk sent (X-Chatdesk-Loop)';
  if (!from) return 'no sender';
  if (/^(mailer-daemon|postmaster|no-?reply)@/i.test(from)) return `sent by ${from}`;
  const [deskLocal, deskDomain] = deskAddress.split('@');
  const [fromLocal, fromDomain] = from.split('@');
  if (fromDomain === deskDomain && fromLocal?.split('+')[0] === deskLocal) return 'sent by the desk itself';
  return null;
}

const STRIP_MAX_CHARS = 40_000;

/** Keeps what the person wrote: drops quoted lines and everything from the "On … wrote:" line on. */
export function stripQuoted(input: string): string {
  // A ticket description holds 20,000 characters; the rest of a longer mail is never read.
  const text = input.length > STRIP_MAX_CHARS ? input.slice(0, STRIP_MAX_CHARS) : input;
  const out: string[] = [];
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    // Cheap substring tests first: most lines are none of these, and a mail may have 100,000 lines.
    const quoteHeader =
      (line.includes(' wrote:') && /^\s*On .{1,200} wrote:\s*$/.test(line)) ||
      (line.includes('-') && /^-{2,}\s*Original Message\s*-{2,}/i.test(line)) ||
      (out.length > 0 && line.includes('From: ') && /^\s*From: .+/.test(line));
    if (quoteHeader) break;
    if (line.startsWith('>')) continue;
    out.push(line);
  }
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function ticketNumberIn(subject: string): string | null {
  return TICKET_NUMBER.exec(subject)?.[0]?.toUpperCase() ?? null;
}

/** `help+INC0000042@example.com` names the ticket in the address a reply goes to. */
export function ticketFromAddress(to: string[], deskAddress: string): string | null {
  const [local, domain] = deskAddress.split('@');
  for (const a of to) {
    const m = /^([^+@]+)\+([^@]+)@(.+)$/.exec(a);
    if (m && m[1] === local && m[3] === domain) return ticketNumberIn(m[2] ?? '');
  }
  return null;
}

export async function parseEmail(raw: Buffer | string, deskAddress: string): Promise<InboundEmail> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const from = addresses(mail.from)[0] ?? null;
  return {
    messageId: mail.messageId ?? `<no-id.${Date.now()}.${Math.random().toString(36).slice(2)}@chatdesk>`,
    from: from?.address ?? null,
    fromName: from?.name || null,
    to: [...addresses(mail.to), ...addresses(mail.cc)].map((a) => a.address),
    subject: (mail.subject ?? '').trim(),
    text: mail.text ?? '',
    inReplyTo: ids(mail.inReplyTo),
    references: ids(mail.references),
    automatic: automaticReason(mail, deskAddress.toLowerCase(), from?.address ?? null),
    attachments: mail.attachments.map((a) => ({
      filename: a.filename ?? 'attachment',
      contentType: a.contentType,
      size: a.size,
      content: a.content,
    })),
  };
}
