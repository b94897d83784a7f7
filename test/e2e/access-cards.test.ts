/**
 * Access through real Slack card buttons (signed block_actions to /slack/events, fake Slack Web API):
 * another employee replaying the requester's ticket-card buttons or the triage card's agent buttons
 * is refused and the ticket does not change.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { silentLogger } from '../../src/log.js';
import { buildTestApp } from '../support/app.js';
import { type FakeBotConnector, startFakeBotConnector } from '../support/fake-bot-connector.js';
import { type FakeSlackApi, type RecordedCall, startFakeSlackApi } from '../support/fake-slack-api.js';
import { blockActions } from '../support/slack-payloads.js';
import { eventEnvelope, FORM, interactivityBody, postSigned, slackTs } from '../support/slack-signing.js';
import { ALICE, BOB, executeActivity, messageActivity } from '../support/teams-activities.js';

const SECRET = 'access-cards-signing-secret';
type Button = { action_id: string; value: string };

describe('card buttons pressed by the wrong person (Slack and Teams)', () => {
  let fake: FakeSlackApi;
  let connector: FakeBotConnector;
  let app: App;
  let url = '';
  let base = '';
  let dir = '';

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    for (const [id, name] of [
      ['U0ALICE', 'alice'],
      ['U0BOB', 'bob'],
    ] as const)
      fake.users.set(id, { id, email: `${name}@example.com`, name });
    connector = await startFakeBotConnector();
    connector.addMember(ALICE, 'alice@example.com');
    connector.addMember(BOB, 'bob@example.com');
    dir = mkdtempSync(join(tmpdir(), 'chatdesk-access-cards-'));
    app = await buildTestApp(
      `sqlite:${join(dir, 'desk.sqlite')}`,
      {
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_BOT_TOKEN: 'xoxb-access',
        SLACK_API_URL: fake.apiUrl,
        TEAMS_ENABLED: 'true',
        TEAMS_EMULATOR: 'true',
        LOG_LEVEL: 'silent',
      },
      { log: silentLogger },
    );
    base = (await app.listen()).url;
    url = `${base}/slack/events`;
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await fake?.close();
    await connector?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const buttonsOf = (c: RecordedCall | undefined): Button[] =>
    ((c?.args.blocks ?? []) as Array<{ type: string; elements?: Button[] }>).flatMap((b) =>
      b.type === 'actions' ? (b.elements ?? []) : [],
    );
  const click = (user: string, channel: string, ts: string, button: Button) =>
    postSigned(
      url,
      SECRET,
      interactivityBody(blockActions({ user, channel, ts, button, triggerId: `trig.${user}` })),
      { contentType: FORM },
    );
  const snapshot = async (number: string) => {
    const t = await app.db
      .selectFrom('tickets')
      .select(['id', 'state', 'assignee_id', 'version'])
      .where('number', '=', number)
      .executeTakeFirstOrThrow();
    const owner = await app.db
      .selectFrom('conversations')
      .select('owner')
      .where('ticket_id', '=', t.id)
      .execute();
    return {
      state: t.state,
      assignee: t.assignee_id,
      version: t.version,
      owners: owner.map((o) => o.owner).sort(),
    };
  };

  it("refuses another employee replaying the requester's and the triage card's buttons", async () => {
    const open = await postSigned(
      url,
      SECRET,
      eventEnvelope({
        type: 'message',
        channel: 'D0ALICE',
        channel_type: 'im',
        user: 'U0ALICE',
        text: 'my vpn keeps dropping',
        ts: slackTs(),
      }),
    );
    expect(open.status).toBe(200);
    await app.drain();
    const card = fake
      .callsOf('chat.postMessage')
      .find((c) => c.args.channel === 'D0ALICE' && /INC\d{7}/.test(String(c.args.text)));
    const number = /INC\d{7}/.exec(String(card?.args.text))?.[0] ?? '';
    expect(number).not.toBe('');
    const requesterButtons = buttonsOf(card);
    expect(requesterButtons.length).toBeGreaterThan(0);

    // Alice asks for a person so the triage card with agent buttons exists.
    const human = requesterButtons.find((b) => b.action_id.startsWith('cd:ticket.human:'));
    expect(human).toBeDefined();
    await click('U0ALICE', 'D0ALICE', String(card?.response?.ts), human as Button);
    await app.drain();
    const triage = fake
      .callsOf('chat.postMessage')
      .find((c) => String(c.args.channel).startsWith('C') && String(c.args.text).includes(number));
    const agentButtons = buttonsOf(triage);
    expect(agentButtons.some((b) => b.action_id.startsWith('cd:agent.claim:'))).toBe(true);

    const before = await snapshot(number);
    const from = fake.calls.length;
    // Bob replays every button of Alice's card (in his own DM) and every agent button (in the triage channel).
    for (const b of requesterButtons)
      expect((await click('U0BOB', 'D0BOB', String(card?.response?.ts), b)).status).toBe(200);
    for (const b of agentButtons)
      expect(
        (await click('U0BOB', String(triage?.args.channel), String(triage?.response?.ts), b)).status,
      ).toBe(200);
    await app.drain();
    expect(await snapshot(number)).toEqual(before);
    const toBob = fake.calls
      .slice(from)
      .filter((c) => JSON.stringify(c.args).includes('D0BOB') || c.args.user === 'U0BOB');
    expect(JSON.stringify(toBob.map((c) => c.args))).not.toMatch(/vpn keeps dropping/i);
    // Nothing was posted into Alice's conversation because of Bob's clicks.
    expect(fake.calls.slice(from).filter((c) => c.args.channel === 'D0ALICE')).toHaveLength(0);
  }, 60_000);
  it('refuses another Teams user sending Action.Execute for the requester card and agent actions', async () => {
    const post = (body: unknown) =>
      fetch(`${base}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const first = await post(
      messageActivity('my laptop screen is flickering', { serviceUrl: connector.serviceUrl, from: ALICE }),
    );
    expect(first.status, await first.text()).toBeLessThan(300);
    await app.drain();
    const alice = await app.directory.personByEmail('alice@example.com');
    const row = await app.db
      .selectFrom('tickets')
      .select('number')
      .where('requester_id', '=', alice?.id ?? -1)
      .where('channel', '=', 'teams')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const before = await snapshot(row.number);
    const from = connector.calls.length;
    const bobConv = 'a:1personal-bob';
    for (const actionId of [
      'ticket.close',
      'ticket.cancel',
      'ticket.human',
      'ticket.add_info',
      'ticket.rate',
      'agent.claim',
      'agent.resolve',
      'agent.escalate',
      'agent.handback',
      'approval.approve',
    ]) {
      const r = await post(
        executeActivity(
          { chatdesk: { actionId, value: { ticket: row.number, rating: 1, text: 'x' } } },
          { serviceUrl: connector.serviceUrl, from: BOB, conversationId: bobConv },
        ),
      );
      expect(r.status).toBeLessThan(500);
    }
    await app.drain();
    expect(await snapshot(row.number)).toEqual(before);
    const sent = JSON.stringify(connector.calls.slice(from).map((c) => c.body));
    expect(sent).not.toMatch(/screen is flickering/i);
  }, 60_000);
});
