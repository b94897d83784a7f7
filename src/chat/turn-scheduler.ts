/**
 * When turns run: one after another within a conversation (dialog state is never raced), and at most
 * `maxConcurrent` at once overall, the rest waiting in arrival order. Under a burst the event loop keeps
 * answering platform acks (an inbox insert each) instead of drowning in half-done turns.
 */

interface TurnScheduler {
  /** Runs `work` after the conversation's earlier turns, in a free slot. */
  schedule(inboxId: number, conversationKey: string, work: () => Promise<void>): Promise<void>;
  /** Inbox rows this process has scheduled and not finished: the recovery sweep leaves them alone. */
  isScheduled(inboxId: number): boolean;
  /** Resolves when no turn is running or waiting. */
  idle(): Promise<void>;
}

export function createTurnScheduler(opts: { maxConcurrent: number; delayMs?: number }): TurnScheduler {
  const chains = new Map<string, Promise<void>>();
  const inFlight = new Set<Promise<void>>();
  const scheduled = new Set<number>();

  function serialize(key: string, work: () => Promise<void>): Promise<void> {
    const prev = chains.get(key) ?? Promise.resolve();
    const next = prev.then(work, work);
    chains.set(key, next);
    const tracked = next.finally(() => {
      inFlight.delete(tracked);
      if (chains.get(key) === next) chains.delete(key);
    });
    inFlight.add(tracked);
    return tracked;
  }

  let running = 0;
  const waiting: Array<() => void> = [];
  /** A finishing turn hands its slot to the oldest waiter. */
  async function inSlot(work: () => Promise<void>): Promise<void> {
    if (running < opts.maxConcurrent) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  }

  return {
    schedule(inboxId, conversationKey, work) {
      const delayMs = opts.delayMs ?? 0;
      scheduled.add(inboxId);
      return serialize(conversationKey, () =>
        inSlot(async () => {
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
          await work();
        }),
      ).finally(() => scheduled.delete(inboxId));
    },
    isScheduled: (inboxId) => scheduled.has(inboxId),
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
