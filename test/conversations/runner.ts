/**
 * Runs scripted scenarios against a desk on one platform and scores every turn: a turn is right when
 * all of its expectations hold. Used by the vitest files (one per platform) and bench/conversations.ts.
 */
import {
  agentClicks,
  agentMark,
  agentSays,
  agentThreadSince,
  type Channel,
  localChannel,
  type Seen,
  slackChannel,
  teamsChannel,
} from './channels.js';
import { type Desk, type Persona, type PlatformName, requester, staff, startDesk } from './desk.js';
import { SCENARIOS } from './scenarios/index.js';
import type { Expectation, Scenario, ScriptTurn } from './script.js';

export interface TurnResult {
  scenario: string;
  line: number;
  source: string;
  ok: boolean;
  failures: string[];
  /** What the requester saw, for the failure report. */
  seen: string;
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A bot line → a regex: `{INC:name}` captures a ticket number, `{name}` is a captured value, `...` anything. */
function compile(pattern: string, vars: Map<string, string>): { re: RegExp; captures: string[] } {
  const captures: string[] = [];
  let src = '';
  const re = /\{(INC|REQ|CHG|PRB|TICKET):(\w+)\}|\{(\w+)\}|\.\.\./g;
  let last = 0;
  for (const m of pattern.matchAll(re)) {
    src += escapeRe(pattern.slice(last, m.index)).replace(/\s+/g, '\\s+');
    if (m[1] && m[2]) {
      captures.push(m[2]);
      src += m[1] === 'TICKET' ? '((?:INC|REQ|CHG|PRB)\\d{7})' : `(${m[1]}\\d{7})`;
    } else if (m[3]) {
      const v = vars.get(m[3]);
      if (v === undefined) throw new Error(`{${m[3]}} was never captured`);
      src += escapeRe(v);
    } else src += '[\\s\\S]*?';
    last = (m.index ?? 0) + m[0].length;
  }
  src += escapeRe(pattern.slice(last)).replace(/\s+/g, '\\s+');
  return { re: new RegExp(src, 'i'), captures };
}

interface Ctx {
  desk: Desk;
  who: Persona;
  vars: Map<string, string>;
}

async function ticketChecks(ctx: Ctx, e: Extract<Expectation, { kind: 'ticket' }>): Promise<string[]> {
  const number = ctx.vars.get(e.ref);
  if (!number) return [`{${e.ref}} was never captured`];
  const db = ctx.desk.app.db;
  const t = await db.selectFrom('tickets').selectAll().where('number', '=', number).executeTakeFirst();
  if (!t) return [`${number} does not exist`];
  const group =
    t.group_id === null
      ? null
      : await db.selectFrom('groups').select('slug').where('id', '=', t.group_id).executeTakeFirst();
  const comments = await db.selectFrom('comments').select('body').where('ticket_id', '=', t.id).execute();
  const fields = JSON.parse(t.fields) as Record<string, unknown>;
  const failures: string[] = [];
  const sub = (v: string) => v.replace(/\{(\w+)\}/g, (_, k: string) => ctx.vars.get(k) ?? `{${k}}`);
  for (const raw of e.checks) {
    const c = { ...raw, values: raw.values.map(sub) };
    let actual: string;
    if (c.key === 'group') actual = group?.slug ?? '';
    else if (c.key === 'comments') actual = comments.map((x) => x.body).join('\n');
    else if (c.key.startsWith('field.')) {
      const v = fields[c.key.slice(6)];
      actual = Array.isArray(v) ? v.join(',') : v === undefined ? '' : String(v);
    } else actual = String((t as Record<string, unknown>)[c.key] ?? '');
    const ok =
      c.op === '='
        ? c.values.some((v) => v === actual)
        : c.values.some((v) =>
            v.startsWith('!')
              ? !actual.toLowerCase().includes(v.slice(1).toLowerCase())
              : actual.toLowerCase().includes(v.toLowerCase()),
          );
    if (!ok) failures.push(`${number} ${c.key}${c.op}${c.values.join('|')} but is "${actual.slice(0, 200)}"`);
  }
  return failures;
}

async function check(ctx: Ctx, turn: ScriptTurn, seen: Seen, thread: Seen): Promise<string[]> {
  const failures: string[] = [];
  const all = norm(seen.texts.join('\n'));
  for (const e of turn.expect) {
    if (e.kind === 'bot' || e.kind === 'thread') {
      const hay = e.kind === 'bot' ? all : norm(thread.texts.join('\n'));
      const { re, captures } = compile(e.pattern, ctx.vars);
      const m = re.exec(hay);
      if (e.negate ? m !== null : m === null) failures.push(`line ${e.line}: ${e.source}`);
      if (m && !e.negate)
        captures.forEach((name, i) => {
          ctx.vars.set(name, m[i + 1] ?? '');
        });
    } else if (e.kind === 'buttons') {
      for (const label of e.labels) {
        const has = seen.buttons.some((b) => b.toLowerCase() === label.toLowerCase());
        if (has === e.negate)
          failures.push(`line ${e.line}: ${e.source} (buttons: ${seen.buttons.join(' | ')})`);
      }
    } else if (e.kind === 'tickets') {
      const person = await ctx.desk.app.directory.personByEmail(ctx.who.email);
      const rows = await ctx.desk.app.db
        .selectFrom('tickets')
        .select('id')
        .where('requester_id', '=', person?.id ?? -1)
        .execute();
      if (rows.length !== e.count) failures.push(`line ${e.line}: ${e.source} (has ${rows.length})`);
    } else {
      for (const f of await ticketChecks(ctx, e)) failures.push(`line ${e.line}: ${f}`);
    }
  }
  return failures;
}

function channelFor(desk: Desk): Channel {
  if (desk.platform === 'slack') return slackChannel(desk);
  if (desk.platform === 'teams') return teamsChannel(desk);
  return localChannel(desk);
}

export const personaOf = (s: Scenario, index: number): Persona => (s.as ? staff(s.as) : requester(index + 1));

export async function runScenario(
  desk: Desk,
  channel: Channel,
  s: Scenario,
  who: Persona,
): Promise<TurnResult[]> {
  const ctx: Ctx = {
    desk,
    who,
    vars: new Map([
      ['first', who.name.split(' ')[0] ?? who.name],
      ['email', who.email],
    ]),
  };
  const results: TurnResult[] = [];
  for (const turn of s.turns) {
    let seen: Seen = { texts: [], buttons: [], cards: [] };
    let thread: Seen = { texts: [], buttons: [], cards: [] };
    let failures: string[] = [];
    try {
      const a = turn.action;
      const fill = (t: string) =>
        t.replace(/\{(\w+)\}/g, (_, k: string) => {
          const v = ctx.vars.get(k);
          if (v === undefined) throw new Error(`{${k}} was never captured`);
          return v;
        });
      if (a.kind === 'say') seen = await channel.say(who, fill(a.text));
      else if (a.kind === 'click') seen = await channel.click(who, a.label);
      else {
        const number = ctx.vars.get(a.ticket);
        if (!number) throw new Error(`{${a.ticket}} was never captured`);
        const mark = channel.mark(who);
        const threadMark = agentMark(desk);
        if (a.kind === 'agent_say') await agentSays(desk, staff(a.agent), number, a.text);
        else await agentClicks(desk, staff(a.agent), number, a.label);
        seen = channel.since(who, mark);
        thread = agentThreadSince(desk, number, threadMark);
      }
      failures = await check(ctx, turn, seen, thread);
    } catch (e) {
      failures = [`line ${turn.line}: ${e instanceof Error ? e.message : String(e)}`];
    }
    results.push({
      scenario: s.id,
      line: turn.line,
      source: turn.source,
      ok: failures.length === 0,
      failures,
      seen: seen.texts.join('\n---\n'),
    });
  }
  return results;
}

export interface SuiteRun {
  desk: Desk;
  channel: Channel;
  scenarios: Scenario[];
  personas: Map<string, Persona>;
}

export async function startSuite(
  platform: PlatformName,
  scenarios: Scenario[] = SCENARIOS,
): Promise<SuiteRun> {
  const personas = new Map(scenarios.map((s, i) => [s.id, personaOf(s, i)]));
  const desk = await startDesk(
    platform,
    [...personas.values()].filter((p) => /^s\d+@/.test(p.email)),
  );
  return { desk, channel: channelFor(desk), scenarios, personas };
}

export async function runAll(
  platform: PlatformName,
  scenarios: Scenario[] = SCENARIOS,
): Promise<TurnResult[]> {
  const suite = await startSuite(platform, scenarios);
  try {
    const out: TurnResult[] = [];
    for (const s of scenarios)
      out.push(...(await runScenario(suite.desk, suite.channel, s, suite.personas.get(s.id) as Persona)));
    return out;
  } finally {
    await suite.desk.close();
  }
}

export function report(results: TurnResult[]): string {
  return results
    .filter((r) => !r.ok)
    .map(
      (r) =>
        `${r.scenario} line ${r.line} "${r.source}":\n  ${r.failures.join('\n  ')}\n  saw: ${r.seen.replace(/\n/g, '\n       ')}`,
    )
    .join('\n\n');
}
