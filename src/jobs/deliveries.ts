/**
 * Delivers queued webhooks and e-mails (src/db/delivery-store.ts): leased so one process sends each,
 * retried with the chat outbox's exponential backoff (honouring Retry-After) until delivered or given
 * up. A `before` step runs each round (the webhook dispatcher turns new ticket events into deliveries).
 * Never throws out of a timer.
 */
import type { DeliveryItem, DeliveryStore } from '../db/delivery-store.js';
import type { Logger } from '../log.js';
import { backoffMs } from './outbox.js';

/** A failed delivery; `retryable` ones are tried again later. */
export class DeliveryFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'DeliveryFailure';
  }
}

type DeliveryHandler = (item: DeliveryItem) => Promise<{ status: number | null }>;

interface DeliveryWorkerOptions {
  store: DeliveryStore;
  handlers: Partial<Record<string, DeliveryHandler>>;
  before?: () => Promise<unknown>;
  log: Logger;
  now: () => Date;
  intervalMs?: number;
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  leaseMs?: number;
}

export interface DeliveryWorker {
  runOnce(): Promise<{ sent: number; retried: number; dead: number }>;
  kick(): void;
  start(): void;
  stop(): Promise<void>;
  /** Runs until nothing is due right now. */
  flush(): Promise<void>;
}

export function createDeliveryWorker(o: DeliveryWorkerOptions): DeliveryWorker {
  const kinds = Object.keys(o.handlers);
  const maxAttempts = o.maxAttempts ?? 8;
  const base = o.baseBackoffMs ?? 2000;
  const maxBackoff = o.maxBackoffMs ?? 30 * 60_000;
  const leaseMs = o.leaseMs ?? 60_000;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<{ sent: number; retried: number; dead: number }> | null = null;
  let again = false;
  let stopped = false;

  async function deliver(item: DeliveryItem, result: { sent: number; retried: number; dead: number }) {
    const handler = o.handlers[item.kind];
    const at = () => o.now().toISOString();
    if (!handler) return;
    try {
      const r = await handler(item);
      if (await o.store.markSent(item.id, item.leaseToken, r.status, at())) result.sent++;
    } catch (e) {
      const f =
        e instanceof DeliveryFailure
          ? e
          : new DeliveryFailure(e instanceof Error ? e.message : String(e), true);
      const attempt = item.attempts + 1;
      if (!f.retryable || attempt >= maxAttempts) {
        if (await o.store.markDead(item.id, item.leaseToken, f.status, f.message)) result.dead++;
        o.log.error('delivery given up', {
          id: item.id,
          kind: item.kind,
          target: item.target,
          attempt,
          error: f.message,
        });
        return;
      }
      const wait = Math.max(f.retryAfterMs ?? 0, backoffMs(attempt, base, maxBackoff));
      const next = new Date(o.now().getTime() + wait).toISOString();
      if (await o.store.markRetry(item.id, item.leaseToken, f.status, f.message, next)) result.retried++;
      o.log.warn('delivery failed, will retry', {
        id: item.id,
        kind: item.kind,
        attempt,
        next,
        error: f.message,
      });
    }
  }

  async function round() {
    const result = { sent: 0, retried: 0, dead: 0 };
    try {
      await o.before?.();
    } catch (e) {
      o.log.error('delivery dispatch failed', { error: e });
    }
    try {
      for (;;) {
        const items = await o.store.leaseDue(o.now().toISOString(), 20, leaseMs, kinds);
        if (items.length === 0) break;
        await Promise.all(items.map((i) => deliver(i, result)));
      }
    } catch (e) {
      o.log.error('delivery round failed', { error: e });
    }
    return result;
  }

  function runOnce() {
    if (running) {
      again = true;
      return running;
    }
    running = round().finally(() => {
      running = null;
      if (again && !stopped) {
        again = false;
        void runOnce();
      }
    });
    return running;
  }

  return {
    runOnce,
    kick() {
      if (!stopped) void runOnce();
    },
    start() {
      stopped = false;
      timer = setInterval(() => void runOnce(), o.intervalMs ?? 1000);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
    async flush() {
      // A round already under way may have dispatched before the caller's latest change: wait for it,
      // so the rounds below start after the call and see everything committed before it.
      await running?.catch(() => undefined);
      for (let i = 0; i < 50; i++) {
        await runOnce();
        if ((await o.store.due(o.now().toISOString(), kinds)) === 0) return;
      }
    },
  };
}
