/**
 * Turns of ONE conversation across two instances on one PostgreSQL database (issue 9): a load balancer
 * without sticky routing sends the messages of one conversation alternately to both. Each turn runs
 * once, one at a time (never two at once, in either instance) and in the order the messages arrived.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { Incoming } from '../../src/chat/message.js';
import { buildTestApp, waitFor } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { faultyAdapter, newDeliveryLog } from '../support/faulty-port.js';

const TURNS = 24;
// Two in-process instances on one SQLite file would block each other's thread (see scale-out.test.ts);
// the store-level rules are tested on both databases in test/integration/reliability/leases.test.ts.
const database = testDatabases().find((d) => d.name === 'postgres');
if (!database) process.stderr.write('scale-out ordering skipped: TEST_DATABASE_URL is not set\n');

describe.skipIf(!database)('one conversation served by two instances on one postgres database', () => {
  let a: App;
  let b: App;
  let cleanup: () => Promise<void>;
  const handled: Array<{ instance: string; turn: number }> = [];
  let running = 0;
  let mostAtOnce = 0;

  beforeAll(async () => {
    if (!database) return;
    const db = await database.create();
    cleanup = db.cleanup;
    const opts = (instance: string) => ({
      serve: false,
      adapters: [
        faultyAdapter('slack', instance, newDeliveryLog(), { directory: { U_ALICE: 'alice@example.com' } }),
      ],
    });
    a = await buildTestApp(db.url, {}, opts('A'));
    b = await buildTestApp(db.url, {}, opts('B'));
    for (const [instance, app] of [
      ['A', a],
      ['B', b],
    ] as const) {
      // A turn that takes a while, so a second turn of the conversation would overlap if allowed.
      app.engine.registerActionHandler('choice', async ({ action }) => {
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        await new Promise((r) => setTimeout(r, 15));
        handled.push({ instance, turn: Number(action.value.turn) });
        running--;
        return [{ reply: { text: `turn ${String(action.value.turn)}` } }];
      });
    }
  }, 120_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await cleanup?.();
  });

  const turn = (n: number): Incoming => ({
    kind: 'action',
    id: `order-${n}`,
    platform: 'slack',
    conversation: {
      platform: 'slack',
      channelId: 'D-ORDER',
      threadId: null,
      isDirect: true,
      workspaceId: 'T1',
    },
    user: { platform: 'slack', platformUserId: 'U_ALICE' },
    actionId: 'choice',
    value: { turn: n },
    sourceMessage: null,
    receivedAt: new Date().toISOString(),
  });

  it('handles interleaved turns of one conversation once each, one at a time, in arrival order', async () => {
    // Like the servers' recovery timers: turns that found their conversation busy are picked up by
    // whichever instance sweeps next.
    let sweeping = true;
    const sweeps = (async () => {
      for (let i = 0; sweeping; i++) {
        await (i % 2 === 0 ? a : b).engine.recoverInbox();
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    const processing: Array<Promise<void>> = [];
    for (let n = 0; n < TURNS; n++) {
      // Alternate instances; sometimes the previous turn is still running, sometimes not.
      const r = await (n % 2 === 0 ? a : b).engine.receive(turn(n));
      expect(r.status).toBe('accepted');
      processing.push(r.processed);
      await new Promise((res) => setTimeout(res, n % 3 === 0 ? 40 : 2));
    }
    await Promise.all(processing);
    await waitFor(() => handled.length >= TURNS, 'every turn to be handled', 30_000);
    sweeping = false;
    await sweeps;
    await Promise.all([a.engine.idle(), b.engine.idle()]);

    expect(handled.map((h) => h.turn)).toEqual(Array.from({ length: TURNS }, (_, n) => n));
    expect(mostAtOnce).toBe(1);
    // Both instances really worked the conversation (this is not one instance doing everything).
    expect(new Set(handled.map((h) => h.instance)).size).toBe(2);
    const inbox = await a.db
      .selectFrom('inbox')
      .select(['dedupe_key', 'status', 'attempts'])
      .where('dedupe_key', 'like', 'order-%')
      .execute();
    expect(inbox).toHaveLength(TURNS);
    for (const row of inbox) expect(row).toMatchObject({ status: 'done', attempts: 1 });
    // The replies were queued in turn order too (one per turn; the outbox delivers per channel in id order).
    const replies = await a.db
      .selectFrom('outbox')
      .select('payload')
      .where('dedupe_key', 'like', 'slack:order-%')
      .orderBy('id')
      .execute();
    expect(replies.map((r) => Number(/"turn (\d+)"/.exec(r.payload)?.[1]))).toEqual(
      Array.from({ length: TURNS }, (_, n) => n),
    );
  }, 60_000);
});
