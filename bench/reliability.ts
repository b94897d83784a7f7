/**
 * bench:reliability — the crash and outage experiments of issue 22, against the real server
 * (`node bin/chatdesk.js serve`, a child process) and the fake Slack Web API, which records every call:
 *
 *   crash      N DMs from N people (problem reports), SIGKILL at several delays after the last ack,
 *              restart on the same SQLite file; counts tickets, repeated posts (same channel, thread and
 *              text), and how long after the restart the last reply arrived.
 *   redelivery 20 events, each delivered three times (twice at once, once 300 ms later) plus a late
 *              retry after processing; counts tickets, DMs answered and repeated posts.
 *   outage     every Slack method failing for 20 s (429 with Retry-After: 2, then 500) while 7 people
 *              send 3 messages each, their first the problem report; counts tickets, replies delivered
 *              once and in order, retries sooner than Retry-After, and whether "status" then finds each
 *              person's ticket.
 *   two-nodes  (BENCH_DATABASE_URL=postgres://…) two processes on one PostgreSQL, every event
 *              delivered to both; counts tickets and replies per message.
 *
 * BENCH_RELIABILITY=crash,redelivery,outage,two-nodes picks experiments; BENCH_CRASH_DMS (default 50)
 * and BENCH_CRASH_DELAYS (ms, default 50,100,200,300,500,800,1200,1500) size the crash runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../src/db/connect.js';
import { type ChildServer, startServer } from '../test/support/child-server.js';
import { type FakeSlackApi, startFakeSlackApi } from '../test/support/fake-slack-api.js';
import { eventEnvelope, postSigned, slackTs } from '../test/support/slack-signing.js';

const SECRET = 'bench-reliability-secret';
const REPORTS = [
  'my vpn keeps dropping every few minutes',
  'outlook crashes whenever I open an attachment',
  'the printer on floor 2 is jammed again',
  'my laptop screen flickers all the time',
  'I cannot log in to the expense tool, it says access denied',
  'the wifi in meeting room B is down',
  'teams calls keep freezing on my laptop',
];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = (env: string, fallback: string) => process.env[env] ?? fallback;
const chosen = new Set(pick('BENCH_RELIABILITY', 'crash,redelivery,outage,two-nodes').split(','));

function envFor(dbUrl: string, fake: FakeSlackApi, extra: Record<string, string> = {}) {
  return {
    DATABASE_URL: dbUrl,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-bench-reliability',
    SLACK_API_URL: fake.apiUrl,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

let eventSeq = 0;
function dmBody(user: string, text: string, eventId = `EvBR${++eventSeq}`): string {
  return eventEnvelope(
    { type: 'message', channel: `D${user}`, channel_type: 'im', user, text, ts: slackTs() },
    { eventId },
  );
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(50);
  }
  return false;
}

/**
 * Posts beyond one per queued reply, per channel (DMs apart from channels): what a person sees as a
 * reply repeated. Two replies that happen to read the same are not counted; one reply posted twice is.
 */
async function extraPosts(fake: FakeSlackApi, dbUrl: string): Promise<{ dm: number; channel: number }> {
  const database = await openDatabase(dbUrl);
  try {
    const rows = await database.db
      .selectFrom('outbox')
      .select('conversation_key')
      .where('status', '=', 'sent')
      .execute();
    const queued = new Map<string, number>();
    for (const r of rows) {
      const ch = r.conversation_key.slice('slack:'.length);
      queued.set(ch, (queued.get(ch) ?? 0) + 1);
    }
    const posted = new Map<string, number>();
    for (const p of fake.posted) posted.set(p.channel, (posted.get(p.channel) ?? 0) + 1);
    const extra = { dm: 0, channel: 0 };
    for (const [ch, n] of posted) {
      const more = Math.max(0, n - (queued.get(ch) ?? 0));
      if (ch.startsWith('D')) extra.dm += more;
      else extra.channel += more;
    }
    return extra;
  } finally {
    await database.close();
  }
}

async function settled(dbUrl: string, timeoutMs: number): Promise<boolean> {
  const database = await openDatabase(dbUrl);
  try {
    return await until(async () => {
      const inbox = await database.db
        .selectFrom('inbox')
        .select('id')
        .where('status', '=', 'pending')
        .execute();
      const outbox = await database.db
        .selectFrom('outbox')
        .select('id')
        .where('status', '=', 'pending')
        .execute();
      return inbox.length === 0 && outbox.length === 0;
    }, timeoutMs);
  } finally {
    await database.close();
  }
}

async function count(dbUrl: string, table: 'tickets' | 'outbox'): Promise<number> {
  const database = await openDatabase(dbUrl);
  try {
    return (await database.db.selectFrom(table).select('id').execute()).length;
  } finally {
    await database.close();
  }
}

async function crashRun(delayMs: number, dms: number) {
  const fake = await startFakeSlackApi();
  const dir = mkdtempSync(join(tmpdir(), 'chatdesk-bench-crash-'));
  const dbUrl = `sqlite:${join(dir, 'desk.sqlite')}`;
  const servers: ChildServer[] = [];
  try {
    for (let i = 0; i < dms; i++) {
      const id = `U${String(i).padStart(4, '0')}`;
      fake.users.set(id, { id, email: `person${i}@example.com`, name: `Person ${i}` });
    }
    // Slack answers like a real API over the internet would: the post lands, the answer takes a while.
    fake.delay('chat.postMessage', 80);
    const first = await startServer(envFor(dbUrl, fake));
    servers.push(first);
    const acks = await Promise.all(
      Array.from({ length: dms }, (_, i) =>
        postSigned(
          `${first.url}/slack/events`,
          SECRET,
          dmBody(`U${String(i).padStart(4, '0')}`, REPORTS[i % REPORTS.length] ?? ''),
        ),
      ),
    );
    await sleep(delayMs);
    await first.kill();
    const postedBeforeKill = fake.posted.length;
    const second = await startServer(envFor(dbUrl, fake));
    servers.push(second);
    const ready = Date.now();
    const done = await settled(dbUrl, 120_000);
    const resumeMs = Date.now() - ready;
    return {
      delayMs,
      acked: acks.filter((a) => a.status === 200).length,
      tickets: await count(dbUrl, 'tickets'),
      postedBeforeKill,
      posts: fake.posted.length,
      queued: await count(dbUrl, 'outbox'),
      repeated: await extraPosts(fake, dbUrl),
      resumeMs: done ? resumeMs : Number.NaN,
    };
  } finally {
    for (const s of servers) await s.kill().catch(() => undefined);
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function crash(): Promise<void> {
  const dms = Number(pick('BENCH_CRASH_DMS', '50'));
  const delays = pick('BENCH_CRASH_DELAYS', '50,100,200,300,500,800,1200,1500').split(',').map(Number);
  console.log(`\ncrash: ${dms} DMs, SIGKILL after the last ack, restart on the same SQLite file`);
  console.log(
    'kill after | acked | tickets | posted before kill | posts | queued | repeated DM | repeated channel | resumed in',
  );
  let runsWithRepeats = 0;
  let worstResume = 0;
  for (const delay of delays) {
    const r = await crashRun(delay, dms);
    if (r.repeated.dm + r.repeated.channel > 0) runsWithRepeats++;
    worstResume = Math.max(worstResume, r.resumeMs);
    console.log(
      `${String(r.delayMs).padStart(7)} ms | ${r.acked} | ${r.tickets} | ${r.postedBeforeKill} | ${r.posts} | ${r.queued} | ${r.repeated.dm} | ${r.repeated.channel} | ${(r.resumeMs / 1000).toFixed(1)} s (${(r.resumeMs / 30_000).toFixed(2)}× the 30 s reply lease)`,
    );
  }
  console.log(`bench reliability.crash_runs_with_repeats ${runsWithRepeats}/${delays.length}`);
  console.log(`bench reliability.crash_worst_resume_s ${(worstResume / 1000).toFixed(1)}`);
}

async function redelivery(): Promise<void> {
  const fake = await startFakeSlackApi();
  const dir = mkdtempSync(join(tmpdir(), 'chatdesk-bench-redeliver-'));
  const dbUrl = `sqlite:${join(dir, 'desk.sqlite')}`;
  const server = await startServer(envFor(dbUrl, fake));
  try {
    const bodies = Array.from({ length: 20 }, (_, i) =>
      dmBody(`UR${i}`, REPORTS[i % REPORTS.length] ?? '', `EvRD${i}`),
    );
    const send = (b: string, retry: number) =>
      postSigned(`${server.url}/slack/events`, SECRET, b, {
        headers:
          retry > 0 ? { 'x-slack-retry-num': String(retry), 'x-slack-retry-reason': 'http_timeout' } : {},
      });
    await Promise.all(bodies.flatMap((b) => [send(b, 0), send(b, 1)]));
    await sleep(300);
    await Promise.all(bodies.map((b) => send(b, 2)));
    await settled(dbUrl, 60_000);
    await Promise.all(bodies.map((b) => send(b, 3)));
    await sleep(1_000);
    await settled(dbUrl, 60_000);
    const answered = new Set(fake.posted.filter((p) => p.channel.startsWith('D')).map((p) => p.channel)).size;
    console.log(
      `\nredelivery: 20 events ×3 (+ a late retry): ${await count(dbUrl, 'tickets')} tickets, ${answered} DMs answered, ${(await extraPosts(fake, dbUrl)).dm} repeated DM posts`,
    );
  } finally {
    await server.kill();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function outage(): Promise<void> {
  const fake = await startFakeSlackApi();
  const dir = mkdtempSync(join(tmpdir(), 'chatdesk-bench-outage-'));
  const dbUrl = `sqlite:${join(dir, 'desk.sqlite')}`;
  const people = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'];
  for (const name of people)
    fake.users.set(`U0${name.toUpperCase()}`, {
      id: `U0${name.toUpperCase()}`,
      email: `${name}@example.com`,
      name,
    });
  const server = await startServer(envFor(dbUrl, fake));
  try {
    const started = Date.now();
    fake.startOutage({
      durationMs: 20_000,
      failure: () => (Date.now() - started < 8_000 ? { status: 429, retryAfter: 2 } : { status: 500 }),
    });
    const follow = ['it started this morning', 'it also happens at home'];
    for (const [i, name] of people.entries()) {
      const user = `U0${name.toUpperCase()}`;
      for (const text of [REPORTS[i] ?? '', ...follow])
        await postSigned(`${server.url}/slack/events`, SECRET, dmBody(user, text));
    }
    // How many turns were done (a ticket opened, replies queued) before Slack was back.
    await sleep(Math.max(0, started + 19_500 - Date.now()));
    const doneInOutage = await (async () => {
      const d = await openDatabase(dbUrl);
      try {
        return (await d.db.selectFrom('inbox').select('id').where('status', '=', 'done').execute()).length;
      } finally {
        await d.close();
      }
    })();
    await settled(dbUrl, 180_000);
    const deliveredAfter = (Date.now() - started) / 1000;
    const calls = fake.callsOf('chat.postMessage');
    let early = 0;
    for (const [i, c] of calls.entries()) {
      if (c.response !== undefined || c.at - started >= 8_000) continue;
      const next = calls.slice(i + 1).find((x) => x.args.channel === c.args.channel);
      if (next && next.at - c.at < 2_000) early++;
    }
    const database = await openDatabase(dbUrl);
    let inOrder = 0;
    try {
      const rows = await database.db
        .selectFrom('outbox')
        .select(['conversation_key', 'message_id'])
        .orderBy('id')
        .execute();
      const posts = calls.filter((c) => c.response !== undefined);
      for (const name of people) {
        const ch = `D0${name.toUpperCase()}`;
        const queued = rows.filter((r) => r.conversation_key === `slack:${ch}`).map((r) => r.message_id);
        const got = posts.filter((c) => c.args.channel === ch).map((c) => c.response?.ts);
        if (JSON.stringify(queued) === JSON.stringify(got)) inOrder++;
      }
      const replies = rows.length;
      const posted = posts.length;
      // Slack is back: "status" from each person.
      let found = 0;
      for (const name of people) {
        const user = `U0${name.toUpperCase()}`;
        const before = fake.posted.length;
        await postSigned(`${server.url}/slack/events`, SECRET, dmBody(user, 'status'));
        const mine = () => fake.posted.slice(before).find((p) => p.channel === `D${user}`);
        await until(async () => mine() !== undefined, 20_000);
        const answer = mine()?.text ?? '';
        if (/INC\d{7}/.test(answer) && !/no open tickets/i.test(answer)) found++;
      }
      console.log(
        `\noutage: every method failing 20 s, 21 messages from 7 people: ${doneInOutage}/21 turns done while Slack was down, ${await count(dbUrl, 'tickets')} tickets, ${replies} replies queued, ${posted} posted (${(await extraPosts(fake, dbUrl)).dm} repeated), ${inOrder}/7 channels in order, ${early} retries sooner than Retry-After, all delivered ${deliveredAfter.toFixed(1)} s after the outage began; "status" found the ticket for ${found}/7`,
      );
    } finally {
      await database.close();
    }
  } finally {
    await server.kill();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function twoNodes(): Promise<void> {
  const base = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!base) {
    console.log('\ntwo-nodes: skipped (set BENCH_DATABASE_URL=postgres://…)');
    return;
  }
  const schema = `bench_rel_${process.pid}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const dbUrl = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const fake = await startFakeSlackApi();
  const servers: ChildServer[] = [];
  try {
    servers.push(await startServer(envFor(dbUrl, fake)));
    servers.push(await startServer(envFor(dbUrl, fake)));
    const bodies = Array.from({ length: 20 }, (_, i) =>
      dmBody(`UN${i}`, REPORTS[i % REPORTS.length] ?? '', `EvTN${i}`),
    );
    await Promise.all(
      bodies.flatMap((b) => servers.map((s) => postSigned(`${s.url}/slack/events`, SECRET, b))),
    );
    await settled(dbUrl, 60_000);
    const answered = new Set(fake.posted.filter((p) => p.channel.startsWith('D')).map((p) => p.channel)).size;
    console.log(
      `\ntwo-nodes: 20 events each delivered to both processes on one PostgreSQL: ${await count(dbUrl, 'tickets')} tickets, ${answered} DMs answered, ${(await extraPosts(fake, dbUrl)).dm} repeated DM posts`,
    );
  } finally {
    for (const s of servers) await s.kill();
    await fake.close();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}

if (chosen.has('crash')) await crash();
if (chosen.has('redelivery')) await redelivery();
if (chosen.has('outage')) await outage();
if (chosen.has('two-nodes')) await twoNodes();
