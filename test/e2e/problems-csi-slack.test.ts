/**
 * Issue 18 items 9 and 12 over Slack's real wire format (signed Events API and interactivity requests
 * in, a fake Slack Web API recording what the bot posts): five people report the same outage in DMs;
 * the sweep posts one "Possible problem" card (its own card, not a handoff card) to the group's triage
 * channel; an agent's click creates the problem, links the reports and tells each reporter once; the
 * problem's resolution offers the open incidents, resolving them asks each requester to confirm. Then a
 * manager works the improvement register from chat and REST, and its owner is told.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { eventEnvelope, FORM, interactivityBody, postSigned, slackTs } from '../support/slack-signing.js';

const SECRET = 'prb-e2e-signing-secret';
const TOKEN = 'prb-e2e-api-token-0123456789';
const REPORTERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
const uid = (name: string) => `U0${name.toUpperCase()}`;
const dm = (name: string) => `D0${name.toUpperCase()}`;

let slack: FakeSlackApi;
let app: App;
let base: string;
let dir: string;

const slackPost = (body: string, form = false) =>
  postSigned(`${base}/slack/events`, SECRET, body, form ? { contentType: FORM } : {});
const say = (name: string, text: string) =>
  slackPost(
    eventEnvelope({
      type: 'message',
      channel: dm(name),
      channel_type: 'im',
      user: uid(name),
      text,
      ts: slackTs(),
      team: 'T0001',
    }),
  );
const api = (method: string, path: string, as: string, body?: unknown) =>
  fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'x-on-behalf-of': as },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const textsTo = (channel: string) =>
  slack
    .callsOf('chat.postMessage')
    .filter((c) => c.args.channel === channel)
    .map((c) => String(c.args.text));
type Block = {
  type: string;
  elements?: Array<{ action_id: string; value: string; text?: { text: string } }>;
};
const buttonsOf = (blocks: unknown) =>
  ((blocks ?? []) as Block[]).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));
const click = (name: string, channel: string, ts: string, button: { action_id: string; value: string }) =>
  slackPost(
    interactivityBody({
      type: 'block_actions',
      trigger_id: `trig.${name}.${ts}`,
      user: { id: uid(name), team_id: 'T0001' },
      team: { id: 'T0001' },
      channel: { id: channel },
      container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false },
      message: { ts },
      actions: [
        {
          type: 'button',
          action_id: button.action_id,
          value: button.value,
          block_id: 'x',
          action_ts: slackTs(),
        },
      ],
    }),
    true,
  );

beforeAll(async () => {
  slack = await startFakeSlackApi();
  for (const name of [...REPORTERS, 'grace', 'maria', 'heidi'])
    slack.users.set(uid(name), { id: uid(name), email: `${name}@example.com`, name });
  dir = mkdtempSync(join(tmpdir(), 'chatdesk-prb-e2e-'));
  const dataDir = join(dir, 'data');
  cpSync(join(import.meta.dirname, '../../data'), dataDir, { recursive: true });
  const itil = JSON.parse(readFileSync(join(dataDir, 'itil.json'), 'utf8'));
  itil.problems = { ...itil.problems, clusterMinIncidents: 5, clusterWindowMinutes: 60 };
  writeFileSync(join(dataDir, 'itil.json'), JSON.stringify(itil));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`,
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'silent',
    NLU_THREAD: 'inline',
    API_TOKEN: TOKEN,
    TEAMS_ENABLED: 'false',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-prb-e2e',
    SLACK_API_URL: slack.apiUrl,
  });
  app = await createApp(config, { log: silentLogger });
  ({ url: base } = await app.listen());
}, 180_000);

afterAll(async () => {
  await app?.close();
  await slack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('outage → problem in one click, over Slack', () => {
  it('posts its own card, one click makes the problem and tells each reporter once; resolving asks them to confirm', async () => {
    for (const name of REPORTERS) {
      expect((await say(name, 'Outlook is down: I cannot send or receive any email since 9am')).status).toBe(
        200,
      );
      await app.drain();
    }
    const incidents = await app.db
      .selectFrom('tickets')
      .select(['number', 'group_id'])
      .where('kind', '=', 'incident')
      .orderBy('id')
      .execute();
    expect(incidents, textsTo(dm('alice')).join('\n')).toHaveLength(5);

    await app.slaSweeper.runOnce();
    await app.drain();
    const cards = slack
      .callsOf('chat.postMessage')
      .filter((c) => /Possible problem: 5 similar reports/.test(String(c.args.text)));
    expect(cards).toHaveLength(1);
    const card = cards[0];
    // Its own card: no handoff wording, not in a thread, with the two buttons.
    expect(String(card?.args.text)).not.toMatch(/Reply in this thread|POST \/api/);
    expect(card?.args.thread_ts).toBeUndefined();
    const buttons = buttonsOf(card?.args.blocks);
    const create = buttons.find(
      (b) => b.action_id.includes('problem.create') && !b.value.includes('"major"'),
    );
    expect(create, JSON.stringify(card?.args.blocks)).toBeDefined();
    // A second sweep announces nothing new.
    await app.slaSweeper.runOnce();
    await app.drain();
    expect(
      slack.callsOf('chat.postMessage').filter((c) => /Possible problem/.test(String(c.args.text))),
    ).toHaveLength(1);

    const channel = String(card?.args.channel);
    const ts = String(card?.response?.ts);
    expect((await click('grace', channel, ts, create as { action_id: string; value: string })).status).toBe(
      200,
    );
    await app.drain();
    const problems = await app.db
      .selectFrom('tickets')
      .select('number')
      .where('kind', '=', 'problem')
      .execute();
    expect(problems).toHaveLength(1);
    const prb = problems[0]?.number as string;
    const view = (await (await api('GET', `/problems/${prb}`, 'grace@example.com')).json()) as {
      incidents: Array<{ number: string }>;
    };
    expect(view.incidents.map((i) => i.number).sort()).toEqual(incidents.map((i) => i.number).sort());
    for (const name of REPORTERS)
      expect(textsTo(dm(name)).filter((t) => t.includes(`as part of a wider issue (${prb}`))).toHaveLength(1);
    // The card now says who made it (updated in place) — and a second click creates nothing.
    expect((await click('heidi', channel, ts, create as { action_id: string; value: string })).status).toBe(
      200,
    );
    await app.drain();
    expect(
      await app.db.selectFrom('tickets').select('number').where('kind', '=', 'problem').execute(),
    ).toHaveLength(1);
    for (const name of REPORTERS)
      expect(textsTo(dm(name)).filter((t) => t.includes('wider issue'))).toHaveLength(1);

    // Resolve the problem from chat: the open incidents are offered; resolving them asks each requester.
    expect((await say('grace', `resolve ${prb}: mail transport queue restarted`)).status).toBe(200);
    await app.drain();
    expect(textsTo(dm('grace')).join('\n')).toMatch(
      new RegExp(`5 linked incident\\(s\\) are still open.*resolve incidents of ${prb}`, 's'),
    );
    expect((await say('grace', `resolve incidents of ${prb}`)).status).toBe(200);
    await app.drain();
    expect(textsTo(dm('grace')).join('\n')).toMatch(/each requester is asked to confirm/);
    for (const name of REPORTERS) {
      const asked = slack
        .callsOf('chat.postMessage')
        .filter((c) => c.args.channel === dm(name) && /Does it work for you now/.test(String(c.args.text)));
      expect(asked).toHaveLength(1);
      expect(buttonsOf(asked[0]?.args.blocks).map((b) => b.text?.text)).toContain('Confirm and close');
    }
    const states = await app.db
      .selectFrom('tickets')
      .select('state')
      .where('kind', '=', 'incident')
      .execute();
    expect(states.every((s) => s.state === 'resolved')).toBe(true);
  });
});

describe('improvement register over Slack and REST', () => {
  it('a manager moves and hands over items from chat; the owner is told; REST and the audit agree', async () => {
    const now = app.now().toISOString();
    await app.kpiStore.recordBreaches(
      [
        {
          key: 'sla_resolution:group:service-desk',
          kpi: 'sla_resolution',
          scopeKind: 'group',
          scope: 'service-desk',
          title: 'SLA resolution 70% < 90% in service-desk',
          target: 0.9,
          value: 0.7,
          n: 10,
          evidence: {},
        } as never,
      ],
      now,
    );
    const [item] = await app.kpiStore.improvementItems({ status: 'open' });
    expect(item).toBeDefined();
    const id = item?.id as number;
    // Grace has talked to the bot before, so the hand-over reaches her DM.
    await say('grace', 'hi');
    await say('maria', 'improvements');
    await app.drain();
    expect(textsTo(dm('maria')).join('\n')).toMatch(
      new RegExp(`Improvement register: 1 open[\\s\\S]*#${id} \\[open\\] SLA resolution`),
    );

    await say('maria', `improvement ${id} owner grace@example.com: please look at the backlog`);
    await app.drain();
    expect(textsTo(dm('grace')).join('\n')).toMatch(new RegExp(`made you the owner of improvement #${id}`));

    // The owner moves it; a colleague who does not own it cannot.
    await say('grace', `improvement ${id} in progress: reviewing the queue`);
    await say('heidi', `improvement ${id} done`);
    await app.drain();
    expect(textsTo(dm('grace')).join('\n')).toMatch(
      new RegExp(`Improvement #${id} "SLA resolution.*" is in progress`),
    );
    expect(textsTo(dm('heidi')).join('\n')).toMatch(/Only managers, admins or the owner/);

    // REST: the manager closes it; the owner hears of it; illegal moves are refused by code.
    const done = await api('POST', `/improvements/${id}/transitions`, 'maria@example.com', {
      to: 'done',
      note: 'SLA back above 90%',
    });
    expect(done.status).toBe(200);
    await app.drain();
    expect(textsTo(dm('grace')).join('\n')).toMatch(
      new RegExp(`moved your improvement #${id} .* to done: SLA back above 90%`),
    );
    const bad = await api('POST', `/improvements/${id}/transitions`, 'maria@example.com', {
      to: 'in_progress',
    });
    expect(bad.status).toBe(409);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('illegal_transition');
    const list = (await (await api('GET', '/improvements', 'maria@example.com')).json()) as {
      items: Array<{ id: number; status: string; ownerId: number | null }>;
    };
    expect(list.items.find((i) => i.id === id)?.status).toBe('done');
    const audit = await app.db
      .selectFrom('improvement_events')
      .select(['field', 'to_value'])
      .where('item_id', '=', id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => `${a.field}:${a.field === 'status' ? a.to_value : 'x'}`)).toEqual([
      'owner:x',
      'status:in_progress',
      'status:done',
    ]);

    // The same register on the dashboard: counts, and only what is still being worked.
    const dash = (await (
      await fetch(`${base}/dashboard/data.json`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { improvements: { counts: Record<string, number>; items: Array<{ id: number }> } };
    expect(dash.improvements.counts).toMatchObject({ done: 1, in_progress: 0 });
    expect(dash.improvements.items.map((i) => i.id)).not.toContain(id);
  });
});
