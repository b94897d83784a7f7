/**
 * Exactly-once posting on Slack (issue 22, item 1), against the fake Web API: every post carries its
 * outbox id as message metadata; a message whose earlier attempt may have reached Slack unrecorded is
 * looked for in the channel history (or the thread's replies) before it is posted again, and the
 * outbox worker records the earlier post instead of posting twice.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebClient, SlackPort } from '../../../src/adapters/slack/port.js';
import { type ConversationRef, DeliveryError, type Outgoing } from '../../../src/chat/message.js';
import { createChatStore } from '../../../src/db/chat-store.js';
import { type Database, openDatabase } from '../../../src/db/connect.js';
import { migrate } from '../../../src/db/migrate.js';
import { createOutboxWorker } from '../../../src/jobs/outbox.js';
import { createLogger, silentLogger } from '../../../src/log.js';
import { sqliteDb } from '../../support/databases.js';
import { type FakeSlackApi, startFakeSlackApi } from '../../support/fake-slack-api.js';

let fake: FakeSlackApi;
let port: SlackPort;
const dm: ConversationRef = {
  platform: 'slack',
  channelId: 'D0ALICE',
  threadId: null,
  isDirect: true,
  workspaceId: 'T0001',
};
const text = (t: string, conversation = dm): Outgoing => ({ conversation, reply: { text: t } });
const since = () => new Date(Date.now() - 1000).toISOString();

beforeAll(async () => {
  fake = await startFakeSlackApi();
  port = new SlackPort(createWebClient('xoxb-earlier', fake.apiUrl, silentLogger), silentLogger);
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

describe('SlackPort: tagged posts and the search for an earlier one', () => {
  it('attaches the outbox id as message metadata and finds that post again in the DM history', async () => {
    const tag = { outboxId: 41, dedupeKey: 'slack:Ev1:0' };
    const from = since();
    const { messageId } = await port.deliver(text('Ticket INC0000001 opened'), { tag });
    expect(fake.callsOf('chat.postMessage')[0]?.args.metadata).toEqual({
      event_type: 'chatdesk_outbox',
      event_payload: { outbox_id: 41, dedupe_key: 'slack:Ev1:0' },
    });
    await port.deliver(text('an unrelated message'), { tag: { outboxId: 42, dedupeKey: 'slack:Ev2:0' } });
    expect(await port.findDelivered(text('Ticket INC0000001 opened'), tag, from)).toEqual({ messageId });
    const history = fake.callsOf('conversations.history')[0]?.args;
    expect(history).toMatchObject({ channel: 'D0ALICE', include_all_metadata: 'true' });
    // Nothing with that tag: not posted, so the caller posts it.
    expect(await port.findDelivered(text('x'), { outboxId: 43, dedupeKey: 'slack:Ev3:0' }, from)).toBeNull();
    // Same outbox id, another dedupe key (another database's outbox): not ours.
    expect(await port.findDelivered(text('x'), { outboxId: 41, dedupeKey: 'other' }, from)).toBeNull();
  });

  it('searches a thread through conversations.replies, page by page', async () => {
    const thread: ConversationRef = { ...dm, channelId: 'C0TRIAGE', threadId: '1769999999.000100' };
    const from = since();
    const base = fake.posted.length;
    for (let i = 0; i < 130; i++)
      await port.deliver(text(`note ${i}`, thread), { tag: { outboxId: 1000 + i, dedupeKey: `k${i}` } });
    const tag = { outboxId: 1005, dedupeKey: 'k5' };
    const found = await port.findDelivered(text('note 5', thread), tag, from);
    expect(found?.messageId).toBe(fake.posted[base + 5]?.ts);
    const calls = fake.callsOf('conversations.replies');
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls[0]?.args).toMatchObject({ channel: 'C0TRIAGE', ts: '1769999999.000100' });
    // The newest is on the first page (oldest first: it needs the second page).
    const late = await port.findDelivered(
      text('note 129', thread),
      { outboxId: 1129, dedupeKey: 'k129' },
      from,
    );
    expect(late?.messageId).toBe(fake.posted[base + 129]?.ts);
    expect(
      fake
        .callsOf('conversations.replies')
        .slice(calls.length)
        .map((c) => c.args.cursor),
    ).toEqual([undefined, '100']);
  });

  it('a rate-limited search is retried later (Retry-After); a search Slack refuses posts again', async () => {
    fake.failNext('conversations.history', { status: 429, retryAfter: 7 });
    const e = await port.findDelivered(text('x'), { outboxId: 1, dedupeKey: 'a' }, since()).catch((x) => x);
    expect(e).toBeInstanceOf(DeliveryError);
    expect(e).toMatchObject({ retryable: true, retryAfterMs: 7000, mayHaveReached: false });
    fake.failNext('conversations.history', { error: 'missing_scope' });
    expect(await port.findDelivered(text('x'), { outboxId: 1, dedupeKey: 'a' }, since())).toBeNull();
  });

  it('classifies failures: a 5xx or a dropped connection may have posted, a 429 or ok:false did not', async () => {
    const fail = (f: Parameters<FakeSlackApi['failNext']>[1]) => {
      fake.failNext('chat.postMessage', f);
      return port.deliver(text('x')).catch((x: DeliveryError) => x.mayHaveReached);
    };
    expect(await fail({ status: 500 })).toBe(true);
    expect(await fail({ drop: true })).toBe(true);
    expect(await fail({ status: 429, retryAfter: 1 })).toBe(false);
    expect(await fail({ error: 'channel_not_found' })).toBe(false);
  });
});

describe('the outbox worker taking over a message whose earlier attempt reached Slack', () => {
  let database: Database;
  let cleanup: () => Promise<void>;
  afterEach(async () => {
    await database?.close();
    await cleanup?.();
  });

  it('records the earlier post and does not post again; an unfound one is posted once', async () => {
    const created = await sqliteDb.create();
    cleanup = created.cleanup;
    database = await openDatabase(created.url);
    await migrate(database);
    let clock = Date.now();
    const store = createChatStore(database.db);
    const reply = (key: string, channelId: string, t: string) => ({
      dedupeKey: key,
      message: text(t, { ...dm, channelId }),
    });
    await store.enqueue(
      [reply('k-posted', 'D0A', 'posted before the crash'), reply('k-lost', 'D0B', 'never reached Slack')],
      new Date(clock).toISOString(),
    );
    // A process leases both, posts the first (Slack accepts it) and dies before recording anything.
    const leased = await store.leaseDue(new Date(clock).toISOString(), 10, 30_000, ['slack']);
    expect(leased).toHaveLength(2);
    const first = leased.find((l) => l.dedupeKey === 'k-posted');
    if (!first) throw new Error('not leased');
    const { messageId } = await port.deliver(first.message, {
      tag: { outboxId: first.id, dedupeKey: first.dedupeKey },
    });
    // The next process finds both leases expired (in doubt).
    clock += 31_000;
    const lines: string[] = [];
    const worker = createOutboxWorker({
      store,
      ports: () => port,
      platforms: () => ['slack'],
      log: createLogger({ level: 'info', write: (l) => lines.push(l) }),
      now: () => new Date(clock),
    });
    expect(await worker.runOnce()).toEqual({ sent: 2, retried: 0, dead: 0 });
    const posts = fake.callsOf('chat.postMessage').filter((c) => c.response);
    expect(posts.map((c) => c.args.text)).toEqual(['posted before the crash', 'never reached Slack']);
    const rows = await database.db
      .selectFrom('outbox')
      .select(['dedupe_key', 'status', 'message_id'])
      .execute();
    expect(rows.find((r) => r.dedupe_key === 'k-posted')).toEqual({
      dedupe_key: 'k-posted',
      status: 'sent',
      message_id: messageId,
    });
    expect(rows.find((r) => r.dedupe_key === 'k-lost')?.status).toBe('sent');
    expect(lines.join('\n')).toMatch(/found an earlier post of a message on the platform/);
  });

  it('an ambiguous failure (5xx) is checked before the retry; a 429 is not', async () => {
    const created = await sqliteDb.create();
    cleanup = created.cleanup;
    database = await openDatabase(created.url);
    await migrate(database);
    let clock = Date.now();
    const store = createChatStore(database.db);
    const worker = createOutboxWorker({
      store,
      ports: () => port,
      platforms: () => ['slack'],
      log: silentLogger,
      now: () => new Date(clock),
    });
    await store.enqueue([{ dedupeKey: 'k5xx', message: text('after a 5xx') }], new Date(clock).toISOString());
    fake.failNext('chat.postMessage', { status: 503 });
    expect(await worker.runOnce()).toMatchObject({ retried: 1 });
    clock += 5_000;
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });
    expect(fake.callsOf('conversations.history')).toHaveLength(1);
    fake.reset();
    await store.enqueue([{ dedupeKey: 'k429', message: text('after a 429') }], new Date(clock).toISOString());
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 2 });
    expect(await worker.runOnce()).toMatchObject({ retried: 1 });
    clock += 1_000;
    expect(await worker.runOnce()).toEqual({ sent: 0, retried: 0, dead: 0 }); // Retry-After not over yet
    clock += 1_500;
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });
    expect(fake.callsOf('conversations.history')).toHaveLength(0);
  });
});
