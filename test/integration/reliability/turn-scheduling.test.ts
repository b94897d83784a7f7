/**
 * Bursts: turns run a bounded number at a time, and the inbox recovery sweep never takes a turn the
 * process already holds in line (which would queue it twice and feed the overload).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import type { IncomingMessage } from '../../../src/chat/message.js';
import { buildTestApp } from '../../support/app.js';
import { sqliteDb } from '../../support/databases.js';
import { localAdapter } from '../../support/local-chat.js';

const TURN_DELAY_MS = 300;

const burstMessage = (i: number): IncomingMessage => ({
  kind: 'message',
  id: `burst-${i}`,
  platform: 'local',
  conversation: {
    platform: 'local',
    channelId: `console:burst-${i}`,
    threadId: null,
    isDirect: true,
    workspaceId: null,
  },
  user: { platform: 'local', platformUserId: 'alice@example.com' },
  text: `hello ${i}`,
  attachments: [],
  messageId: null,
  receivedAt: new Date().toISOString(),
  via: 'dm',
});

describe('turn scheduling under a burst (SQLite file)', () => {
  let app: App;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const db = await sqliteDb.create();
    cleanup = db.cleanup;
    const local = localAdapter();
    app = await buildTestApp(
      db.url,
      { TEST_TURN_DELAY_MS: String(TURN_DELAY_MS), RATE_LIMIT_PER_MINUTE: '1000' },
      { serve: false, adapters: [local.adapter] },
    );
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  it('processes 40 simultaneous conversations at most 16 at a time, each once, and recovery leaves them alone', async () => {
    const t0 = performance.now();
    const accepted = await Promise.all(
      Array.from({ length: 40 }, (_, i) => app.engine.receive(burstMessage(i))),
    );
    expect(accepted.every((r) => r.status === 'accepted')).toBe(true);
    // Every turn is waiting (in its delay or for a slot): the sweep must not schedule any of them again.
    expect(await app.engine.recoverInbox()).toBe(0);
    await Promise.all(accepted.map((r) => r.processed));
    const elapsed = performance.now() - t0;
    // 40 turns that each hold a slot for 300 ms cannot finish in fewer than three rounds of 16.
    expect(elapsed).toBeGreaterThanOrEqual(3 * TURN_DELAY_MS - 20);
    const rows = await app.db.selectFrom('inbox').select(['status', 'attempts']).execute();
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => r.status === 'done' && r.attempts === 1)).toBe(true);
  }, 60_000);
});
