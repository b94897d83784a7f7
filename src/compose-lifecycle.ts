/**
 * Composition: a built app's life — listen (adapters, workers, timers, then HTTP, then the inbox a crash
 * left), drain (tests and the console chat wait on it), close (everything stopped in reverse, the clean
 * stop recorded, the database closed last).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmailChannel } from './adapters/email/channel.js';
import type { ChannelAdapter } from './adapters/types.js';
import type { Engine } from './chat/conversation-engine.js';
import type { ChatStore } from './chat/store.js';
import { startPeriodicWork } from './compose-timers.js';
import type { Config } from './config.js';
import { endBoot } from './db/boots.js';
import type { Database } from './db/connect.js';
import type { AttachmentCollector } from './jobs/attachments.js';
import type { DeliveryWorker } from './jobs/deliveries.js';
import type { OutboxWorker } from './jobs/outbox.js';
import type { SlaSweeper } from './jobs/sla-timer.js';
import type { Logger } from './log.js';
import { createHttpServer, type HttpDeps } from './server.js';

export interface AppLifecycle {
  listen(): Promise<{ url: string }>;
  /** Waits until every accepted message is processed and every due reply delivered. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export function appLifecycle(d: {
  config: Pick<Config, 'PORT' | 'HOST'>;
  database: Database;
  bootId: string;
  engine: Engine;
  outbox: OutboxWorker;
  chatStore: ChatStore;
  slaSweeper: SlaSweeper;
  deliveries: DeliveryWorker;
  email: EmailChannel | null;
  attachments: AttachmentCollector;
  adapters: ChannelAdapter[];
  closeNlu: (() => Promise<void>) | null;
  /** What the HTTP surfaces call (server.ts). */
  http: HttpDeps;
  /** False: listen() starts no timers (polls, sweeps), so every statement is caused by a request. */
  timers: boolean;
  log: Logger;
  now: () => Date;
}): AppLifecycle {
  const { config, database, engine, outbox, chatStore, slaSweeper, deliveries, email, adapters, log } = d;
  let server: Server | null = null;
  let started = false;
  let stopPeriodicWork: (() => void) | null = null;
  return {
    async listen() {
      for (const a of adapters) await a.start();
      started = true;
      if (d.timers) {
        outbox.start();
        slaSweeper.start();
        deliveries.start();
        await email?.start();
        stopPeriodicWork = startPeriodicWork(engine, d.attachments, log);
      }
      const { server: s, webPort } = createHttpServer({
        app: d.http,
        adapters,
        log: log.child({ component: 'http' }),
      });
      engine.registerPort(webPort);
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(config.PORT, config.HOST, () => resolve());
      });
      // Work a crash left between ack and processing is done now, before new traffic piles on.
      const recovered = await engine.recoverInbox();
      if (recovered > 0) log.info('recovered pending inbox items', { count: recovered });
      const { port } = s.address() as AddressInfo;
      return { url: `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}` };
    },
    async drain() {
      for (let i = 0; i < 100; i++) {
        await engine.idle();
        await outbox.flush();
        const nowIso = d.now().toISOString();
        const due = await chatStore.outboxDue(nowIso, engine.platforms());
        const pending = await chatStore.pendingInbox(nowIso, 1);
        if (due === 0 && pending.length === 0) {
          await engine.idle();
          return;
        }
        if (pending.length > 0) await engine.recoverInbox();
      }
    },
    async close() {
      stopPeriodicWork?.();
      if (server) {
        const s = server;
        const closed = new Promise<void>((resolve) => s.close(() => resolve()));
        s.closeAllConnections();
        await closed;
      }
      await engine.idle();
      await slaSweeper.stop();
      await email?.stop();
      await deliveries.stop();
      await outbox.stop();
      if (started) for (const a of adapters) await a.stop();
      await d.closeNlu?.();
      await endBoot(database.db, d.bootId).catch((e) =>
        log.warn('could not record the clean stop', { error: e }),
      );
      await database.close();
    },
  };
}
