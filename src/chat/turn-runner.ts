/**
 * Runs a turn against the inbox: lease the item, handle it, complete it with its replies (handing the
 * ones leased to this process to the outbox at once), or hold it back and retry it; after the retry
 * horizon it is given up, the person is told, and it stays as a dead letter.
 */
import type { Logger } from '../log.js';
import type { Incoming } from './message.js';
import { conversationRefOf } from './message.js';
import { outgoing } from './outgoing.js';
import type { PortRegistry } from './ports.js';
import { gaveUpText, maxBackoffFor, nextAttemptAt } from './retry.js';
import type { ChatStore, InboxItem, NewOutgoing, OutboxItem } from './store.js';
import type { TurnResult } from './turn.js';

export const INBOX_LEASE_MS = 60_000;
/** A lease taken at accept is renewed before the turn when it waited longer than this for a slot. */
const FRESH_LEASE_MS = INBOX_LEASE_MS / 4;
/** A person waits for the answer: retries of a turn are at most a minute apart. */
const MAX_TURN_BACKOFF_MS = 60_000;

interface TurnRunnerDeps {
  store: ChatStore;
  handle: (inboxId: number, incoming: Incoming) => Promise<TurnResult>;
  ports: PortRegistry;
  log: Logger;
  now: () => Date;
  /** How long a turn failing for a passing reason is retried, from when its event was accepted. */
  retryHorizonMs: number;
  onOutgoing?: () => void;
  deliverNow?: { leaseMs: number; deliver(items: OutboxItem[], pollAfter: boolean): void };
}

export function createTurnRunner(
  deps: TurnRunnerDeps,
): (inboxId: number, fresh: boolean, conversationKey: string, claimed?: InboxItem) => Promise<void> {
  const { store, log } = deps;
  const nowIso = () => deps.now().toISOString();

  /**
   * A failed turn is held back (1 s, 2 s, 4 s… at most a minute, never sooner than a Retry-After) and
   * retried while its failure is one that passes and the horizon has not passed; then it is given up:
   * the person is told, in the same transaction, and the event stays as a dead letter.
   */
  async function retryOrGiveUp(item: InboxItem, e: unknown): Promise<void> {
    const nowMs = deps.now().getTime();
    const at = nextAttemptAt(e, {
      attempts: item.attempts,
      since: item.acceptedAt,
      nowMs,
      horizonMs: deps.retryHorizonMs,
      maxBackoffMs: maxBackoffFor(deps.retryHorizonMs, MAX_TURN_BACKOFF_MS),
    });
    const error = e instanceof Error ? e.message : String(e);
    const fields = { inboxId: item.id, platform: item.platform, attempt: item.attempts, error: e };
    if (at) log.warn('turn failed, will retry', { ...fields, retryInMs: at.getTime() - nowMs });
    else log.error('dead letter: turn given up', fields);
    const notify: NewOutgoing[] = at
      ? []
      : [
          {
            dedupeKey: `${item.platform}:${item.incoming.id}:given-up`,
            message: outgoing(conversationRefOf(item.incoming), {
              text: gaveUpText(item.incoming, e, nowMs - Date.parse(item.acceptedAt)),
            }),
          },
        ];
    try {
      const released = await store.release(
        item.id,
        item.leaseToken,
        error,
        (at ?? deps.now()).toISOString(),
        at === null,
        notify,
      );
      if (!released) log.warn('inbox lease lost before the failed turn was released', { inboxId: item.id });
      else if (notify.length > 0) deps.onOutgoing?.();
    } catch (releaseError) {
      // The lease expires on its own; recovery picks the item up again.
      log.error('could not release inbox item', { inboxId: item.id, error: releaseError });
    }
  }

  /** The item's lease: the one taken at accept while it has most of its time left, else a new one. */
  async function leaseFor(
    inboxId: number,
    fresh: boolean,
    conversationKey: string,
    claimed: InboxItem | undefined,
  ): Promise<InboxItem | null> {
    if (claimed && deps.now().getTime() - Date.parse(claimed.acceptedAt) < FRESH_LEASE_MS) return claimed;
    return store.lease(inboxId, nowIso(), INBOX_LEASE_MS, {
      precheck: !fresh && !claimed,
      conversationKey,
      ...(claimed ? { renew: claimed.leaseToken } : {}),
    });
  }

  /**
   * One turn. The lease also covers the item's conversation in every process sharing the database, so
   * when another turn of it is running or waiting, this returns without work: the recovery sweep comes
   * back for it in order.
   */
  return async function run(inboxId, fresh, conversationKey, claimed) {
    const item = await leaseFor(inboxId, fresh, conversationKey, claimed);
    if (!item) return;
    try {
      const { replies, dialog } = await deps.handle(inboxId, item.incoming);
      const deliverNow = deps.deliverNow;
      const leased = await store.complete(inboxId, item.leaseToken, replies, nowIso(), {
        ...(dialog ? { dialog } : {}),
        ...(deliverNow
          ? { deliverNow: { platforms: deps.ports.platforms(), leaseMs: deliverNow.leaseMs } }
          : {}),
      });
      if (leased === null) {
        // The lease ran out (e.g. a long pause) and another worker took the turn over; the replies of
        // that worker's run are the ones that count.
        log.warn('inbox lease lost before the turn finished; its replies were dropped', {
          inboxId,
          attempt: item.attempts,
        });
        return;
      }
      if (leased.length > 0) deliverNow?.deliver(leased, leased.length < replies.length);
      else if (replies.length > 0) deps.onOutgoing?.();
    } catch (e) {
      await retryOrGiveUp(item, e);
    }
  };
}
