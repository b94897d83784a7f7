/**
 * Keeps the files people send in Slack or Teams on their ticket. Reads processed inbox messages (so
 * the turn has bound the conversation to its ticket), downloads each file through its platform's port
 * when the type and size are allowed and ATTACHMENTS_MODE is `store`, writes it under ATTACHMENTS_DIR
 * by content hash, and otherwise records the platform link with the reason. Agents see a line in the
 * ticket's thread; REST lists and serves them.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Attachment, ChatPort, ConversationRef, Incoming, Platform } from '../chat/message.js';
import { conversationRefOf } from '../chat/message.js';
import type { AttachmentStore } from '../db/attachment-store.js';
import type { Ticket } from '../itsm/types.js';
import type { Logger } from '../log.js';

interface AttachmentPolicy {
  mode: 'store' | 'link';
  dir: string;
  maxBytes: number;
  /** Allowed MIME types; `image/*` style wildcards. */
  types: string[];
}

interface AttachmentCollectorDeps {
  store: AttachmentStore;
  policy: AttachmentPolicy;
  ticketOf: (ref: ConversationRef) => Promise<Ticket | null>;
  personOf: (incoming: Incoming) => Promise<number | null>;
  port: (platform: Platform) => ChatPort | undefined;
  notifyAgents: (ticket: Ticket, text: string, key: string) => Promise<unknown>;
  log: Logger;
  now: () => Date;
}

function typeAllowed(mime: string | null, allowed: string[]): boolean {
  if (!mime) return false;
  const m = mime.toLowerCase();
  return allowed.some((a) => (a.endsWith('/*') ? m.startsWith(a.slice(0, -1)) : m === a.toLowerCase()));
}

function size(n: number | null): string {
  if (n === null) return '';
  return n < 1024
    ? ` (${n} B)`
    : n < 1024 * 1024
      ? ` (${Math.round(n / 1024)} KB)`
      : ` (${(n / 1024 / 1024).toFixed(1)} MB)`;
}

export function createAttachmentCollector(d: AttachmentCollectorDeps) {
  async function keep(
    incoming: Incoming & { kind: 'message' },
    att: Attachment,
    index: number,
    ticket: Ticket,
  ) {
    const sourceKey = `${incoming.platform}:${incoming.id}:${index}:${ticket.id}`;
    if (await d.store.exists(sourceKey)) return;
    const base = {
      sourceKey,
      ticketId: ticket.id,
      name: att.name.slice(0, 255),
      url: att.url,
      platform: incoming.platform,
      uploadedBy: await d.personOf(incoming),
      createdAt: d.now().toISOString(),
    };
    const port = d.port(incoming.platform);
    let note: string | null = null;
    if (d.policy.mode === 'link') note = 'ATTACHMENTS_MODE=link';
    else if (!port?.fetchAttachment) note = `files from ${incoming.platform} are kept as links`;
    else if (att.mimeType && !typeAllowed(att.mimeType, d.policy.types))
      note = `type ${att.mimeType} is not allowed`;
    if (note === null && port?.fetchAttachment) {
      try {
        const file = await port.fetchAttachment(att, d.policy.maxBytes);
        const mimeType = att.mimeType ?? file.mimeType;
        if (!typeAllowed(mimeType, d.policy.types)) note = `type ${mimeType ?? 'unknown'} is not allowed`;
        else {
          const sha256 = createHash('sha256').update(file.data).digest('hex');
          const rel = join(sha256.slice(0, 2), sha256);
          await mkdir(join(d.policy.dir, sha256.slice(0, 2)), { recursive: true });
          await writeFile(join(d.policy.dir, rel), file.data);
          if (
            await d.store.record({
              ...base,
              mimeType,
              size: file.data.length,
              storage: 'file',
              path: rel,
              sha256,
              note: null,
            })
          )
            await d.notifyAgents(
              ticket,
              `📎 ${att.name}${size(file.data.length)} is kept on ${ticket.number}.`,
              `attachment:${sourceKey}`,
            );
          return;
        }
      } catch (e) {
        note = `not downloaded: ${e instanceof Error ? e.message : String(e)}`;
        d.log.warn('attachment kept as a link', { ticket: ticket.number, name: att.name, reason: note });
      }
    }
    if (
      await d.store.record({
        ...base,
        mimeType: att.mimeType ?? null,
        size: null,
        storage: 'link',
        path: null,
        sha256: null,
        note,
      })
    )
      await d.notifyAgents(
        ticket,
        `📎 ${att.name} on ${ticket.number} (link only: ${note}): ${att.url}`,
        `attachment:${sourceKey}`,
      );
  }

  let running: Promise<number> | null = null;
  async function run(): Promise<number> {
    let cursor = await d.store.cursor();
    let kept = 0;
    for (const row of await d.store.inboxAfter(cursor, 200)) {
      if (row.status === 'pending') break;
      if (row.status === 'done' && row.payload.includes('"attachments":[{')) {
        const incoming = JSON.parse(row.payload) as Incoming;
        if (incoming.kind === 'message' && incoming.attachments.length > 0) {
          const ticket = await d.ticketOf(conversationRefOf(incoming));
          if (ticket)
            for (const [i, att] of incoming.attachments.entries()) {
              await keep(incoming, att, i, ticket);
              kept++;
            }
        }
      }
      cursor = row.id;
    }
    await d.store.setCursor(cursor);
    return kept;
  }

  return {
    /**
     * Looks at inbox items processed since the last run; stops at the first one still pending. One
     * run at a time per process (a second caller shares it); across processes the unique source key
     * keeps one record per file.
     */
    runOnce(): Promise<number> {
      running ??= run().finally(() => {
        running = null;
      });
      return running;
    },
  };
}

export type AttachmentCollector = ReturnType<typeof createAttachmentCollector>;
