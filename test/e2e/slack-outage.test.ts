/**
 * A Slack outage longer than the old retry horizon (issue 22, item 2): every Web API method fails —
 * 429 with Retry-After: 2, then 500 — for 17 s, while three people send their first message (a problem
 * report) and a follow-up. The old engine gave a turn five attempts within ~15 s, failed it on
 * users.info and dropped the report. Now nothing is dropped: each report becomes a ticket for a person
 * taken on trust (users.info is down), every reply arrives once, in order, never sooner than Retry-After
 * allowed, and when Slack is back each person is who they are: "status" lists their ticket.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';
import { waitFor } from '../support/app.js';
import { type ChildServer, startServer } from '../support/child-server.js';
import { type FakeSlackApi, type RecordedCall, startFakeSlackApi } from '../support/fake-slack-api.js';
import { eventEnvelope, postSigned, slackTs } from '../support/slack-signing.js';

const SECRET = 'slack-outage-signing-secret';
const PEOPLE = { U0ALICE: 'alice', U0BOB: 'bob', U0CAROL: 'carol' } as const;
const REPORTS = {
  U0ALICE: 'my vpn keeps dropping every few minutes',
  U0BOB: 'outlook crashes whenever I open an attachment',
  U0CAROL: 'the printer on floor 2 is jammed again',
} as const;
const OUTAGE_MS = 17_000;

describe('a 17 s outage of every Slack method', () => {
  let fake: FakeSlackApi;
  let server: ChildServer;
  let dir = '';
  let n = 0;
  const dm = (user: keyof typeof PEOPLE, text: string) =>
    postSigned(
      `${server.url}/slack/events`,
      SECRET,
      eventEnvelope(
        { type: 'message', channel: `D${user}`, channel_type: 'im', user, text, ts: slackTs() },
        { eventId: `EvOUT${++n}` },
      ),
    );

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    for (const [id, name] of Object.entries(PEOPLE))
      fake.users.set(id, { id, email: `${name}@example.com`, name });
    dir = mkdtempSync(join(tmpdir(), 'chatdesk-outage-'));
    server = await startServer({
      DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-outage',
      SLACK_API_URL: fake.apiUrl,
      // Longer than the outage and the old ~15 s, short enough that retries come every few seconds.
      RETRY_HORIZON_SECONDS: '60',
    });
  });

  afterAll(async () => {
    await server?.kill();
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing: tickets, every reply once and in order, Retry-After honoured, identities completed', async () => {
    const started = Date.now();
    fake.startOutage({
      durationMs: OUTAGE_MS,
      failure: () => (Date.now() - started < 6_000 ? { status: 429, retryAfter: 2 } : { status: 500 }),
    });
    for (const user of Object.keys(PEOPLE) as (keyof typeof PEOPLE)[]) {
      expect((await dm(user, REPORTS[user])).status).toBe(200);
      expect((await dm(user, 'it also happens at home')).status).toBe(200);
    }
    const database = await openDatabase(`sqlite:${join(dir, 'desk.sqlite')}`);
    try {
      const db = database.db;
      // Every turn finished during the outage (users.info failing did not fail them)…
      await waitFor(
        async () =>
          (await db.selectFrom('inbox').select('id').where('status', '!=', 'done').execute()).length === 0,
        'all turns done during the outage',
        OUTAGE_MS,
      );
      expect(Date.now() - started).toBeLessThan(OUTAGE_MS);
      expect(fake.callsOf('users.info').every((c) => c.response === undefined)).toBe(true);
      // …and every reply is delivered once Slack is back.
      await waitFor(
        async () =>
          (await db.selectFrom('outbox').select('id').where('status', '!=', 'sent').execute()).length === 0,
        'every reply delivered after the outage',
        40_000,
      );
      const rows = await db
        .selectFrom('outbox')
        .select(['id', 'conversation_key', 'dedupe_key', 'message_id'])
        .orderBy('id')
        .execute();
      const posts = fake.callsOf('chat.postMessage').filter((c) => c.response !== undefined);
      expect(posts).toHaveLength(rows.length);
      // In order per channel: what each DM received is what was queued for it, in queue order.
      for (const user of Object.keys(PEOPLE)) {
        const queued = rows.filter((r) => r.conversation_key === `slack:D${user}`).map((r) => r.message_id);
        const got = posts.filter((c) => c.args.channel === `D${user}`).map((c) => c.response?.ts);
        expect(got).toEqual(queued);
        expect(got.length).toBeGreaterThanOrEqual(2);
      }
      // Retry-After: after a 429, the same channel's next attempt came no sooner than 2 s later.
      const attempts = fake.callsOf('chat.postMessage');
      for (const [i, call] of attempts.entries()) {
        if (call.response !== undefined || call.at - started >= 6_000) continue;
        const next = attempts.slice(i + 1).find((c: RecordedCall) => c.args.channel === call.args.channel);
        if (next) expect(next.at - call.at).toBeGreaterThanOrEqual(2_000);
      }
      const tickets = await db
        .selectFrom('tickets')
        .select(['number', 'requester_id'])
        .orderBy('id')
        .execute();
      expect(tickets).toHaveLength(3);

      // Slack is back: each person's next message completes their identity, and "status" finds their ticket.
      for (const user of Object.keys(PEOPLE) as (keyof typeof PEOPLE)[]) {
        const before = fake.callsOf('chat.postMessage').filter((c) => c.response !== undefined).length;
        expect((await dm(user, 'status')).status).toBe(200);
        const answer = await fake.waitForCalls('chat.postMessage', before + 1, {
          timeoutMs: 15_000,
          where: (c) => c.response !== undefined,
        });
        const text = answer
          .filter((c) => c.args.channel === `D${user}`)
          .map((c) => String(c.args.text))
          .at(-1);
        expect(text).not.toMatch(/no open tickets/i);
        const owner = await db
          .selectFrom('tickets')
          .innerJoin('people', 'people.id', 'tickets.requester_id')
          .select(['tickets.number', 'people.email'])
          .where('people.email', '=', `${PEOPLE[user]}@example.com`)
          .execute();
        expect(owner).toHaveLength(1);
        expect(text).toContain(owner[0]?.number);
      }
      // No provisional person is left behind.
      const pending = await db
        .selectFrom('identities')
        .select('id')
        .where('profile_pending', '=', 1)
        .execute();
      expect(pending).toHaveLength(0);
      process.stderr.write(
        `slack-outage: ${rows.length} replies, ${attempts.length} postMessage attempts, ${tickets.length} tickets\n`,
      );
    } finally {
      await database.close();
    }
  }, 120_000);
});
