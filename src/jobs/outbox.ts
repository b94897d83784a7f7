/**
 * Delivers queued messages through the platform ports: in order per channel, once each, retried
 * with exponential backoff (honouring Retry-After) until delivered or found undeliverable.
 */
import type { ChatPort, Platform } from '../chat/message.js';
import { DeliveryError } from '../chat/message.js';
import type { ChatStore, OutboxItem } from '../chat/store.js';
import type { Logger } from '../log.js';

export interface OutboxWorkerOptions {
  store: ChatStore;
  ports: (platform: Platform) => ChatPort | undefined;
  /** Platforms this process delivers to; other processes deliver the rest. */
  platforms: () => Platform[];
  log: Logger;
  now: () => Date;
  /** Poll interval for retries that come due. */
  intervalMs?: number;
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  leaseMs?: number;
}

export interface OutboxRunResult {
  sent: number;
  retried: number;
  dead: number;
}

export interface OutboxWorker {
  /** Delivers everything due now; returns what happened. Never throws. */
  runOnce(): Promise<OutboxRunResult>;
  /** Asks for a run as soon as possible (coalesced). */
  kick(): void;
  /**
   * Delivers items leased to this process when they were queued (see ChatStore.complete), then, with
   * `pollAfter`, runs once for the replies that were queued behind them.
   */
  deliverLeased(items: OutboxItem[], pollAfter: boolean): void;
  start(): void;
  stop(): Promise<void>;
  /** Runs until nothing is due right now (retries scheduled for later are left). */
  flush(): Promise<void>;
}

export function backoffMs(attempt: number, base: number, max: number): number {
  const exp = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  // Jitter keeps many desks that failed together from retrying in lockstep.
  return Math.round(exp * (0.8 + Math.random() * 0.4));
}

export function createOutboxWorker(o: OutboxWorkerOptions): OutboxWorker {
  const maxAttempts = o.maxAttempts ?? 10;
  const base = o.baseBackoffMs ?? 1000;
  const maxBackoff = o.maxBackoffMs ?? 5 * 60_000;
  const leaseMs = o.leaseMs ?? 30_000;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<OutboxRunResult> | null = null;
  let again = false;
  const direct = new Set<Promise<void>>();

  /** Another worker may hold the lease now; what this one would record is dropped, and said so. */
  function leaseLost(item: OutboxItem, what: string): void {
    o.log.warn(`outbox lease lost before ${what}`, { outboxId: item.id, platform: item.platform });
  }

  async function deliver(item: OutboxItem, port: ChatPort, result: OutboxRunResult): Promise<void> {
    const at = () => o.now().toISOString();
    // A worker that stalled (GC pause, suspended VM) past its lease must not post: another worker may
    // have leased the message meanwhile and posted it already.
    if (at() >= item.leasedUntil) {
      leaseLost(item, 'delivery; not delivered by this worker');
      return;
    }
    try {
      const sent = await port.deliver(item.message);
      if (!(await o.store.markSent(item.id, item.leaseToken, sent.messageId, at()))) {
        leaseLost(item, 'the delivery was recorded');
        return;
      }
      result.sent++;
      if (item.bindTicketId !== null && !item.message.updateOf) {
        // The posted card starts the ticket's thread: later notices about the ticket go there.
        const ref = item.message.conversation;
        const threadRef = { ...ref, threadId: ref.threadId ?? sent.messageId };
        const conv = await o.store.ensureConversation(threadRef, null, at(), item.bindRole);
        await o.store.saveConversation(conv.id, { ticketId: item.bindTicketId }, at());
      }
    } catch (e) {
      const retryable = e instanceof DeliveryError ? e.retryable : true;
      const attempt = item.attempts + 1;
      const msg = e instanceof Error ? e.message : String(e);
      if (!retryable || attempt >= maxAttempts) {
        if (!(await o.store.markDead(item.id, item.leaseToken, msg, at()))) {
          leaseLost(item, 'the message was given up');
          return;
        }
        result.dead++;
        o.log.error('outbox message undeliverable', {
          outboxId: item.id,
          platform: item.platform,
          attempt,
          error: msg,
        });
        return;
      }
      const wait = Math.max(
        e instanceof DeliveryError && e.retryAfterMs !== null ? e.retryAfterMs : 0,
        backoffMs(attempt, base, maxBackoff),
      );
      const next = new Date(o.now().getTime() + wait).toISOString();
      if (!(await o.store.markRetry(item.id, item.leaseToken, msg, next))) {
        leaseLost(item, 'the retry was scheduled');
        return;
      }
      result.retried++;
      o.log.warn('outbox delivery failed, will retry', {
        outboxId: item.id,
        platform: item.platform,
        attempt,
        retryInMs: wait,
        error: msg,
      });
    }
  }

  /** Items of platforms this process has no port for are left leased; their lease runs out. */
  async function deliverAll(items: OutboxItem[], result: OutboxRunResult): Promise<void> {
    await Promise.all(
      items.map((item) => {
        const port = o.ports(item.platform);
        return port ? deliver(item, port, result) : Promise.resolve();
      }),
    );
  }

  async function runOnce(): Promise<OutboxRunResult> {
    const result: OutboxRunResult = { sent: 0, retried: 0, dead: 0 };
    try {
      for (;;) {
        const batch = await o.store.leaseDue(o.now().toISOString(), 50, leaseMs, o.platforms());
        if (batch.length === 0) break;
        await deliverAll(batch, result);
      }
    } catch (e) {
      o.log.error('outbox run failed', { error: e });
    }
    return result;
  }

  function runCoalesced(): Promise<OutboxRunResult> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total: OutboxRunResult = { sent: 0, retried: 0, dead: 0 };
      do {
        again = false;
        const r = await runOnce();
        total = { sent: total.sent + r.sent, retried: total.retried + r.retried, dead: total.dead + r.dead };
      } while (again);
      return total;
    })().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    runOnce,
    kick() {
      void runCoalesced();
    },
    deliverLeased(items, pollAfter) {
      const result: OutboxRunResult = { sent: 0, retried: 0, dead: 0 };
      const run = deliverAll(items, result)
        // What was not recorded stays leased; the lease runs out and a later run delivers it.
        .catch((e: unknown) => o.log.error('outbox delivery failed', { error: e }))
        .then(() => {
          if (pollAfter) void runCoalesced();
        });
      direct.add(run);
      void run.finally(() => direct.delete(run));
    },
    start() {
      if (timer) return;
      timer = setInterval(() => void runCoalesced(), o.intervalMs ?? 1000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await Promise.all(direct);
      if (running) await running;
    },
    async flush() {
      await Promise.all(direct);
      if (running) await running;
      await runCoalesced();
    },
  };
}
