/**
 * The handoff protocol across platforms, over the real wire formats: one server with Slack (signed
 * requests, fake Web API) and Teams (Bot Framework activities, fake Bot Connector) both enabled.
 * Service Desk agents work in Slack; Workplace agents work in Teams.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { type FakeBotConnector, startFakeBotConnector } from '../support/fake-bot-connector.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { blockActions } from '../support/slack-payloads.js';
import { eventEnvelope, FORM, interactivityBody, postSigned, slackTs } from '../support/slack-signing.js';
import { ALICE, executeActivity, messageActivity } from '../support/teams-activities.js';

const SECRET = 'handoff-e2e-signing-secret';
const IVAN = { id: '29:1ivan', name: 'Ivan Petrov', aadObjectId: '00000000-0000-0000-0000-0000000001a1' };
const WORKPLACE_CHANNEL = '19:workplace-triage@thread.tacv2';

let slack: FakeSlackApi;
let teams: FakeBotConnector;
let app: App;
let base: string;
let dir: string;

const slackPost = (body: string, form = false) =>
  postSigned(`${base}/slack/events`, SECRET, body, form ? { contentType: FORM } : {});
const teamsPost = async (activity: Record<string, unknown>) => {
  const r = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
  return r.status;
};
const settle = () => app.drain();

type Block = {
  type: string;
  elements?: Array<{ action_id: string; value: string; text?: { text: string } }>;
};
const buttonsOf = (blocks: unknown) =>
  ((blocks ?? []) as Block[]).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));
const slackClick = (
  user: string,
  channel: string,
  ts: string,
  button: { action_id: string; value: string },
) => slackPost(interactivityBody(blockActions({ user, channel, ts, button })), true);
const slackThreadReply = (user: string, channel: string, rootTs: string, text: string) =>
  slackPost(
    eventEnvelope({
      type: 'message',
      channel,
      channel_type: 'channel',
      user,
      text,
      ts: slackTs(),
      thread_ts: rootTs,
      parent_user_id: 'UBOT',
    }),
  );
const teamsTexts = (conversationPrefix: string) =>
  teams
    .messages()
    .filter((c) => c.conversationId?.startsWith(conversationPrefix))
    .map((c) => String(c.body?.text ?? ''));
const slackTexts = (channel: string) =>
  slack.callsOf('chat.postMessage').filter((c) => c.args.channel === channel);

beforeAll(async () => {
  slack = await startFakeSlackApi();
  teams = await startFakeBotConnector();
  for (const [id, name] of [
    ['U0BOB', 'bob'],
    ['U0GRACE', 'grace'],
    ['U0HEIDI', 'heidi'],
  ] as const) {
    slack.users.set(id, { id, email: `${name}@example.com`, name });
  }
  teams.addMember(ALICE, 'alice@example.com');
  teams.addMember(IVAN, 'ivan@example.com');
  dir = mkdtempSync(join(tmpdir(), 'chatdesk-handoff-e2e-'));
  const dataDir = join(dir, 'data');
  cpSync(join(import.meta.dirname, '../../data'), dataDir, { recursive: true });
  writeFileSync(
    join(dataDir, 'groups.json'),
    JSON.stringify({
      groups: [
        {
          slug: 'service-desk',
          name: 'Service Desk',
          manager: 'maria@example.com',
          members: ['grace@example.com', 'heidi@example.com'],
          escalation: 'workplace',
          triage: { slack: { channelId: 'C0SERVICEDESK' } },
        },
        {
          slug: 'workplace',
          name: 'Workplace Services',
          manager: 'maria@example.com',
          members: ['ivan@example.com'],
          triage: {
            teams: {
              teamId: '19:team@thread.tacv2',
              channelId: WORKPLACE_CHANNEL,
              serviceUrl: teams.serviceUrl,
            },
          },
        },
        {
          slug: 'infra',
          name: 'Network & Security',
          manager: 'peggy@example.com',
          members: ['judy@example.com'],
          triage: { slack: { channelId: 'C0INFRA' } },
        },
      ],
    }),
  );
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`,
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'silent',
    TEAMS_ENABLED: 'true',
    TEAMS_EMULATOR: 'true',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-handoff-e2e',
    SLACK_API_URL: slack.apiUrl,
  });
  app = await createApp(config, { log: silentLogger });
  ({ url: base } = await app.listen());
}, 180_000);

afterAll(async () => {
  await app?.close();
  await slack?.close();
  await teams?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('handoff across Slack and Teams', () => {
  it('requester in Teams, agents in Slack: card, 👀 claim, relay both ways, ;; note kept internal, hand back', async () => {
    expect(
      await teamsPost(
        messageActivity('I need to talk to a human about my expense app login', {
          serviceUrl: teams.serviceUrl,
        }),
      ),
    ).toBe(200);
    await settle();
    const number = /INC\d{7}/.exec(teamsTexts('a:1personal-alice').join('\n'))?.[0] ?? '';
    expect(number).not.toBe('');
    const card = slackTexts('C0SERVICEDESK').find((c) => String(c.args.text).includes(number));
    expect(card, 'handoff card in the Slack triage channel').toBeDefined();
    const root = String(card?.response?.ts);
    expect(String(card?.args.text)).toMatch(/Reason: requester asked for a person/);

    // 👀 on the card claims it.
    await slackPost(
      eventEnvelope({
        type: 'reaction_added',
        user: 'U0GRACE',
        reaction: 'eyes',
        item_user: 'UBOT',
        item: { type: 'message', channel: 'C0SERVICEDESK', ts: root },
        event_ts: slackTs(),
      }),
    );
    await settle();
    expect(teamsTexts('a:1personal-alice').join('\n')).toMatch(
      /Grace Hopper from the IT service desk has joined/,
    );

    await slackThreadReply('U0GRACE', 'C0SERVICEDESK', root, 'Hi Alice, do you see an error code?');
    await slackThreadReply('U0GRACE', 'C0SERVICEDESK', root, ';; looks like the SSO certificate again');
    await settle();
    const toAlice = teamsTexts('a:1personal-alice');
    expect(
      toAlice.some((t) => /Grace Hopper \(IT service desk\): Hi Alice, do you see an error code\?/.test(t)),
    ).toBe(true);
    expect(toAlice.some((t) => t.includes('SSO certificate'))).toBe(false);

    expect(await teamsPost(messageActivity('Yes: AADSTS50076', { serviceUrl: teams.serviceUrl }))).toBe(200);
    await settle();
    const inThread = slackTexts('C0SERVICEDESK')
      .filter((c) => c.args.thread_ts === root)
      .map((c) => String(c.args.text));
    expect(inThread.some((t) => /Alice.*: Yes: AADSTS50076/.test(t))).toBe(true);

    const handback = buttonsOf(card?.args.blocks).find((b) => b.action_id.startsWith('cd:agent.handback:'));
    expect(handback).toBeDefined();
    await slackClick('U0GRACE', 'C0SERVICEDESK', root, handback as { action_id: string; value: string });
    await settle();
    expect(teamsTexts('a:1personal-alice').at(-1)).toMatch(/back with the IT bot/);
    expect(await teamsPost(messageActivity('status', { serviceUrl: teams.serviceUrl }))).toBe(200);
    await settle();
    expect(teamsTexts('a:1personal-alice').at(-1)).toMatch(/Your open tickets|open tickets/);
  });

  it('requester in Slack, escalated to agents in Teams: claim on the Teams card, relay both ways', async () => {
    await slackPost(
      eventEnvelope({
        type: 'message',
        channel: 'D0BOB',
        channel_type: 'im',
        user: 'U0BOB',
        text: 'I want to talk to a real person please',
        ts: slackTs(),
        team: 'T0001',
      }),
    );
    await settle();
    const number =
      /INC\d{7}/.exec(
        slackTexts('D0BOB')
          .map((c) => String(c.args.text))
          .join('\n'),
      )?.[0] ?? '';
    expect(number).not.toBe('');
    const card = slackTexts('C0SERVICEDESK').find((c) => String(c.args.text).includes(number));
    const escalate = buttonsOf(card?.args.blocks).find(
      (b) => b.action_id.startsWith('cd:agent.escalate:') && b.value.includes('workplace'),
    );
    expect(escalate, JSON.stringify(buttonsOf(card?.args.blocks))).toBeDefined();
    await slackClick(
      'U0HEIDI',
      'C0SERVICEDESK',
      String(card?.response?.ts),
      escalate as { action_id: string; value: string },
    );
    await settle();

    const teamsCard = teams
      .messages()
      .find((c) => c.conversationId === WORKPLACE_CHANNEL && JSON.stringify(c.body).includes(number));
    expect(teamsCard, 'handoff card in the Teams triage channel').toBeDefined();
    const root = String(teamsCard?.responseId ?? '');
    expect(root).not.toBe('');
    const threadId = `${WORKPLACE_CHANNEL};messageid=${root}`;

    const claim = await teamsPost(
      executeActivity(
        { chatdesk: { actionId: 'agent.claim', value: { ticket: number } } },
        {
          serviceUrl: teams.serviceUrl,
          conversation: 'channel',
          conversationId: threadId,
          from: IVAN,
          replyToId: root,
        },
      ),
    );
    expect(claim).toBe(200);
    await settle();
    expect(
      slackTexts('D0BOB')
        .map((c) => String(c.args.text))
        .join('\n'),
    ).toMatch(/Ivan Petrov from the IT service desk has joined/);

    await teamsPost(
      messageActivity('Hello Bob, I can help. Which app is it?', {
        serviceUrl: teams.serviceUrl,
        conversation: 'channel',
        conversationId: threadId,
        from: IVAN,
      }),
    );
    await settle();
    expect(
      slackTexts('D0BOB')
        .map((c) => String(c.args.text))
        .join('\n'),
    ).toMatch(/Ivan Petrov \(IT service desk\): Hello Bob, I can help/);

    await slackPost(
      eventEnvelope({
        type: 'message',
        channel: 'D0BOB',
        channel_type: 'im',
        user: 'U0BOB',
        text: 'It is the travel booking tool',
        ts: slackTs(),
        team: 'T0001',
      }),
    );
    await settle();
    expect(teamsTexts(threadId).some((t) => /Bob.*: It is the travel booking tool/.test(t))).toBe(true);
  });
});
