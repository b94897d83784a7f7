/**
 * Runs the SLA sweep (and approval reminders) on a timer. Never throws out of the timer: a failed run
 * is logged and the next one tries again; the notification keys make a retried run harmless.
 */

import type { SweepResult } from '../itsm/sla-sweep.js';
import type { Logger } from '../log.js';

interface SlaSweeperOptions {
  /** One sweep at `now`; the SLA sweep plus any other periodic ITIL work (approval reminders). */
  run: (now: string) => Promise<SweepResult>;
  log: Logger;
  now: () => Date;
  intervalMs?: number;
}

export interface SlaSweeper {
  /** One run; resolves with its result, or null when it failed (logged). Never rejects. */
  runOnce(): Promise<SweepResult | null>;
  start(): void;
  stop(): Promise<void>;
}

export function createSlaSweeper(o: SlaSweeperOptions): SlaSweeper {
  const intervalMs = o.intervalMs ?? 60_000;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<SweepResult | null> | null = null;
  let stopped = true;

  async function runOnce(): Promise<SweepResult | null> {
    // Coalesce: a tick that arrives while a sweep runs shares its result instead of starting a second one.
    if (running) return running;
    running = (async () => {
      try {
        const r = await o.run(o.now().toISOString());
        if (r.warnings + r.breaches > 0) o.log.info('sla sweep', { ...r });
        for (const e of r.errors ?? []) o.log.warn('sla sweep could not handle a ticket', { error: e });
        return r;
      } catch (error) {
        o.log.error('sla sweep failed; retrying at the next tick', { error });
        return null;
      } finally {
        running = null;
      }
    })();
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void runOnce().then(schedule);
    }, intervalMs);
    timer.unref();
  }

  return {
    runOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      void runOnce().then(schedule);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (running) await running;
    },
  };
}
