/**
 * A real crash in the middle of work (issue 22, items 1 and 3): `chatdesk serve` runs as a child process
 * on a SQLite file; two replies have reached Slack but their answers have not come back (the fake holds
 * them), and two first-contact turns wait for users.info, when the process is SIGKILLed. The next
 * process on the same file finds the earlier posts through their metadata instead of posting them
 * again, and takes over its dead predecessor's leases at once instead of waiting 30–60 s for them.
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

const SECRET = 'kill-mid-delivery-secret';
const USERS = { U0A: 'alice', U0B: 'bob', U0C: 'carol', U0D: 'dave' } as const;

describe('a process killed while replies and turns are in flight', () => {
  let fake: FakeSlackApi;
  let dir = '';
  let dbUrl = '';
  const servers: ChildServer[] = [];
  const env = () => ({
    DATABASE_URL: dbUrl,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-kill-mid',
    SLACK_API_URL: fake.apiUrl,
    API_TOKEN: 'kill-mid-api-token-0123456789',
  });
  let n = 0;
  const dm = (url: string, user: keyof typeof USERS, text: string) =>
    postSigned(
      `${url}/slack/events`,
      SECRET,
      eventEnvelope(
        { type: 'message', channel: `D${user}`, channel_type: 'im', user, text, ts: slackTs() },
        { eventId: `EvKILL${++n}` },
      ),
    );

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    for (const [id, name] of Object.entries(USERS))
      fake.users.set(id, { id, email: `${name}@example.com`, name });
    dir = mkdtempSync(join(tmpdir(), 'chatdesk-kill-mid-'));
    dbUrl = `sqlite:${join(dir, 'desk.sqlite')}`;
  });

  afterAll(async () => {
    for (const s of servers) await s.kill().catch(() => undefined);
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('posts nothing twice and resumes at once after the restart', async () => {
    const first = await startServer(env());
    servers.push(first);
    // Alice and Bob are known before the crash (their identities are linked).
    for (const u of ['U0A', 'U0B'] as const) expect((await dm(first.url, u, 'hello')).status).toBe(200);
    await fake.waitForCalls('chat.postMessage', 2, {
      timeoutMs: 30_000,
      where: (c) => c.response !== undefined,
    });

    // Replies reach Slack but their answers are lost in flight; first contacts hang in users.info.
    fake.holdResponses('chat.postMessage');
    fake.holdResponses('users.info');
    const posted = fake.posted.length;
    expect((await dm(first.url, 'U0A', 'my laptop screen flickers all the time')).status).toBe(200);
    expect((await dm(first.url, 'U0B', 'outlook crashes whenever I open an attachment')).status).toBe(200);
    expect((await dm(first.url, 'U0C', 'the vpn keeps dropping every few minutes')).status).toBe(200);
    expect((await dm(first.url, 'U0D', 'the printer on floor 2 is jammed again')).status).toBe(200);
    await waitFor(
      () =>
        fake.posted.slice(posted).filter((p) => p.channel === 'DU0A' || p.channel === 'DU0B').length >= 2 &&
        fake.callsOf('users.info').filter((c) => c.args.user === 'U0C' || c.args.user === 'U0D').length >= 2,
      'two posts in flight and two identity look-ups hanging',
      30_000,
    );
    await first.kill();
    expect(first.child.signalCode).toBe('SIGKILL');
    fake.releaseResponses('chat.postMessage');
    fake.releaseResponses('users.info');

    const database = await openDatabase(dbUrl);
    try {
      const db = database.db;
      // A conversation's lease row stays after its turn; it is live while its item carries its token.
      const leases = await db
        .selectFrom('inbox_leases as l')
        .innerJoin('inbox as i', (j) =>
          j.onRef('i.id', '=', 'l.inbox_id').onRef('i.lease_token', '=', 'l.lease_token'),
        )
        .select('l.locked_until')
        .execute();
      const outboxLeased = await db
        .selectFrom('outbox')
        .select('locked_until')
        .where('status', '=', 'pending')
        .where('locked_until', 'is not', null)
        .execute();
      // The dead process held live leases: two turns, two replies whose outcome was never recorded.
      expect(leases).toHaveLength(2);
      expect(outboxLeased).toHaveLength(2);

      const second = await startServer(env());
      servers.push(second);
      const readyAt = Date.now();
      await waitFor(
        async () =>
          (await db.selectFrom('inbox').select('id').where('status', '!=', 'done').execute()).length === 0 &&
          (await db.selectFrom('outbox').select('id').where('status', '!=', 'sent').execute()).length === 0,
        'every turn done and every reply sent',
        45_000,
      );
      const resumedInMs = Date.now() - readyAt;
      process.stderr.write(`kill-mid-delivery: everything delivered ${resumedInMs} ms after the restart\n`);

      // Item 1: each queued reply is on Slack exactly once — no message repeated in a channel, and one
      // post per outbox row (by the outbox metadata it carries).
      const seen = fake.posted.map((p) => `${p.channel} ${p.thread_ts ?? ''} ${p.text}`);
      expect(seen.filter((k, i) => seen.indexOf(k) !== i)).toEqual([]);
      const rows = await db.selectFrom('outbox').select('dedupe_key').execute();
      const keys = fake.posted.map((p) => String(p.metadata?.event_payload?.dedupe_key ?? 'untagged'));
      expect(keys.sort()).toEqual(rows.map((r) => r.dedupe_key).sort());
      expect(second.output()).toMatch(/found an earlier post of a message on the platform/);
      // Four problem reports, four tickets; carol and dave are who they are.
      const tickets = await db
        .selectFrom('tickets')
        .innerJoin('people', 'people.id', 'tickets.requester_id')
        .select('people.email')
        .execute();
      expect(tickets.map((t) => t.email).sort()).toEqual([
        'alice@example.com',
        'bob@example.com',
        'carol@example.com',
        'dave@example.com',
      ]);

      // Item 3: the dead process's leases were taken over when the new one started, not when they expired.
      expect(second.output()).toMatch(/reclaimed the leases of stopped processes.*"inbox":2,"outbox":2/);
      expect(second.output()).toMatch(/recovered pending inbox items.*"count":2/);
      expect(resumedInMs).toBeLessThan(25_000);
    } finally {
      await database.close();
    }
  }, 150_000);
});
