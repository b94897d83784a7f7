/**
 * A real crash between ack and processing (issue 9): `chatdesk serve` runs as a child process on a
 * SQLite file, acknowledges a signed Slack event (stored in the inbox) and is SIGKILLed before it
 * processes it (TEST_TURN_DELAY_MS holds every turn back). A new process on the same file processes
 * the event exactly once: one ticket, one chat.postMessage, also when Slack redelivers the event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';
import { waitFor } from '../support/app.js';
import { type ChildServer, startServer } from '../support/child-server.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { eventEnvelope, postSigned, slackTs } from '../support/slack-signing.js';

const SECRET = 'sigkill-signing-secret-42';

describe('a process killed between ack and processing', () => {
  let fake: FakeSlackApi;
  let dir = '';
  let dbUrl = '';
  const servers: ChildServer[] = [];
  const env = () => ({
    DATABASE_URL: dbUrl,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-sigkill',
    SLACK_API_URL: fake.apiUrl,
    API_TOKEN: 'sigkill-api-token-0123456789',
  });

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    fake.users.set('U0KILL', { id: 'U0KILL', email: 'alice@example.com', name: 'alice' });
    dir = mkdtempSync(join(tmpdir(), 'chatdesk-sigkill-'));
    dbUrl = `sqlite:${join(dir, 'desk.sqlite')}`;
  });

  afterAll(async () => {
    for (const s of servers) await s.kill().catch(() => undefined);
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is processed once by the next process: one ticket, one reply, a redelivery ignored', async () => {
    // Far longer than the test: the first process never gets to the turn.
    const first = await startServer({ ...env(), TEST_TURN_DELAY_MS: '600000' });
    servers.push(first);
    const body = eventEnvelope(
      {
        type: 'message',
        channel: 'D0KILL',
        channel_type: 'im',
        user: 'U0KILL',
        text: 'my vpn keeps dropping every few minutes',
        ts: slackTs(),
      },
      { eventId: 'EvSIGKILL1' },
    );
    expect((await postSigned(`${first.url}/slack/events`, SECRET, body)).status).toBe(200);

    const database = await openDatabase(dbUrl);
    try {
      const db = database.db;
      const inboxRow = () =>
        db
          .selectFrom('inbox')
          .select(['status', 'attempts'])
          .where('dedupe_key', '=', 'EvSIGKILL1')
          .executeTakeFirst();
      // Acknowledged means stored, and claimed for this process with the ack's write (the first
      // attempt); nothing processed yet (no ticket, nothing posted).
      expect(await inboxRow()).toEqual({ status: 'pending', attempts: 1 });
      await first.kill();
      expect(first.child.signalCode).toBe('SIGKILL');
      expect(await db.selectFrom('tickets').select('id').execute()).toHaveLength(0);
      expect(fake.callsOf('chat.postMessage')).toHaveLength(0);

      const second = await startServer(env());
      servers.push(second);
      const delivered = await fake.waitForCalls('chat.postMessage', 1, {
        timeoutMs: 30_000,
        where: (c) => c.response !== undefined,
      });
      // Slack redelivers (it may have missed the first ack): a duplicate, acknowledged and ignored.
      const retry = await postSigned(`${second.url}/slack/events`, SECRET, body, {
        headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
      });
      expect(retry.status).toBe(200);
      await waitFor(async () => (await inboxRow())?.status === 'done', 'the inbox item to be done', 10_000);
      await waitFor(
        async () =>
          (await db.selectFrom('outbox').select('id').where('status', '=', 'pending').execute()).length === 0,
        'the outbox to be empty',
        10_000,
      );

      // The dead process's claim, then the next process's.
      expect(await inboxRow()).toEqual({ status: 'done', attempts: 2 });
      const tickets = await db.selectFrom('tickets').select(['id', 'number']).execute();
      expect(tickets).toHaveLength(1);
      const created = await db
        .selectFrom('ticket_events')
        .select('id')
        .where('ticket_id', '=', tickets[0]?.id ?? -1)
        .where('type', '=', 'created')
        .execute();
      expect(created).toHaveLength(1);
      const posts = fake.callsOf('chat.postMessage');
      expect(posts).toHaveLength(1);
      expect(delivered[0]?.args.channel).toBe('D0KILL');
      expect(String(delivered[0]?.args.text)).toContain(tickets[0]?.number ?? 'no ticket');
      expect(second.output()).toMatch(/recovered pending inbox items/);
    } finally {
      await database.close();
    }
  }, 240_000);
});
