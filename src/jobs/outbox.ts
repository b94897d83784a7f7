/**
 * Delivers queued messages through the platform ports: in order per channel, once each, retried
 * with exponential backoff (honouring Retry-After) until delivered, found undeliverable, or the retry
 * horizon has passed (then it is a dead letter: logged, counted, listed for admins).
 *
 * Once each: the outcome is written the moment the platform answers, and a message whose earlier
 * attempt may have been posted without its outcome being recorded (its process died mid-post, its
 * lease ran out, the request failed ambiguously) is looked for on the platform before it is posted
 * again — where the port can look (Slack); elsewhere (Teams) it is posted again: at least once.
 */
import type { ChatPort, DeliveryResult, DeliveryTag, Platform } from '../chat/message.js';
import { DeliveryError } from '../chat/message.js';
import { backoffMs, DEFAULT_RETRY_HORIZON_MS, maxBackoffFor } from '../chat/retry.js';
import type { ChatStore, OutboxItem } from '../chat/store.js';
import type { Logger } from '../log.js';

interface OutboxWorkerOptions {
  store: ChatStore;
  ports: (platform: Platform) => ChatPort | undefined;
  /** Platforms this process delivers to; other processes deliver the rest. */
  platforms: () => Platform[];
  log: Logger;
  now: () => Date;
  /** Poll interval for retries that come due. */
  intervalMs?: number;
  /** How long after it was queued a message is still retried (default one hour). */
  retryHorizonMs?: number;
  /** A cap on attempts besides the horizon (default none). */
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  leaseMs?: number;
}

interface OutboxRunResult {
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

export { backoffMs } from '../chat/retry.js';

export function createOutboxWorker(o: OutboxWorkerOptions): OutboxWorker {
  const maxAttempts = o.maxAttempts ?? Number.POSITIVE_INFINITY;
  const horizon = o.retryHorizonMs ?? DEFAULT_RETRY_HORIZON_MS;
  const base = o.baseBackoffMs ?? 1000;
  const maxBackoff = maxBackoffFor(horizon, o.maxBackoffMs ?? 5 * 60_000, base);
  const leaseMs = o.leaseMs ?? 30_000;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<OutboxRunResult> | null = null;
  let again = false;
  const direct = new Set<Promise<void>>();

  /** Another worker may hold the lease now; what this one would record is dropped, and said so. */
  function leaseLost(item: OutboxItem, what: string): void {
    o.log.warn(`outbox lease lost before ${what}`, { outboxId: item.id, platform: item.platform });
  }

  /**
   * Posts the message unless an earlier attempt is found on the platform. An update is repeated as it
   * is: updating a message twice to the same content does no harm.
   */
  async function post(
    item: OutboxItem,
    port: ChatPort,
    progress: { checked: boolean; posting: boolean },
  ): Promise<{ sent: DeliveryResult; found: boolean }> {
    const tag: DeliveryTag = { outboxId: item.id, dedupeKey: item.dedupeKey };
    if (item.inDoubt && !item.message.updateOf) {
      if (port.findDelivered) {
        const earlier = await port.findDelivered(item.message, tag, item.createdAt);
        if (earlier) return { sent: earlier, found: true };
        progress.checked = true;
      } else {
        o.log.warn('re-posting a message an earlier attempt may have posted (the platform cannot be asked)', {
          outboxId: item.id,
          platform: item.platform,
        });
      }
    }
    progress.posting = true;
    return { sent: await port.deliver(item.message, { tag }), found: false };
  }

  async function deliver(item: OutboxItem, port: ChatPort, result: OutboxRunResult): Promise<void> {
    const at = () => o.now().toISOString();
    // A worker that stalled (GC pause, suspended VM) past its lease must not post: another worker may
    // have leased the message meanwhile and posted it already.
    if (at() >= item.leasedUntil) {
      leaseLost(item, 'delivery; not delivered by this worker');
      return;
    }
    const progress = { checked: false, posting: false };
    try {
      const { sent, found } = await post(item, port, progress);
      const ref = item.message.conversation;
      const bind =
        item.bindTicketId !== null && !item.message.updateOf
          ? {
              // The posted card starts the ticket's thread: later notices about the ticket go there.
              ref: { ...ref, threadId: ref.threadId ?? sent.messageId },
              ticketId: item.bindTicketId,
              role: item.bindRole,
            }
          : undefined;
      // Nothing else happens between the platform's answer and this write.
      if (!(await o.store.markSent(item.id, item.leaseToken, sent.messageId, at(), bind))) {
        leaseLost(item, 'the delivery was recorded');
        return;
      }
      result.sent++;
      if (found)
        o.log.info('found an earlier post of a message on the platform; not posted again', {
          outboxId: item.id,
          platform: item.platform,
        });
    } catch (e) {
      const retryable = e instanceof DeliveryError ? e.retryable : true;
      // Whether the platform may now hold a post of this message that is not recorded here: an earlier
      // one nobody checked for, or this attempt's, when it failed in a way that may have posted.
      const unconfirmed =
        (item.inDoubt && !progress.checked) ||
        (progress.posting && (!(e instanceof DeliveryError) || e.mayHaveReached));
      const attempt = item.attempts + 1;
      const msg = e instanceof Error ? e.message : String(e);
      const deadline = Date.parse(item.createdAt) + horizon;
      const nowMs = o.now().getTime();
      if (!retryable || attempt >= maxAttempts || nowMs >= deadline) {
        if (!(await o.store.markDead(item.id, item.leaseToken, msg, at()))) {
          leaseLost(item, 'the message was given up');
          return;
        }
        result.dead++;
        o.log.error('dead letter: outbox message given up', {
          outboxId: item.id,
          platform: item.platform,
          attempt,
          reason: retryable ? 'retry horizon passed' : 'refused by the platform',
          error: msg,
        });
        return;
      }
      const wait = Math.max(
        e instanceof DeliveryError && e.retryAfterMs !== null ? e.retryAfterMs : 0,
        backoffMs(attempt, base, maxBackoff),
      );
      // The last attempt is made at the horizon, not skipped because the backoff overshoots it.
      const next = new Date(Math.min(nowMs + wait, Math.max(deadline, nowMs + 1))).toISOString();
      if (!(await o.store.markRetry(item.id, item.leaseToken, msg, next, unconfirmed))) {
        leaseLost(item, 'the retry was scheduled');
        return;
      }
      result.retried++;
      o.log.warn('outbox delivery failed, will retry', {
        outboxId: item.id,
        platform: item.platform,
        attempt,
        retryInMs: Date.parse(next) - nowMs,
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
