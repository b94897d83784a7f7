/**
 * Process starts ("boots"). Every lease names the boot that took it, so a starting process can tell
 * the leases of a predecessor that died (SIGKILL, power loss) from those of a live neighbour, and
 * reclaim the former at once instead of waiting 30–60 s for them to expire.
 *
 * A boot is known dead when it ran on this host and its process is gone (or its pid is this very
 * process: same host, same pid, another boot — a restarted container), or when it carried this
 * process's NODE_ID, which the operator promises no other running process shares. Everything else
 * (other hosts without NODE_ID) is left to expire as before: reclaiming a live process's lease could
 * post a reply twice.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

interface BootOptions {
  nodeId: string | null;
  now: string;
  host?: string;
  pid?: number;
  /** Whether a process of this host is running (default: signal 0). */
  isAlive?: (pid: number) => boolean;
}

interface Boot {
  bootId: string;
  /** Earlier boots found dead, and the leases of theirs made free now. */
  reclaimed: { boots: number; inbox: number; outbox: number };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, it is just not ours to signal.
    return (e as { code?: unknown }).code === 'EPERM';
  }
}

/**
 * Boots of other hosts older than this are forgotten (this host's are judged by pid and removed when
 * dead): a host that went away for good leaves no row forever, and a live one older than this only
 * loses the early reclaim, never a lease.
 */
const FORGET_AFTER_MS = 7 * 24 * 3_600_000;
/** Far in the past: a lease ending then is free to anyone now. */
const EXPIRED = '1970-01-01T00:00:00.000Z';

/** Records this process start and frees the leases of earlier ones known dead. */
export async function startBoot(db: Kysely<DB>, o: BootOptions): Promise<Boot> {
  const host = o.host ?? hostname();
  const pid = o.pid ?? process.pid;
  const alive = o.isAlive ?? processAlive;
  const bootId = randomUUID();
  const earlier = await db.selectFrom('boots').selectAll().execute();
  const dead = earlier
    .filter(
      (b) =>
        (o.nodeId !== null && b.node_id === o.nodeId) ||
        (b.host === host && (b.pid === pid || !alive(b.pid))),
    )
    .map((b) => b.boot_id);
  await db
    .insertInto('boots')
    .values({ boot_id: bootId, node_id: o.nodeId, host, pid, started_at: o.now })
    .execute();
  const reclaimed = { boots: dead.length, inbox: 0, outbox: 0 };
  if (dead.length > 0) {
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('inbox_leases')
        .set({ locked_until: EXPIRED })
        .where('boot_id', 'in', dead)
        .execute();
      // The lease token stays: the dead holder can finish nothing, and a reply it held is known to be
      // in doubt (it may have been posted), so the next deliverer checks before posting.
      const inbox = await trx
        .updateTable('inbox')
        .set({ locked_until: EXPIRED })
        .where('status', '=', 'pending')
        .where('lease_boot', 'in', dead)
        .executeTakeFirst();
      const outbox = await trx
        .updateTable('outbox')
        .set({ locked_until: EXPIRED })
        .where('status', '=', 'pending')
        .where('lease_boot', 'in', dead)
        .executeTakeFirst();
      reclaimed.inbox = Number(inbox.numUpdatedRows);
      reclaimed.outbox = Number(outbox.numUpdatedRows);
      await trx.deleteFrom('boots').where('boot_id', 'in', dead).execute();
    });
  }
  const forgetBefore = new Date(Date.parse(o.now) - FORGET_AFTER_MS).toISOString();
  await db.deleteFrom('boots').where('started_at', '<', forgetBefore).where('host', '!=', host).execute();
  return { bootId, reclaimed };
}

/** A clean stop: this boot holds nothing any more, so nobody needs to judge it. */
export async function endBoot(db: Kysely<DB>, bootId: string): Promise<void> {
  await db.deleteFrom('boots').where('boot_id', '=', bootId).execute();
}
