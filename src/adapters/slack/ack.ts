/**
 * The ack discipline shared by every listener (see adapter.ts): the inbox write is awaited at most the
 * ack budget, slower work runs after the ack and is tracked so stop() and tests can wait for it, and
 * errors our own listeners throw are told apart from Bolt failing on a payload.
 */
import type { Logger } from '../../log.js';

export class AckDiscipline {
  private readonly pending = new Set<Promise<unknown>>();
  /** Errors thrown by our listeners; any other error is Bolt failing on the payload around them. */
  private readonly ownErrors = new WeakSet<object>();

  constructor(
    private readonly log: Logger,
    /** How long a listener may wait for the inbox before acknowledging anyway. */
    private readonly ackBudgetMs: number,
  ) {}

  /** Resolves when every piece of post-ack work has settled. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Bolt wraps what a listener throws (`original`, or `originals` when several listeners failed). */
  isOwnError(error: unknown): boolean {
    if (typeof error !== 'object' || error === null) return false;
    if (this.ownErrors.has(error)) return true;
    const { original, originals } = error as { original?: unknown; originals?: unknown };
    if (original !== undefined && this.isOwnError(original)) return true;
    return Array.isArray(originals) && originals.some((e) => this.isOwnError(e));
  }

  /** Records an error our listener is about to throw, so it keeps its 500 (and Slack's retry). */
  own(err: unknown): unknown {
    if (typeof err === 'object' && err !== null) this.ownErrors.add(err);
    return err;
  }

  /** Runs post-ack work, tracked so stop() and tests can wait for it; failures are logged, never thrown. */
  background(label: string, work: () => Promise<unknown>): Promise<void> {
    const p = (async () => {
      try {
        await work();
      } catch (err) {
        this.log.error(`slack ${label} failed`, { err });
      }
    })();
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    return p;
  }

  /**
   * Waits for `work` at most the ack budget. A failure within the budget propagates, so Slack gets a
   * 500 and delivers again (the inbox dedupes). Past the budget the ack goes out anyway and the work
   * finishes in the background: a late inbox write is still a write, while a missed ack makes Slack
   * retry and eventually disable the event subscription.
   */
  async withinBudget<T>(label: string, work: () => Promise<T>): Promise<T | undefined> {
    let late = false;
    const p = work();
    const tracked = p.then(
      () => undefined,
      (err: unknown) => {
        if (late) this.log.error(`slack ${label} failed after the ack`, { err });
      },
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.ackBudgetMs);
    });
    try {
      const outcome = await Promise.race([
        p.then(
          (value) => ({ value }),
          (err: unknown) => {
            throw this.own(err);
          },
        ),
        budget,
      ]);
      if (outcome !== 'late') return outcome.value;
      late = true;
      this.log.warn('slack ack budget exceeded; acknowledged before the inbox write finished', {
        label,
        budgetMs: this.ackBudgetMs,
      });
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
