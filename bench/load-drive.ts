/**
 * bench:load's traffic: signed Slack events and Teams activities with verified JWTs, sent at a fixed
 * rate to one set of server processes, with the replies read back from the fake Slack Web API and the
 * fake Bot Connector. The same generator drives chatdesk and the bare SDK servers, so their figures
 * compare. Every text and conversation is new (no cache can flatter a figure); a fifth of the texts
 * describe a problem (chatdesk opens a ticket for those).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { FakeBotConnector } from '../test/support/fake-bot-connector.js';
import type { FakeSlackApi } from '../test/support/fake-slack-api.js';
import { eventEnvelope, slackSignature } from '../test/support/slack-signing.js';
import { messageActivity } from '../test/support/teams-activities.js';

export type Platform = 'slack' | 'teams' | 'both';

export interface Fakes {
  slack: FakeSlackApi;
  connector: FakeBotConnector;
  signingSecret: string;
  teamsAuth: string;
  users: number;
}

/** A server under load: its base URLs (round robin) and process ids (for CPU time from /proc). */
export interface Target {
  name: string;
  urls: string[];
  pids: Array<number | undefined>;
}

export interface Step {
  rate: number;
  count: number;
  replies: number;
  /** Replies per second between the first and the last reply. */
  achieved: number;
  p50: number;
  p99: number;
  ackP99: number;
  lost: number;
  sendSeconds: number;
  /** Server CPU per message, all threads, and the main thread alone (ms). */
  cpuMs: number;
  mainCpuMs: number;
  clientCpuMs: number;
}

const GREETINGS = ['hello', 'hi there', 'good morning', 'hey, are you there?', 'thanks a lot'];
const PROBLEMS = [
  'my vpn keeps dropping every few minutes',
  'the printer on floor {n} is jammed again',
  'outlook will not sync my calendar since update {n}',
  'my laptop screen flickers when I undock it',
  'I cannot log in to the expense tool, error {n}',
];

/** A different text for every message: the greeting or problem pattern plus the message number. */
export function textFor(k: number): string {
  if (k % 5 === 0) return (PROBLEMS[(k / 5) % PROBLEMS.length] as string).replace('{n}', String(k));
  return `${GREETINGS[k % GREETINGS.length]} (${k})`;
}

export const teamsUser = (i: number) => ({
  id: `29:1load${i}`,
  name: `Load ${i}`,
  aadObjectId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
});

// node:http with one keep-alive pool: fetch (undici and web streams) costs the bench process about
// twice the CPU per request, and on two cores every millisecond the driver spends is taken from the
// server being measured.
// Idle sockets are dropped after 4 s, before the servers' 5 s keep-alive timeout closes them under
// a request; a request that still meets a socket closed by the server is sent again once.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000 });

function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  retried = false,
): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  return new Promise<{ status: number; ms: number }>((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  }).catch((e: NodeJS.ErrnoException) => {
    if (retried || (e.code !== 'ECONNRESET' && e.code !== 'EPIPE')) throw e;
    return post(url, headers, body, true);
  });
}

export const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(s.length * p) - 1))] ?? Number.NaN;
};

/** User + system CPU seconds of a process, all its threads (from /proc; 0 where there is none). */
export function cpuSeconds(pid: number | undefined, mainThreadOnly = false): number {
  if (!pid) return 0;
  try {
    const fields =
      readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8')
        .split(') ')[1]
        ?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** Peak resident memory of a process (VmHWM), MB. */
export function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

const cpuOf = (t: Target, main = false): number =>
  t.pids.reduce<number>((a, p) => a + cpuSeconds(p, main), 0);

let seq = 0;

/** Sends `count` messages at `rate`/s to `target` and waits (bounded) for every reply. */
export async function step(
  fakes: Fakes,
  target: Target,
  platform: Platform,
  rate: number,
  count: number,
): Promise<Step> {
  const { slack, connector } = fakes;
  const sentAt = new Map<string, number>();
  const acks: number[] = [];
  const before = slack.calls.length;
  const beforeTeams = connector.calls.length;
  const cpu0 = cpuOf(target);
  const main0 = cpuOf(target, true);
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  const errors: Error[] = [];
  // Handled at once: a refused request is counted (its reply never comes), not a crash of the bench.
  const track = (p: Promise<void>) =>
    inflight.push(
      p.catch((e: Error) => {
        errors.push(e);
      }),
    );
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const k = ++seq;
    const url = target.urls[k % target.urls.length] as string;
    const text = textFor(k);
    if (platform === 'slack' || (platform === 'both' && k % 2 === 0)) {
      const channel = `D0LOAD${k}`;
      const body = eventEnvelope(
        {
          type: 'message',
          channel,
          channel_type: 'im',
          user: `U0LOAD${k % fakes.users}`,
          text,
          ts: `${Math.floor(Date.now() / 1000)}.${String(k).padStart(6, '0')}`,
        },
        { eventId: `EvLOAD${k}` },
      );
      const ts = Math.floor(Date.now() / 1000);
      sentAt.set(channel, Date.now());
      track(
        post(
          `${url}/slack/events`,
          {
            'content-type': 'application/json',
            'x-slack-request-timestamp': String(ts),
            'x-slack-signature': slackSignature(fakes.signingSecret, ts, body),
          },
          body,
        ).then((r) => {
          if (r.status >= 300) throw new Error(`${target.name}: Slack event refused with HTTP ${r.status}`);
          acks.push(r.ms);
        }),
      );
    } else {
      const conversationId = `a:1load-${k}`;
      const activity = messageActivity(text, {
        serviceUrl: connector.serviceUrl,
        id: `f:load-${k}`,
        from: teamsUser(k % fakes.users),
        conversationId,
      });
      sentAt.set(conversationId, Date.now());
      track(
        post(
          `${url}/api/messages`,
          { 'content-type': 'application/json', authorization: fakes.teamsAuth },
          JSON.stringify(activity),
        ).then((r) => {
          if (r.status >= 300)
            throw new Error(`${target.name}: Teams activity refused with HTTP ${r.status}`);
          acks.push(r.ms);
        }),
      );
    }
  }
  await Promise.all(inflight);
  if (errors.length > 0)
    process.stdout.write(`${target.name}: ${errors.length} requests failed, e.g. ${errors[0]?.message}\n`);
  const sendSeconds = (performance.now() - t0) / 1000;
  const deadline = Date.now() + 30_000;
  const firstReply = new Map<string, number>();
  let scannedSlack = before;
  let scannedTeams = beforeTeams;
  while (Date.now() < deadline) {
    for (; scannedSlack < slack.calls.length; scannedSlack++) {
      const c = slack.calls[scannedSlack];
      const ch = String(c?.args.channel ?? '');
      if (c?.method === 'chat.postMessage' && sentAt.has(ch) && !firstReply.has(ch)) firstReply.set(ch, c.at);
    }
    for (; scannedTeams < connector.calls.length; scannedTeams++) {
      const c = connector.calls[scannedTeams];
      const ch = c?.conversationId ?? '';
      if ((c?.kind === 'send' || c?.kind === 'reply') && sentAt.has(ch) && !firstReply.has(ch))
        firstReply.set(ch, c.at);
    }
    if (firstReply.size >= count) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const cpuMs = (cpuOf(target) - cpu0) * 1000;
  const mainCpuMs = (cpuOf(target, true) - main0) * 1000;
  const client = process.cpuUsage(client0);
  const lat = [...firstReply].map(([ch, at]) => at - (sentAt.get(ch) ?? at));
  const times = [...firstReply.values()];
  return {
    rate,
    count,
    replies: firstReply.size,
    achieved: (times.length - 1) / ((Math.max(...times) - Math.min(...times)) / 1000),
    p50: pct(lat, 0.5),
    p99: pct(lat, 0.99),
    ackP99: pct(acks, 0.99),
    lost: count - firstReply.size,
    sendSeconds,
    cpuMs: cpuMs / count,
    mainCpuMs: mainCpuMs / count,
    clientCpuMs: (client.user + client.system) / 1000 / count,
  };
}

/** What a target burns with no traffic (timers, polls): the floor under every per-message figure. */
export async function idleCpuMsPerS(target: Target, seconds = 3): Promise<number> {
  await new Promise((r) => setTimeout(r, 1000));
  const c0 = cpuOf(target);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return ((cpuOf(target) - c0) * 1000) / seconds;
}

/** A step whose every reply arrived within the p99 bar sustained its offered rate. */
export const sustained = (s: Step, barMs = 250): boolean => s.lost === 0 && s.p99 <= barMs;

/** The highest rate sustained, else the best rate achieved (and whether it was sustained). */
export function bestRate(steps: Step[]): { rate: number; step: Step | undefined; sustained: boolean } {
  const ok = steps.filter((s) => sustained(s));
  const top = ok.at(-1);
  if (top) return { rate: top.rate, step: top, sustained: true };
  const best = [...steps].sort((a, b) => b.achieved - a.achieved)[0];
  return { rate: best?.achieved ?? 0, step: best, sustained: false };
}

export function formatStep(name: string, s: Step): string {
  return `${name.padEnd(9)} ${String(s.rate).padStart(4)}/s: sent ${s.count} in ${s.sendSeconds.toFixed(1)} s, replies ${s.replies} (${s.achieved.toFixed(0)}/s), e2e p50 ${s.p50.toFixed(0)} ms p99 ${s.p99.toFixed(0)} ms, ack p99 ${s.ackP99.toFixed(0)} ms; CPU/msg server ${s.cpuMs.toFixed(2)} ms (main thread ${s.mainCpuMs.toFixed(2)}), client ${s.clientCpuMs.toFixed(2)} ms`;
}
