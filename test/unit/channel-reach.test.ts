import { describe, expect, it } from 'vitest';
import {
  channelReach,
  skippedChannelsLine,
  withReachableBoards,
  withReachableTriage,
} from '../../src/channel-reach.js';
import { loadConfig } from '../../src/config.js';
import type { GroupsFile } from '../../src/itsm/directory-data.js';
import type { DirectoryStore } from '../../src/itsm/ports.js';
import type { ItilConfig } from '../../src/itsm/practices-config.js';
import type { Group } from '../../src/itsm/types.js';

const MS = 'https://smba.trafficmanager.net/teams/';
const both = {
  slack: { channelId: 'C0DESK' },
  teams: { teamId: '19:t@thread.tacv2', channelId: '19:c@thread.tacv2' },
};
const SLACK = { SLACK_SIGNING_SECRET: 'secret-0123456789', SLACK_BOT_TOKEN: 'xoxb-1' };

describe('which configured chat channels this process can post to', () => {
  it('Slack needs its two secrets; Teams needs credentials unless the connector is on loopback or allowed', () => {
    expect(channelReach(loadConfig({}), MS)('teams', both)).toMatch(/Teams is off.*set MICROSOFT_APP_ID/);
    const demo = channelReach(loadConfig({ TEAMS_EMULATOR: 'true' }), MS);
    expect(demo('slack', both)).toMatch(
      /^Slack is not configured \(set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN\)/,
    );
    expect(demo('teams', both)).toMatch(/emulator mode.*set MICROSOFT_APP_ID/);
    const emulator = { ...both, teams: { ...both.teams, serviceUrl: 'http://127.0.0.1:9000/' } };
    expect(demo('teams', emulator)).toBeNull();
    const ownProxy = { ...both, teams: { ...both.teams, serviceUrl: 'https://bots.example.com/connector/' } };
    expect(demo('teams', ownProxy)).not.toBeNull();
    // Emulator mode never posts beyond this machine, whatever the allow-list says.
    expect(
      channelReach(
        loadConfig({
          TEAMS_EMULATOR: 'true',
          TEAMS_ALLOWED_SERVICE_URLS: 'https://bots.example.com/connector',
        }),
        MS,
      )('teams', ownProxy),
    ).not.toBeNull();
    const live = channelReach(
      loadConfig({ ...SLACK, MICROSOFT_APP_ID: 'app', MICROSOFT_APP_PASSWORD: 'pw' }),
      MS,
    );
    expect(live('slack', both)).toBeNull();
    expect(live('teams', both)).toBeNull();
    expect(channelReach(loadConfig({ TEAMS_ENABLED: 'false' }), MS)('teams', both)).toMatch(/Teams is off/);
    // A port the caller brings itself (tests, an embedder) is always reachable.
    expect(channelReach(loadConfig({}), MS, new Set(['slack', 'teams']))('teams', both)).toBeNull();
  });

  it('the engine sees groups and CAB boards without the unreachable sides; start-up says so in one line', async () => {
    const reach = channelReach(loadConfig({ ...SLACK, TEAMS_EMULATOR: 'true' }), MS);
    const group: Group = {
      id: 1,
      slug: 'service-desk',
      name: 'Service Desk',
      description: '',
      managerId: null,
      triage: both,
      escalationGroup: null,
      calendar: 'business',
      strategy: 'least_load',
    };
    const directory = {
      groupById: async () => group,
      groupBySlug: async () => group,
      groups: async () => [group],
      groupsOf: async () => [group],
      isMember: async () => true,
    } as unknown as DirectoryStore; // only the group readers matter here
    const seen = withReachableTriage(directory, reach);
    expect((await seen.groupById(1))?.triage).toEqual({ slack: both.slack });
    expect((await seen.groups())[0]?.triage).toEqual({ slack: both.slack });
    expect((await seen.groupsOf(3))[0]?.triage).toEqual({ slack: both.slack });
    expect(await seen.isMember(1, 2)).toBe(true);
    expect(group.triage).toBe(both);

    const itil = {
      changes: {
        cab: { members: [], policy: 'majority', channel: { teams: both.teams } },
        emergencyCab: { members: [], policy: 'any', channel: both },
        blackouts: [],
      },
    } as unknown as ItilConfig; // the boards are all this reads
    const boards = withReachableBoards(itil, reach);
    expect(boards.changes.cab.channel).toBeUndefined();
    expect(boards.changes.emergencyCab.channel).toEqual({ slack: both.slack });

    const groups = {
      groups: [
        { slug: 'service-desk', triage: both },
        { slug: 'infra', triage: {} },
      ],
    } as GroupsFile;
    expect(skippedChannelsLine(groups, itil, reach)).toBe(
      'chat channels skipped, no cards are posted there: Teams runs in emulator mode (TEAMS_EMULATOR), which cannot post to Teams channels (set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD): triage of service-desk, CAB board, emergency CAB board',
    );
    const all = channelReach(
      loadConfig({ ...SLACK, MICROSOFT_APP_ID: 'app', MICROSOFT_APP_PASSWORD: 'pw' }),
      MS,
    );
    expect(skippedChannelsLine(groups, itil, all)).toBeNull();
  });
});
