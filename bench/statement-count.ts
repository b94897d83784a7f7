/**
 * SQL statements per chat message: the real app (createApp, Slack on, timers off) on a fresh database,
 * a known person's Slack DM sent as signed Events API requests through the fake Slack Web API, and
 * every statement the database runs on behalf of each message counted, by kind. A count, not a
 * timing: the same code gives the same figure on any machine, however loaded.
 *
 * A statement counts for a message when it runs in the message's async context: from the adapter
 * handing the event to the engine (inbox insert) through the turn to the delivery of its replies
 * (outbox rows marked sent). With the app's timers off nothing else runs meanwhile; the drain that
 * waits for the replies runs outside that context and is not counted.
 *
 * The typical turn is the mean of three in one DM, after a first message has linked the person:
 * a new incident, a follow-up answering the bot's question, and a status question.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../src/app.js';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { type FakeSlackApi, startFakeSlackApi } from '../test/support/fake-slack-api.js';
import { eventEnvelope, postSigned, slackTs } from '../test/support/slack-signing.js';

/** Statement kinds, from the statement's first word (transaction control included). */
export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'begin' | 'commit' | 'other';

export interface StatementTally {
  total: number;
  byKind: Record<StatementKind, number>;
  /** The statements themselves, in order (for reading where they come from). */
  statements: string[];
}

export function kindOf(sql: string): StatementKind {
  const word = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? '';
  if (word === 'rollback') return 'commit';
  return (
    (['select', 'insert', 'update', 'delete', 'begin', 'commit'] as const).find((k) => k === word) ?? 'other'
  );
}

const emptyTally = (): StatementTally => ({
  total: 0,
  byKind: { select: 0, insert: 0, update: 0, delete: 0, begin: 0, commit: 0, other: 0 },
  statements: [],
});

/** Counts the statements that run inside `within(…)`, wherever they are awaited from. */
export function createStatementCounter() {
  const als = new AsyncLocalStorage<StatementTally>();
  return {
    onStatement(sql: string): void {
      const t = als.getStore();
      if (!t) return;
      t.total++;
      t.byKind[kindOf(sql)]++;
      t.statements.push(sql);
    },
    /** Runs `fn` with a fresh tally that every statement it causes (and their continuations) adds to. */
    within<T>(fn: () => T): { tally: StatementTally; result: T } {
      const tally = emptyTally();
      return { tally, result: als.run(tally, fn) };
    },
  };
}

export interface TurnCount {
  name: string;
  text: string;
  tally: StatementTally;
  replies: string[];
}

export interface TypicalTurns {
  firstContact: TurnCount;
  turns: TurnCount[];
  /** Mean statements per message over `turns`. */
  perMessage: number;
}

const SECRET = 'statement-count-signing-secret';
const USER = 'U0SQLCOUNT';
const CHANNEL = 'D0SQLCOUNT';

export const TYPICAL_TURNS: ReadonlyArray<{ name: string; text: string }> = [
  { name: 'new_incident', text: 'my vpn keeps dropping every few minutes' },
  { name: 'follow_up', text: 'just me, I can still work' },
  { name: 'status_question', text: 'what is the status of my ticket?' },
];

/**
 * Sends one DM and waits for the engine to finish its turn and deliver its replies; the tally holds
 * the statements of that message only.
 */
async function sendDm(
  app: App,
  slack: FakeSlackApi,
  url: string,
  counter: ReturnType<typeof createStatementCounter>,
  name: string,
  text: string,
): Promise<TurnCount> {
  const before = slack.callsOf('chat.postMessage').length;
  const engine = app.engine;
  const receive = engine.receive.bind(engine);
  let processed: Promise<void> = Promise.resolve();
  let tally: StatementTally = emptyTally();
  // The adapter calls engine.receive; the message's context starts there.
  engine.receive = (incoming) => {
    const r = counter.within(() => receive(incoming));
    tally = r.tally;
    return r.result.then((res) => {
      processed = res.processed;
      return res;
    });
  };
  try {
    const body = eventEnvelope({
      type: 'message',
      channel: CHANNEL,
      channel_type: 'im',
      user: USER,
      text,
      ts: slackTs(),
      team: 'T0001',
    });
    const res = await postSigned(`${url}/slack/events`, SECRET, body);
    if (res.status !== 200) throw new Error(`Slack event refused: HTTP ${res.status} ${res.text}`);
  } finally {
    engine.receive = receive;
  }
  await processed;
  await app.drain();
  const replies = slack
    .callsOf('chat.postMessage')
    .slice(before)
    .filter((c) => c.args.channel === CHANNEL)
    .map((c) => `${String(c.args.text ?? '')}`);
  return { name, text, tally, replies };
}

/**
 * Runs the typical DM on a fresh SQLite file (or `databaseUrl`, e.g. a PostgreSQL schema) and
 * returns each message's statements. `env` adds configuration (e.g. NLU_EMBEDDINGS for a quick run).
 */
export async function countTypicalTurns(
  opts: { databaseUrl?: string; env?: Record<string, string> } = {},
): Promise<TypicalTurns> {
  const slack = await startFakeSlackApi();
  slack.users.set(USER, { id: USER, email: 'sql.count@example.com', name: 'sqlcount' });
  const dir = mkdtempSync(join(tmpdir(), 'chatdesk-statements-'));
  const counter = createStatementCounter();
  let app: App | null = null;
  try {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: opts.databaseUrl ?? `sqlite:${join(dir, 'desk.sqlite')}`,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      TEAMS_ENABLED: 'false',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-statement-count',
      SLACK_API_URL: slack.apiUrl,
      NLU_THREAD: 'inline',
      ...opts.env,
    });
    app = await createApp(config, { log: silentLogger, onStatement: counter.onStatement, timers: false });
    const { url } = await app.listen();
    const firstContact = await sendDm(app, slack, url, counter, 'first_contact', 'hello');
    const turns: TurnCount[] = [];
    for (const t of TYPICAL_TURNS) turns.push(await sendDm(app, slack, url, counter, t.name, t.text));
    const perMessage = turns.reduce((a, t) => a + t.tally.total, 0) / turns.length;
    return { firstContact, turns, perMessage };
  } finally {
    await app?.close();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line per message: total and kinds. */
export function formatTurn(t: TurnCount): string {
  const kinds = Object.entries(t.tally.byKind)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return `${t.name.padEnd(16)} ${String(t.tally.total).padStart(3)} statements (${kinds})`;
}

// `tsx bench/statement-count.ts [-v]`: the figures alone; -v lists every statement.
if (import.meta.url === `file://${process.argv[1]}`) {
  const verbose = process.argv.includes('-v');
  const r = await countTypicalTurns(
    process.env.BENCH_DATABASE_URL ? { databaseUrl: process.env.BENCH_DATABASE_URL } : {},
  );
  for (const t of [r.firstContact, ...r.turns]) {
    process.stdout.write(`${formatTurn(t)}\n`);
    if (verbose) {
      for (const s of t.tally.statements)
        process.stdout.write(`    ${s.replace(/\s+/g, ' ').slice(0, 240)}\n`);
      process.stdout.write(`    replies: ${JSON.stringify(t.replies)}\n`);
    }
  }
  process.stdout.write(`bench load.sql_statements_per_msg=${r.perMessage.toFixed(1)} statements\n`);
}
