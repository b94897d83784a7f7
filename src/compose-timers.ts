/**
 * Composition: the periodic work a serving process does besides its workers — handoff escalation,
 * attachment collection, inbox recovery and identity completion. Timers are unref'd: they never keep
 * the process alive on their own.
 */
import type { Engine } from './chat/conversation-engine.js';
import type { AttachmentCollector } from './jobs/attachments.js';
import type { Logger } from './log.js';

/** Starts the timers; the function returned stops them all. */
export function startPeriodicWork(
  engine: Pick<Engine, 'sweepHandoffs' | 'recoverInbox' | 'completeIdentities'>,
  attachments: Pick<AttachmentCollector, 'runOnce'>,
  log: Logger,
): () => void {
  // Unclaimed handoffs are escalated by a periodic sweep; the sweep is idempotent per ticket and level.
  const sweepTimer = setInterval(() => {
    engine.sweepHandoffs().catch((e) => log.error('handoff sweep failed', { error: e }));
  }, 30_000);
  sweepTimer.unref();
  const attachmentTimer = setInterval(() => {
    attachments.runOnce().catch((e) => log.error('attachment collection failed', { error: e }));
  }, 2_000);
  attachmentTimer.unref();
  // Turns that failed (a platform API or the database was down) are retried while the server runs;
  // leases keep several instances from taking the same item.
  let recovering = false;
  const recoverTimer = setInterval(() => {
    // One sweep at a time: a slow one (a backlog after a burst) must not be joined by the next.
    if (recovering) return;
    recovering = true;
    engine
      .recoverInbox()
      .catch((e) => log.error('inbox recovery failed', { error: e }))
      .finally(() => {
        recovering = false;
      });
  }, 1_000);
  recoverTimer.unref();
  // People taken on trust while a platform's directory was down get their profile when it is back.
  const identityTimer = setInterval(() => {
    engine.completeIdentities().catch((e) => log.error('identity completion failed', { error: e }));
  }, 60_000);
  identityTimer.unref();
  return () => {
    clearInterval(sweepTimer);
    clearInterval(recoverTimer);
    clearInterval(attachmentTimer);
    clearInterval(identityTimer);
  };
}
