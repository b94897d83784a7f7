/**
 * Group commit: small independent writes that arrive together (platform acks storing their event,
 * deliveries recording their outcome) share one transaction instead of paying a commit each. On
 * SQLite a commit is most of a small write's cost (the WAL frames), on PostgreSQL a flush to disk.
 *
 * Writes queued in one turn of the event loop run in the next, in order, in one transaction. If that
 * transaction fails, nothing of it stays, and each write runs again on its own, so one bad write
 * fails alone and the others still land. A write must therefore touch only the database (it may run
 * twice, the first time rolled back).
 */
import type { Kysely, Transaction } from 'kysely';

type Write<DB, T> = (db: Kysely<DB> | Transaction<DB>) => Promise<T>;

interface Queued<DB> {
  write: Write<DB, unknown>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

interface WriteBatcher<DB> {
  run<T>(write: Write<DB, T>): Promise<T>;
}

export function createWriteBatcher<DB>(db: Kysely<DB>, maxBatch = 64): WriteBatcher<DB> {
  const queue: Queued<DB>[] = [];
  let scheduled = false;

  async function alone(q: Queued<DB>): Promise<void> {
    try {
      q.resolve(await q.write(db));
    } catch (e) {
      q.reject(e);
    }
  }

  async function flush(): Promise<void> {
    scheduled = false;
    const batch = queue.splice(0, maxBatch);
    if (queue.length > 0) schedule();
    if (batch.length === 1) return alone(batch[0] as Queued<DB>);
    let results: unknown[];
    try {
      results = await db.transaction().execute(async (trx) => {
        const out: unknown[] = [];
        for (const q of batch) out.push(await q.write(trx));
        return out;
      });
    } catch {
      // Rolled back as a whole: each write on its own, so only the one that fails reports it.
      for (const q of batch) await alone(q);
      return;
    }
    batch.forEach((q, i) => {
      q.resolve(results[i]);
    });
  }

  function schedule(): void {
    scheduled = true;
    setImmediate(() => void flush());
  }

  return {
    run<T>(write: Write<DB, T>): Promise<T> {
      // Inside a caller's transaction (a store built on one) there is no commit to share.
      if (db.isTransaction) return write(db);
      return new Promise<T>((resolve, reject) => {
        queue.push({ write, resolve: resolve as (v: unknown) => void, reject });
        if (!scheduled) schedule();
      });
    },
  };
}
