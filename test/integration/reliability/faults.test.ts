/**
 * Faults that need no platform: a chat API answering 429 (Retry-After) and 500 for a while, the
 * SQLite file locked by another process (within and beyond the busy timeout), duplicate and
 * out-of-order deliveries, and a crash between accepting an event and processing it.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import type { Incoming } from '../../../src/chat/message.js';
import { createChatStore } from '../../../src/db/chat-store.js';
import { openDatabase } from '../../../src/db/connect.js';
import { buildTestApp, waitFor } from '../../support/app.js';
import { sqliteDb } from '../../support/databases.js';
import {
  type DeliveryLog,
  faultyAdapter,
  newDeliveryLog,
  rateLimited,
  serverError,
} from '../../support/faulty-port.js';

const DIRECTORY = {
  U_ALICE: 'alice@example.com',
  U_BOB: 'bob@example.com',
  U_CAROL: 'carol@example.com',
  U_FLAKY: 'dave@example.com',
};

/**
 * Holds a write lock on the SQLite file from ANOTHER process for `ms`, or until `release()` (then at
 * once, whatever `ms` says); resolves once the lock is held.
 */
function lockFileFor(
  path: string,
  ms: number,
): Promise<{ released: Promise<void>; release: () => Promise<void> }> {
  const code = `const D=require('better-sqlite3');const d=new D(process.argv[1]);d.pragma('busy_timeout = 0');d.exec('BEGIN IMMEDIATE');process.stdout.write('locked\\n');const done=()=>{d.exec('COMMIT');d.close();process.exit(0)};process.stdin.once('data',done);setTimeout(done,Number(process.argv[2]));`;
  const child = spawn(process.execPath, ['-e', code, path, String(ms)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    cwd: process.cwd(),
  });
  const released = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const release = async () => {
    child.stdin.write('release\n');
    await released;
  };
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve({ released, release }));
    child.once('error', reject);
  });
}

describe('faults', () => {
  let app: App;
  let cleanup: () => Promise<void>;
  let dbPath = '';
  let dbUrl = '';
  const log: DeliveryLog = newDeliveryLog();
  let clock = new Date('2026-03-02T09:30:00.000Z');
  /** Per channel: how many more attempts fail, and how. */
  const failing = new Map<string, { left: number; kind: '429' | '500' }>();
  const attemptsAt: Array<{ channel: string; at: number }> = [];
  let n = 0;
  let flakyLookups = 0;

  beforeAll(async () => {
    const db = await sqliteDb.create();
    cleanup = db.cleanup;
    dbUrl = db.url;
    dbPath = db.url.slice('sqlite:'.length);
    // A crash after accept: a process stored these events and died before processing them.
    const dead = await openDatabase(dbUrl);
    const { migrate } = await import('../../../src/db/migrate.js');
    await migrate(dead);
    const deadStore = createChatStore(dead.db);
    for (let i = 0; i < 3; i++)
      await deadStore.accept(dm('U_CAROL', `crash-${i}`, 'hello'), clock.toISOString());
    await dead.close();

    const adapter = faultyAdapter('slack', 'A', log, {
      directory: DIRECTORY,
      lookupFails: (id) => id === 'U_FLAKY' && flakyLookups++ === 0,
      fault: (m) => {
        attemptsAt.push({ channel: m.conversation.channelId, at: clock.getTime() });
        const f = failing.get(m.conversation.channelId);
        if (!f || f.left <= 0) return null;
        f.left--;
        return f.kind === '429' ? rateLimited(30_000) : serverError();
      },
    });
    app = await buildTestApp(dbUrl, {}, { now: () => clock, adapters: [adapter] });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  function dm(user: string, id: string, text: string, channel = `D-${user}`): Incoming {
    return {
      kind: 'message',
      id,
      platform: 'slack',
      conversation: {
        platform: 'slack',
        channelId: channel,
        threadId: null,
        isDirect: true,
        workspaceId: 'T1',
      },
      user: { platform: 'slack', platformUserId: user },
      text,
      attachments: [],
      messageId: `${id}-ts`,
      receivedAt: clock.toISOString(),
      via: 'dm',
    };
  }
  const inboxRow = (id: string) =>
    app.db.selectFrom('inbox').select(['status', 'attempts']).where('dedupe_key', '=', id).executeTakeFirst();

  it('recovers events a crash left between accept and processing when the next process starts, once each', async () => {
    expect((await app.chatStore.pendingInbox(clock.toISOString(), 10)).length).toBe(3);
    await app.listen(); // listen() runs recoverInbox before taking traffic
    await app.drain();
    for (let i = 0; i < 3; i++) expect(await inboxRow(`crash-${i}`)).toEqual({ status: 'done', attempts: 1 });
    const replies = log.deliveries.filter((d) => d.message.conversation.channelId === 'D-U_CAROL');
    expect(replies.length).toBeGreaterThanOrEqual(3);
    expect(new Set(replies.map((d) => d.messageId)).size).toBe(replies.length);
  });

  it('delivers replies refused with 429 (Retry-After) and 500 later, in order per conversation, once each', async () => {
    failing.set('D-U_ALICE', { left: 3, kind: '429' });
    failing.set('D-U_BOB', { left: 4, kind: '500' });
    const before = log.deliveries.length;
    const sentTexts: Record<string, string[]> = { 'D-U_ALICE': [], 'D-U_BOB': [] };
    for (let i = 0; i < 4; i++) {
      for (const user of ['U_ALICE', 'U_BOB'] as const) {
        const r = await app.engine.receive(dm(user, `flt-${user}-${i}`, i % 2 === 0 ? 'hello' : 'help'));
        await r.processed;
      }
    }
    const firstAttempt = clock.getTime();
    // Nothing gets through while the API refuses; time passes in 10 s steps until all is delivered.
    for (let step = 0; step < 200; step++) {
      await app.outbox.flush();
      const pending = await app.db
        .selectFrom('outbox')
        .select('id')
        .where('status', '=', 'pending')
        .execute();
      if (pending.length === 0) break;
      clock = new Date(clock.getTime() + 10_000);
    }
    const mine = log.deliveries.slice(before);
    for (const ch of Object.keys(sentTexts))
      sentTexts[ch] = mine
        .filter((d) => d.message.conversation.channelId === ch)
        .map((d) => d.message.reply.text);
    const rows = await app.db
      .selectFrom('outbox')
      .select(['dedupe_key', 'status', 'attempts', 'conversation_key'])
      .where('dedupe_key', 'like', 'slack:flt-%')
      .orderBy('id')
      .execute();
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    // Once each: one delivery per stored reply.
    expect(mine).toHaveLength(rows.length);
    // In order per conversation: the delivery order equals the order the replies were stored in.
    for (const ch of Object.keys(sentTexts)) {
      const stored = rows.filter((r) => r.conversation_key === `slack:${ch}`).map((r) => r.dedupe_key);
      const keysInDeliveryOrder = mine
        .filter((d) => d.message.conversation.channelId === ch)
        .map((d) => d.seq);
      expect(keysInDeliveryOrder).toEqual([...keysInDeliveryOrder].sort((a, b) => a - b));
      expect(stored.map((k) => Number(/flt-U_\w+-(\d+)/.exec(k)?.[1]))).toEqual(
        [...stored.map((k) => Number(/flt-U_\w+-(\d+)/.exec(k)?.[1]))].sort((a, b) => a - b),
      );
      expect(sentTexts[ch]?.length).toBe(stored.length);
    }
    // Retry-After was honoured: after a 429 the next attempt on that channel waited ≥ 30 s.
    const alice = attemptsAt
      .filter((a) => a.channel === 'D-U_ALICE' && a.at >= firstAttempt)
      .map((a) => a.at);
    for (let i = 1; i <= 3; i++)
      expect((alice[i] ?? Number.POSITIVE_INFINITY) - (alice[i - 1] ?? 0)).toBeGreaterThanOrEqual(30_000);
    // Head-of-line: the other conversation was not held up by Alice's rate limit beyond its own failures.
    expect(failing.get('D-U_BOB')?.left).toBe(0);
  });

  it('ignores duplicate deliveries and handles out-of-order ones, processing each event once', async () => {
    const ev = (i: number) => dm('U_ALICE', `ooo-${i}`, i === 0 ? 'hello' : 'thanks', 'D-U_ALICE-OOO');
    const order = [2, 0, 2, 1, 0, 2, 1];
    const statuses: string[] = [];
    for (const i of order) {
      const r = await app.engine.receive(ev(i));
      statuses.push(r.status);
      await r.processed;
    }
    await app.drain();
    expect(statuses.filter((s) => s === 'accepted')).toHaveLength(3);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(4);
    for (let i = 0; i < 3; i++) expect(await inboxRow(`ooo-${i}`)).toEqual({ status: 'done', attempts: 1 });
    const keys = await app.db
      .selectFrom('outbox')
      .select('dedupe_key')
      .where('dedupe_key', 'like', 'slack:ooo-%')
      .execute();
    expect(new Set(keys.map((k) => k.dedupe_key.split(':')[1])).size).toBe(3);
  });

  it('rides out a write lock held by another process within the busy timeout (accepted and processed once)', async () => {
    const { released } = await lockFileFor(dbPath, 1_500);
    const r = await app.engine.receive(dm('U_BOB', `lock-short-${++n}`, 'hello', 'D-U_BOB-LOCK'));
    expect(r.status).toBe('accepted');
    await r.processed;
    await released;
    await app.drain();
    expect(await inboxRow(`lock-short-${n}`)).toEqual({ status: 'done', attempts: 1 });
  });

  it('refuses an event while the file stays locked beyond the busy timeout; the platform redelivery is processed once', async () => {
    const id = `lock-long-${++n}`;
    // Held well past the 5 s busy timeout (a loaded machine may start the receive late), and let go
    // as soon as the refusal is seen.
    const { release } = await lockFileFor(dbPath, 20_000);
    // The adapter turns this into a 5xx / no ack, so the platform redelivers later.
    await expect(app.engine.receive(dm('U_BOB', id, 'hello', 'D-U_BOB-LOCK2'))).rejects.toThrow(
      /locked|busy/i,
    );
    await release();
    const again = await app.engine.receive(dm('U_BOB', id, 'hello', 'D-U_BOB-LOCK2'));
    expect(again.status).toBe('accepted');
    await again.processed;
    const third = await app.engine.receive(dm('U_BOB', id, 'hello', 'D-U_BOB-LOCK2'));
    expect(third.status).toBe('duplicate');
    await app.drain();
    expect(await inboxRow(id)).toEqual({ status: 'done', attempts: 1 });
    expect(
      await app.db.selectFrom('outbox').select('id').where('dedupe_key', 'like', `slack:${id}:%`).execute(),
    ).not.toHaveLength(0);
    expect(
      (
        await app.db
          .selectFrom('outbox')
          .select('status')
          .where('dedupe_key', 'like', `slack:${id}:%`)
          .execute()
      ).every((o) => o.status === 'sent'),
    ).toBe(true);
  }, 30_000);
  it('SLA sweeper under clock jumps (backwards, then far forwards): each notice once, no crash', async () => {
    const alice = await app.directory.personByEmail('alice@example.com');
    if (!alice) throw new Error('alice missing');
    const t = await app.tickets.open(
      {
        kind: 'incident',
        title: 'Clock jump check',
        description: 'clock',
        impact: 'high',
        urgency: 'high',
        category: null,
        requester: alice,
        channel: 'api',
        sourceKey: 'clock-jump',
      },
      clock.toISOString(),
    );
    const at = (ms: number) => new Date(Date.parse(t.createdAt) + ms).toISOString();
    const results = [];
    for (const offset of [
      10 * 60_000,
      -3_600_000,
      12 * 60_000,
      -86_400_000,
      30 * 24 * 3_600_000,
      30 * 24 * 3_600_000,
      5 * 3_600_000,
    ]) {
      results.push(await app.itil.sweep(at(offset)));
    }
    expect(results.every((r) => (r.errors ?? []).length === 0)).toBe(true);
    const notices = await app.db
      .selectFrom('sla_notifications')
      .select(['key', 'kind', 'clock'])
      .where('ticket_id', '=', t.id)
      .execute();
    expect(notices.length).toBeGreaterThan(0);
    expect(new Set(notices.map((x) => x.key)).size).toBe(notices.length);
    const audit = await app.db
      .selectFrom('ticket_events')
      .select(['to_value', 'data'])
      .where('ticket_id', '=', t.id)
      .where('type', '=', 'sla_notified')
      .execute();
    // One audit event per stored notice, however often and in whatever order the sweeps ran.
    expect(audit).toHaveLength(notices.length);
  });

  // A failing directory look-up (users.info 503) does not fail the turn: it goes on with a provisional
  // person known by platform id, completed from the profile once the directory answers (issue 22).
  it('processes a turn whose identity look-up fails at once, with a provisional person completed later', async () => {
    const r = await app.engine.receive(dm('U_FLAKY', 'flaky-1', 'hello', 'D-U_FLAKY'));
    await r.processed;
    expect(await inboxRow('flaky-1')).toEqual({ status: 'done', attempts: 1 });
    const provisional = await app.chatStore.personFor({ platform: 'slack', platformUserId: 'U_FLAKY' });
    expect(provisional).toMatchObject({
      identityPending: true,
      email: 'slack.u_flaky@identity-pending.invalid',
    });
    // The directory answers again: the identity is linked to Dave, the provisional person folded into him.
    expect(await app.engine.completeIdentities()).toBe(1);
    const dave = await app.chatStore.personFor({ platform: 'slack', platformUserId: 'U_FLAKY' });
    expect(dave).toMatchObject({ identityPending: false, email: 'dave@example.com' });
    expect(await app.directory.personById(provisional?.id ?? -1)).toBeNull();
  });

  // A turn that fails transiently is released back to the inbox with a back-off (never shorter than the
  // platform's Retry-After); the running server's recovery timer retries it without a restart.
  it('retries a turn that failed transiently in the running server, not before Retry-After', async () => {
    let calls = 0;
    app.engine.registerActionHandler('choice', async () => {
      calls++;
      if (calls === 1) throw rateLimited(20_000);
      return [{ reply: { text: 'done after the rate limit' } }];
    });
    const r = await app.engine.receive({
      kind: 'action',
      id: 'flaky-2',
      platform: 'slack',
      conversation: {
        platform: 'slack',
        channelId: 'D-U_BOB',
        threadId: null,
        isDirect: true,
        workspaceId: 'T1',
      },
      user: { platform: 'slack', platformUserId: 'U_BOB' },
      actionId: 'choice',
      value: {},
      sourceMessage: null,
      receivedAt: clock.toISOString(),
    });
    await r.processed;
    expect(await inboxRow('flaky-2')).toMatchObject({ status: 'pending', attempts: 1 });
    // The recovery sweep runs every second; this suite's clock only moves when told.
    clock = new Date(clock.getTime() + 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(calls).toBe(1);
    clock = new Date(clock.getTime() + 6_000);
    await waitFor(
      async () => (await inboxRow('flaky-2'))?.status === 'done',
      'the running server to retry the failed turn',
      10_000,
    );
    expect(calls).toBe(2);
  });
});
