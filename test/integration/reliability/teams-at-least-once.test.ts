/**
 * The one window where delivery is at least once (issue 22, item 1; docs/reliability.md): the Bot
 * Connector cannot be asked whether an earlier post arrived, so a Teams reply whose earlier attempt may
 * have been posted unrecorded is posted again — and the log says so. A reply refused with 429 did not
 * arrive and is posted once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationRef } from '../../../src/chat/message.js';
import { createChatStore } from '../../../src/db/chat-store.js';
import { type Database, openDatabase } from '../../../src/db/connect.js';
import { migrate } from '../../../src/db/migrate.js';
import { createOutboxWorker } from '../../../src/jobs/outbox.js';
import { createLogger } from '../../../src/log.js';
import { sqliteDb } from '../../support/databases.js';
import { type FakeBotConnector, startFakeBotConnector } from '../../support/fake-bot-connector.js';
import { TENANT } from '../../support/teams-activities.js';
import { type Harness, startHarness } from '../../unit/adapters/teams/harness.js';

let connector: FakeBotConnector;
let h: Harness;
let database: Database | undefined;
let cleanup: (() => Promise<void>) | undefined;

beforeAll(async () => {
  connector = await startFakeBotConnector();
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
  await connector?.close();
});
afterEach(async () => {
  await database?.close();
  await cleanup?.();
});

describe('Teams replies in doubt', () => {
  it('are posted again (at least once) with a warning; a 429-refused one is posted once', async () => {
    const created = await sqliteDb.create();
    cleanup = created.cleanup;
    database = await openDatabase(created.url);
    await migrate(database);
    const store = createChatStore(database.db);
    const conv: ConversationRef = {
      platform: 'teams',
      channelId: 'a:1personal-alice',
      threadId: null,
      isDirect: true,
      workspaceId: TENANT,
      serviceUrl: connector.serviceUrl,
      isPublic: false,
    };
    let clock = Date.now();
    const lines: string[] = [];
    const worker = createOutboxWorker({
      store,
      ports: () => h.adapter.port,
      platforms: () => ['teams'],
      log: createLogger({ level: 'info', write: (l) => lines.push(l) }),
      now: () => new Date(clock),
    });
    await store.enqueue(
      [{ dedupeKey: 't1', message: { conversation: conv, reply: { text: 'in doubt' } } }],
      new Date(clock).toISOString(),
    );
    // A process posts it and dies before recording the outcome.
    const [held] = await store.leaseDue(new Date(clock).toISOString(), 10, 30_000, ['teams']);
    if (!held) throw new Error('not leased');
    await h.adapter.port.deliver(held.message);
    clock += 31_000;
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });
    expect(connector.messages().filter((m) => m.body?.text === 'in doubt')).toHaveLength(2);
    expect(lines.join('\n')).toMatch(
      /re-posting a message an earlier attempt may have posted.*"platform":"teams"/,
    );

    lines.length = 0;
    await store.enqueue(
      [{ dedupeKey: 't2', message: { conversation: conv, reply: { text: 'throttled' } } }],
      new Date(clock).toISOString(),
    );
    connector.failNext(429, 1, { 'retry-after': '1' });
    expect(await worker.runOnce()).toMatchObject({ retried: 1 });
    clock += 2_000;
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });
    expect(connector.messages().filter((m) => m.body?.text === 'throttled' && m.responseId)).toHaveLength(1);
    expect(lines.join('\n')).not.toMatch(/re-posting/);
  });
});
