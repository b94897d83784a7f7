/**
 * Scale-out with real processes: two `chatdesk serve` processes on different ports share one
 * database (the same SQLite file, and PostgreSQL when TEST_DATABASE_URL is set). Slack delivers every
 * event to BOTH (as a retry that a load balancer sent to the other node): each is processed once,
 * each reply posted once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';
import { waitFor } from '../support/app.js';
import { type ChildServer, startServer } from '../support/child-server.js';
import { testDatabases } from '../support/databases.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { eventEnvelope, postSigned, slackTs } from '../support/slack-signing.js';

const SECRET = 'scale-out-signing-secret-42';
const USERS = 10;

// One dialect per run keeps the suite lean: PostgreSQL when TEST_DATABASE_URL is set (the scale-out
// target), else the same SQLite file shared by two processes.
const dialects = testDatabases().slice(-1);

describe.each(
  dialects.map((d) => [d.name, d] as const),
)('two chatdesk processes on one %s database', (_name, database) => {
  let fake: FakeSlackApi;
  let servers: ChildServer[] = [];
  let url = '';
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    for (let i = 0; i < USERS; i++)
      fake.users.set(`U0SCALE${i}`, { id: `U0SCALE${i}`, email: `scale${i}@example.com`, name: `scale${i}` });
    const db = await database.create();
    url = db.url;
    cleanup = db.cleanup;
    const env = {
      DATABASE_URL: db.url,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-scale',
      SLACK_API_URL: fake.apiUrl,
      API_TOKEN: 'scale-api-token-0123456789',
    };
    // The first process migrates and seeds; the second starts on the ready schema.
    servers.push(await startServer(env));
    servers.push(await startServer(env));
  }, 200_000);

  afterAll(async () => {
    for (const s of servers) await s.stop().catch(() => undefined);
    servers = [];
    await fake?.close();
    await cleanup?.();
  });

  it('processes each Slack event once and posts each reply once, although both processes got it', async () => {
    const [p1, p2] = servers;
    if (!p1 || !p2) throw new Error('servers did not start');
    expect(p1.url).not.toBe(p2.url);
    const posts = [];
    for (let i = 0; i < USERS; i++) {
      const body = eventEnvelope(
        {
          type: 'message',
          channel: `D0SCALE${i}`,
          channel_type: 'im',
          user: `U0SCALE${i}`,
          text: `please get me a human, the printer on floor ${i} is on fire`,
          ts: slackTs(),
        },
        { eventId: `EvSCALE${i}` },
      );
      posts.push(postSigned(`${p1.url}/slack/events`, SECRET, body));
      posts.push(
        postSigned(`${p2.url}/slack/events`, SECRET, body, {
          headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
        }),
      );
    }
    const acks = await Promise.all(posts);
    expect(acks.map((a) => a.status)).toEqual(new Array(USERS * 2).fill(200));

    const database = await openDatabase(url);
    try {
      const db = database.db;
      await waitFor(
        async () => {
          const done = await db.selectFrom('inbox').select('id').where('status', '=', 'done').execute();
          const pending = await db
            .selectFrom('outbox')
            .select('id')
            .where('status', '=', 'pending')
            .execute();
          return done.length === USERS && pending.length === 0;
        },
        'both processes to finish the work',
        30_000,
      );
      const inbox = await db.selectFrom('inbox').select(['dedupe_key', 'status', 'attempts']).execute();
      expect(inbox).toHaveLength(USERS);
      for (const r of inbox) expect(r).toMatchObject({ status: 'done', attempts: 1 });
      const tickets = await db.selectFrom('tickets').select(['id', 'number']).execute();
      expect(tickets).toHaveLength(USERS);
      for (const t of tickets) {
        const created = await db
          .selectFrom('ticket_events')
          .select('id')
          .where('ticket_id', '=', t.id)
          .where('type', '=', 'created')
          .execute();
        expect(created).toHaveLength(1);
      }
      const sent = await db.selectFrom('outbox').select(['dedupe_key', 'status']).execute();
      expect(sent.every((r) => r.status === 'sent')).toBe(true);
      // Every stored reply was posted exactly once (the fake records each successful post).
      const postCalls = fake.callsOf('chat.postMessage').filter((c) => c.response !== undefined);
      expect(postCalls).toHaveLength(sent.length);
      for (let i = 0; i < USERS; i++) {
        const toUser = postCalls
          .filter((c) => c.args.channel === `D0SCALE${i}`)
          .map((c) => String(c.args.text));
        expect(toUser.length).toBeGreaterThan(0);
        expect(new Set(toUser).size).toBe(toUser.length);
        expect(toUser.join('\n')).toMatch(/INC\d{7}/);
      }
      for (const t of tickets) {
        const cards = postCalls.filter(
          (c) =>
            c.args.channel !== undefined &&
            !String(c.args.channel).startsWith('D') &&
            String(c.args.text).includes(t.number),
        );
        expect(cards.length).toBeLessThanOrEqual(1);
      }
      for (const s of servers) expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      await database.close();
    }
  }, 60_000);
});
