/**
 * IMAP polling (imapflow) for hosted mailboxes (Microsoft 365, Google Workspace) that cannot forward
 * to the desk's SMTP port: every IMAP_POLL_SECONDS the unseen messages of the folder are read,
 * processed like SMTP intake, and flagged \Seen only once processed, so a crash re-reads them (the
 * Message-ID makes the second reading a no-op).
 */
import { ImapFlow } from 'imapflow';
import type { Logger } from '../../log.js';
import type { EmailOutcome } from './intake.js';

interface ImapPollerOptions {
  /** imaps://user:password@imap.example.com:993/INBOX (imap:// for plain, e.g. a local test server). */
  url: string;
  intervalMs: number;
  receive: (raw: Buffer) => Promise<EmailOutcome>;
  log: Logger;
}

function parseImapUrl(url: string) {
  const u = new URL(url);
  const secure = u.protocol === 'imaps:';
  if (!secure && u.protocol !== 'imap:') throw new Error('IMAP_URL must start with imaps:// or imap://');
  return {
    host: u.hostname,
    port: Number(u.port || (secure ? 993 : 143)),
    secure,
    auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) },
    mailbox: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'INBOX',
  };
}

export function createImapPoller(o: ImapPollerOptions) {
  const cfg = parseImapUrl(o.url);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;

  async function pollOnce(): Promise<number> {
    const client = new ImapFlow({
      host: cfg.host,
      port: cfg.port,
      secure: cfg.secure,
      auth: cfg.auth,
      logger: false,
    });
    let n = 0;
    await client.connect();
    try {
      const lock = await client.getMailboxLock(cfg.mailbox);
      try {
        const unseen = (await client.search({ seen: false }, { uid: true })) || [];
        for (const uid of unseen) {
          const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
          if (!msg || !msg.source) continue;
          await o.receive(msg.source);
          await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
          n++;
        }
      } finally {
        lock.release();
      }
    } finally {
      await client.logout().catch(() => undefined);
    }
    return n;
  }

  return {
    pollOnce() {
      running ??= pollOnce().finally(() => {
        running = null;
      });
      return running;
    },
    start() {
      timer = setInterval(() => {
        this.pollOnce().catch((e) => o.log.error('IMAP poll failed', { error: e }));
      }, o.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
