/**
 * bench:load: the real server (`node bin/chatdesk.js serve`, a separate process, `npm start`'s node
 * flags) and, beside it, the SDK floor (bench/sdk-floor-server.ts: a bare Bolt app and a bare Bot
 * Framework adapter answering every message, nothing else), both driven by the same generator at the
 * same rates through the same fakes: the fake Slack Web API, a fake Bot Connector and a fake Bot
 * Framework token issuer (Teams requests carry real RS256 JWTs both servers verify). Loopback only.
 * Per platform the two ladders are interleaved rate by rate, so a change in the machine's load hits
 * both. Every text is different and every message a new conversation; a fifth of them open tickets.
 *
 *   bench load.msgs_per_s[.slack|.teams]  highest rate whose replies all arrived with p99 ≤ 250 ms
 *   bench load.cpu_ms_per_msg.<p>, load.sdk_cpu_ms_per_msg.<p>  server CPU per message at the same rate
 *   bench load.cpu_ratio_vs_sdk[.<p>]     chatdesk / bare SDK CPU per message (the worse platform)
 *   bench load.rate_ratio_vs_sdk[.<p>]    chatdesk / bare SDK sustained rate (the worse platform)
 *   bench load.p99_ms, load.ack_p99_ms, load.rss_mb
 *   bench load.sql_statements_per_msg     SQL statements a typical Slack DM turn runs (bench/statement-count.ts):
 *                                         a count, the same on any machine, however loaded
 *
 * BENCH_LOAD_QUICK=1: rates 25,50,100,200 for 2 s each (a minute or two in all). BENCH_LOAD_RATES
 * (default 50,100,150,200,300,400), BENCH_LOAD_SECONDS (default 5). BENCH_LOAD_PLATFORMS=slack|teams
 * drives one platform only (default: each in turn). BENCH_DATABASE_URL=postgres://… runs two chatdesk
 * processes on that database (round robin) and adds the suffix `.pg`. BENCH_LOAD_PROFILE=1 (or a
 * directory) writes V8 CPU profiles of chatdesk and prints where the CPU went (bench/profile-shares.ts);
 * profiling slows the server, so its figures are for shares, not for rates.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { selectEmbedder } from '../src/nlu/embeddings/select-embedder.js';
import { startFakeBotConnector } from '../test/support/fake-bot-connector.js';
import { startFakeSlackApi } from '../test/support/fake-slack-api.js';
import { startFakeTokenIssuer } from '../test/support/fake-token-issuer.js';
import { type BenchChild, chatdeskArgs, spawnServer, tsxArgs } from './child.js';
import {
  bestRate,
  type Fakes,
  formatStep,
  idleCpuMsPerS,
  type Platform,
  rssMb,
  type Step,
  step,
  sustained,
  type Target,
  teamsUser,
  textFor,
} from './load-drive.js';
import { monotonicUs, printProfileShares } from './profile-shares.js';
import { countTypicalTurns, formatTurn } from './statement-count.js';

const SECRET = 'bench-load-signing-secret';
const QUICK = process.env.BENCH_LOAD_QUICK === '1' || process.env.BENCH_LOAD_QUICK === 'true';
const RATES = (process.env.BENCH_LOAD_RATES ?? (QUICK ? '25,50,100,200' : '50,100,150,200,300,400'))
  .split(',')
  .map(Number);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? (QUICK ? 2 : 5));
const PLATFORMS = process.env.BENCH_LOAD_PLATFORMS ?? 'both';
if (!['slack', 'teams', 'both'].includes(PLATFORMS))
  throw new Error('BENCH_LOAD_PLATFORMS is slack, teams or both');
const USERS = 200;
const WARMUP_MESSAGES = QUICK ? 200 : 300;
const APP_ID = '0b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const APP_PASSWORD = 'bench-load-client-secret';

interface Ladder {
  target: Target;
  steps: Step[];
  done: boolean;
}

/** Both targets climb the same rates, interleaved; each stops climbing once it saturates. */
async function ladders(fakes: Fakes, targets: Target[], platform: Platform): Promise<Ladder[]> {
  const out = targets.map((target) => ({ target, steps: [] as Step[], done: false }));
  for (const rate of RATES) {
    for (const l of out) {
      if (l.done) continue;
      const s = await step(fakes, l.target, platform, rate, Math.round(rate * SECONDS));
      l.steps.push(s);
      process.stdout.write(`${formatStep(`${platform} ${l.target.name}`, s)}\n`);
      if (s.lost > 0 || s.p99 > 2_000) l.done = true; // saturated: stop climbing
    }
  }
  return out;
}

interface Comparison {
  platform: Platform;
  desk: ReturnType<typeof bestRate>;
  sdk: ReturnType<typeof bestRate>;
  /** The rate CPU per message is compared at: the highest both answered in full. */
  cpuRate: number;
  deskCpu: number;
  sdkCpu: number;
}

function compare(platform: Platform, desk: Step[], sdk: Step[]): Comparison {
  const both = desk.filter((d) => d.lost === 0 && sdk.some((s) => s.rate === d.rate && s.lost === 0));
  const at = both.filter((d) => sustained(d)).at(-1) ?? both.at(-1) ?? desk[0];
  const sdkAt = sdk.find((s) => s.rate === at?.rate) ?? sdk[0];
  return {
    platform,
    desk: bestRate(desk),
    sdk: bestRate(sdk),
    cpuRate: at?.rate ?? 0,
    deskCpu: at?.cpuMs ?? Number.NaN,
    sdkCpu: sdkAt?.cpuMs ?? Number.NaN,
  };
}

/**
 * CPU per query of the sentence encoder the server picks by default, one query at a time, in this
 * process: the yardstick that tells a fast machine from a slow one next to the ratios.
 */
async function encoderCpuPerQuery(): Promise<{ id: string; ms: number } | null> {
  const e = await selectEmbedder(undefined, join(import.meta.dirname, '..', 'models'), () => {});
  if (e === null) return null;
  for (let k = 1; k <= 30; k++) await e.embed([textFor(k)]);
  const runs = 300;
  const c0 = process.cpuUsage();
  for (let k = 1; k <= runs; k++) await e.embed([textFor(1000 + k)]);
  const c = process.cpuUsage(c0);
  return { id: e.id, ms: (c.user + c.system) / 1000 / runs };
}

async function main(): Promise<void> {
  const encoder = await encoderCpuPerQuery();
  // In this process, before the servers start: a count, so nothing else running can change it.
  const statements = await countTypicalTurns();
  process.stdout.write('SQL statements per message (a typical Slack DM, in-process on SQLite):\n');
  for (const t of [statements.firstContact, ...statements.turns])
    process.stdout.write(`  ${formatTurn(t)}\n`);
  const pgUrl = process.env.BENCH_DATABASE_URL;
  const suffix = pgUrl ? '.pg' : '';
  const slack = await startFakeSlackApi();
  const connector = await startFakeBotConnector();
  const issuer = await startFakeTokenIssuer({ appId: APP_ID, appPassword: APP_PASSWORD });
  for (let i = 0; i < USERS; i++) {
    slack.users.set(`U0LOAD${i}`, { id: `U0LOAD${i}`, email: `load${i}@example.com`, name: `load${i}` });
    connector.addMember(teamsUser(i), `tload${i}@example.com`);
  }
  // One channel token for the whole run, as the Bot Framework reuses its tokens for an hour.
  const fakes: Fakes = {
    slack,
    connector,
    signingSecret: SECRET,
    teamsAuth: issuer.channelAuthHeader({
      appId: APP_ID,
      serviceUrl: connector.serviceUrl,
      expiresInS: 3600,
    }),
    users: USERS,
  };
  const dir = mkdtempSync(join(tmpdir(), 'chatdesk-bench-load-'));
  let schema: string | null = null;
  let dbUrl = `sqlite:${join(dir, 'desk.sqlite')}`;
  if (pgUrl) {
    schema = `bench_load_${process.pid}`;
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`create schema ${schema}`);
    await c.end();
    dbUrl = `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  }
  const children: BenchChild[] = [];
  const profileEnv = process.env.BENCH_LOAD_PROFILE;
  const profileDir = profileEnv ? (profileEnv === '1' ? join(dir, 'profiles') : profileEnv) : null;
  try {
    const env = {
      DATABASE_URL: dbUrl,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_API_URL: slack.apiUrl,
      TEAMS_ENABLED: 'true',
      ...issuer.env(),
      TEAMS_ALLOWED_SERVICE_URLS: connector.serviceUrl,
      // 200 people send thousands of messages in a minute here; the per-person limit would turn
      // most of them into "slow down" replies and measure the limiter instead of the desk.
      RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: 'warn',
    };
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const profArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const deskProcs = [await spawnServer(chatdeskArgs(profArgs), env)];
    if (pgUrl) deskProcs.push(await spawnServer(chatdeskArgs(profArgs), env));
    const sdkProc = await spawnServer(tsxArgs(join(import.meta.dirname, 'sdk-floor-server.ts')), env);
    children.push(...deskProcs, sdkProc);
    const desk: Target = {
      name: 'chatdesk',
      urls: deskProcs.map((p) => p.url),
      pids: deskProcs.map((p) => p.child.pid),
    };
    const sdk: Target = { name: 'sdk', urls: [sdkProc.url], pids: [sdkProc.child.pid] };
    process.stdout.write(
      `chatdesk: ${desk.urls.join(', ')} (${pgUrl ? 'PostgreSQL, two processes' : 'SQLite, one process'}); SDK floor: ${sdk.urls[0]}\n`,
    );
    // The first messages warm up each server (lazy model loading; V8 optimises hot paths only after
    // some hundreds of calls). They are not measured: a desk serves warm most of its life.
    for (const t of [desk, sdk]) {
      const w = await step(fakes, t, 'both', 50, WARMUP_MESSAGES);
      process.stdout.write(
        `warm-up ${t.name}: ${w.replies}/${w.count} replies, e2e p99 ${w.p99.toFixed(0)} ms; idle CPU ${(await idleCpuMsPerS(t)).toFixed(1)} ms/s\n`,
      );
    }
    // Profiles count from here: start-up (model loading, transpiling) and warm-up are not the desk's steady state.
    const measuredFrom = monotonicUs();
    const platforms: Platform[] = PLATFORMS === 'both' ? ['slack', 'teams'] : [PLATFORMS as Platform];
    const comparisons: Comparison[] = [];
    for (const p of platforms) {
      const [d, s] = await ladders(fakes, [desk, sdk], p);
      comparisons.push(compare(p, d?.steps ?? [], s?.steps ?? []));
    }
    const [load1] = loadavg();
    process.stdout.write(`\n(load average ${load1?.toFixed(1)} on this machine at the end of the run)\n`);
    if (encoder)
      process.stdout.write(
        `encoder ${encoder.id}: ${encoder.ms.toFixed(2)} ms of CPU per query on this machine\n`,
      );
    for (const c of comparisons) {
      process.stdout.write(
        `${c.platform}: chatdesk ${c.desk.rate.toFixed(0)} msg/s${c.desk.sustained ? '' : ' (not sustained)'}, SDK floor ${c.sdk.rate.toFixed(0)} msg/s${c.sdk.sustained ? '' : ' (not sustained)'}${c.sdk.step?.rate === RATES.at(-1) && c.sdk.sustained ? ' (the highest rate tried: the rate ratio is an upper bound)' : ''}; CPU per message at ${c.cpuRate}/s: chatdesk ${c.deskCpu.toFixed(2)} ms, SDK floor ${c.sdkCpu.toFixed(2)} ms\n`,
      );
    }
    process.stdout.write('\n');
    for (const c of comparisons) {
      const p = `.${c.platform}${suffix}`;
      process.stdout.write(`bench load.msgs_per_s${p}=${c.desk.rate.toFixed(0)} msgs/s\n`);
      process.stdout.write(`bench load.sdk_msgs_per_s${p}=${c.sdk.rate.toFixed(0)} msgs/s\n`);
      process.stdout.write(`bench load.cpu_ms_per_msg${p}=${c.deskCpu.toFixed(2)} ms\n`);
      process.stdout.write(`bench load.sdk_cpu_ms_per_msg${p}=${c.sdkCpu.toFixed(2)} ms\n`);
      process.stdout.write(`bench load.cpu_ratio_vs_sdk${p}=${(c.deskCpu / c.sdkCpu).toFixed(2)} ratio\n`);
      process.stdout.write(
        `bench load.rate_ratio_vs_sdk${p}=${(c.desk.rate / c.sdk.rate).toFixed(2)} ratio\n`,
      );
    }
    // The headline figures are the worse platform's: a desk serving both must meet them on each.
    const worstRate = [...comparisons].sort((a, b) => a.desk.rate - b.desk.rate)[0];
    if (!worstRate?.desk.step) throw new Error('no load step ran');
    const cpuRatio = Math.max(...comparisons.map((c) => c.deskCpu / c.sdkCpu));
    const rateRatio = Math.min(...comparisons.map((c) => c.desk.rate / c.sdk.rate));
    process.stdout.write(`bench load.msgs_per_s${suffix}=${worstRate.desk.rate.toFixed(0)} msgs/s\n`);
    process.stdout.write(`bench load.p99_ms${suffix}=${worstRate.desk.step.p99.toFixed(0)} ms\n`);
    process.stdout.write(`bench load.ack_p99_ms${suffix}=${worstRate.desk.step.ackP99.toFixed(0)} ms\n`);
    process.stdout.write(`bench load.cpu_ratio_vs_sdk${suffix}=${cpuRatio.toFixed(2)} ratio\n`);
    process.stdout.write(`bench load.rate_ratio_vs_sdk${suffix}=${rateRatio.toFixed(2)} ratio\n`);
    process.stdout.write(
      `bench load.rss_mb${suffix}=${Math.max(...deskProcs.map((s) => rssMb(s.child.pid))).toFixed(0)} MB\n`,
    );
    process.stdout.write(`bench load.sdk_rss_mb=${rssMb(sdkProc.child.pid).toFixed(0)} MB\n`);
    if (encoder) process.stdout.write(`bench load.encoder_cpu_ms_per_query=${encoder.ms.toFixed(2)} ms\n`);
    process.stdout.write(
      `bench load.sql_statements_per_msg=${statements.perMessage.toFixed(1)} statements\n`,
    );
    if (profileDir) {
      for (const c of deskProcs) await c.stop().catch(() => undefined);
      printProfileShares(profileDir, measuredFrom);
    }
  } finally {
    for (const s of children) await s.stop().catch(() => undefined);
    await slack.close();
    await connector.close();
    await issuer.close();
    if (schema && pgUrl) {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench:load failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
