/**
 * The desk the scripted conversations run against: the real server (createApp + listen) on a fresh
 * SQLite file, Slack always on (signed requests into Bolt's receiver, the fake Web API: the agents
 * work in its triage channels), Teams on for the Teams run (Bot Framework activities with real JWTs
 * from the local token issuer, the fake Bot Connector). Each scenario's requester is a person of its
 * own, added to a copy of the directory, so scenarios never see each other's tickets.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeliveredMessage } from '../../src/adapters/local/local-port.js';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { type FakeBotConnector, startFakeBotConnector } from '../support/fake-bot-connector.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { type FakeTokenIssuer, startFakeTokenIssuer } from '../support/fake-token-issuer.js';
import { localAdapter } from '../support/local-chat.js';

export type PlatformName = 'local' | 'slack' | 'teams';

export interface Persona {
  email: string;
  name: string;
  slackId: string;
  teamsId: string;
  aad: string;
}

const STAFF = ['grace', 'heidi', 'ivan', 'judy', 'mallory', 'maria', 'peggy', 'oscar'] as const;
const FIRST =
  'Ada Ben Cleo Dan Eva Finn Gus Hana Ines Jon Kai Lena Milo Nora Omar Pia Quinn Rosa Sven Tara Uma Vik Wen Xena Yuri Zoe'.split(
    ' ',
  );

const hex = (n: number) => n.toString(16).padStart(12, '0');

export function staff(key: string): Persona {
  const i = STAFF.indexOf(key as (typeof STAFF)[number]);
  if (i < 0) throw new Error(`${key} is not a staff person of the demo directory`);
  return {
    email: `${key}@example.com`,
    name: key,
    slackId: `U0${key.toUpperCase()}`,
    teamsId: `29:1${key}`,
    aad: `00000000-0000-0000-0001-${hex(i + 1)}`,
  };
}

/** The requester of scenario number `n`: a fresh employee. */
export function requester(n: number): Persona {
  const first = FIRST[(n - 1) % FIRST.length] ?? 'Sam';
  return {
    email: `s${String(n).padStart(2, '0')}@example.com`,
    name: `${first} Tester`,
    slackId: `U0S${String(n).padStart(2, '0')}`,
    teamsId: `29:1s${String(n).padStart(2, '0')}`,
    aad: `00000000-0000-0000-0002-${hex(n)}`,
  };
}

export interface Desk {
  platform: PlatformName;
  app: App;
  base: string;
  slack: FakeSlackApi;
  slackSecret: string;
  teams: FakeBotConnector | null;
  issuer: FakeTokenIssuer | null;
  appId: string;
  /** What the local channel delivered (local runs). */
  local: DeliveredMessage[];
  close(): Promise<void>;
}

export async function startDesk(platform: PlatformName, requesters: Persona[]): Promise<Desk> {
  const dir = mkdtempSync(join(tmpdir(), `chatdesk-conv-${platform}-`));
  const dataDir = join(dir, 'data');
  cpSync(join(import.meta.dirname, '../../data'), dataDir, { recursive: true });
  const peopleFile = join(dataDir, 'seed', 'people.json');
  const people = JSON.parse(readFileSync(peopleFile, 'utf8')) as { people: Array<Record<string, unknown>> };
  for (const r of requesters)
    people.people.push({
      email: r.email,
      name: r.name,
      role: 'employee',
      manager: 'maria@example.com',
      timeZone: 'Europe/Berlin',
    });
  writeFileSync(peopleFile, JSON.stringify(people, null, 2));

  const slackSecret = 'conversation-suite-signing-secret';
  const slack = await startFakeSlackApi();
  const everyone = [...STAFF.map(staff), ...requesters];
  for (const p of everyone) slack.users.set(p.slackId, { id: p.slackId, email: p.email, name: p.name });

  const appId = '0c0c0c0c-1d2a-4c3b-9e8f-0a1b2c3d4e5f';
  let teams: FakeBotConnector | null = null;
  let issuer: FakeTokenIssuer | null = null;
  if (platform === 'teams') {
    issuer = await startFakeTokenIssuer({ appId, appPassword: 'conversation-suite-secret' });
    teams = await startFakeBotConnector();
    const check = issuer;
    teams.checkAuth = (authorization) => check.verifyBotToken(authorization);
    for (const p of everyone) teams.addMember({ id: p.teamsId, name: p.name, aadObjectId: p.aad }, p.email);
  }
  if (teams) {
    // Triage channels in Teams are reached through the (fake) Bot Connector of this run.
    const groupsFile = join(dataDir, 'groups.json');
    const groups = JSON.parse(readFileSync(groupsFile, 'utf8')) as {
      groups: Array<{ triage?: { teams?: Record<string, unknown> } }>;
    };
    for (const g of groups.groups) if (g.triage?.teams) g.triage.teams.serviceUrl = teams.serviceUrl;
    writeFileSync(groupsFile, JSON.stringify(groups, null, 2));
  }
  const local = localAdapter();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`,
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    NLU_THREAD: 'inline',
    RATE_LIMIT_PER_MINUTE: '1000',
    SLACK_SIGNING_SECRET: slackSecret,
    SLACK_BOT_TOKEN: 'xoxb-conversation-suite',
    SLACK_API_URL: slack.apiUrl,
    ...(issuer && teams
      ? { ...issuer.env(), TEAMS_ENABLED: 'true', TEAMS_ALLOWED_SERVICE_URLS: teams.serviceUrl }
      : { TEAMS_ENABLED: 'false' }),
  });
  const app = await createApp(config, {
    log: silentLogger,
    ...(platform === 'local' ? { adapters: [local.adapter] } : {}),
  });
  const { url: base } = await app.listen();
  return {
    platform,
    app,
    base,
    slack,
    slackSecret,
    teams,
    issuer,
    appId,
    local: local.sent,
    async close() {
      await app.close();
      await slack.close();
      await teams?.close();
      await issuer?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
