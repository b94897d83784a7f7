/**
 * Which configured chat channels (the groups' triage channels in groups.json, the CAB boards in
 * itil.json) this process can post to. A channel on a platform that is not configured is left out
 * of what the conversation engine sees, and said once at start-up, instead of being queued, retried
 * for minutes and given up as an error (the demo's Teams triage channel with Teams in anonymous
 * development mode, which has no credentials for Microsoft's Bot Connector).
 */
import { isAllowedServiceUrl } from './adapters/teams/service-urls.js';
import type { Config } from './config.js';
import type { ChatChannel, GroupsFile } from './itsm/directory-data.js';
import type { DirectoryStore } from './itsm/ports.js';
import type { ItilConfig } from './itsm/practices-config.js';
import type { Group } from './itsm/types.js';

type ChannelPlatform = 'slack' | 'teams';

/** Why this process cannot post to the channel's `platform` side, or null when it can. */
export type ChannelReach = (platform: ChannelPlatform, channel: ChatChannel) => string | null;

/** `injected`: platforms whose port the caller supplies itself (tests, embedders); always reachable. */
export function channelReach(
  config: Config,
  teamsServiceUrl: string,
  injected: ReadonlySet<string> = new Set(),
): ChannelReach {
  return (platform, channel) => {
    if (injected.has(platform)) return null;
    if (platform === 'slack')
      return config.SLACK_SIGNING_SECRET && config.SLACK_BOT_TOKEN
        ? null
        : 'Slack is not configured (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN)';
    if (!config.TEAMS_ENABLED) return 'Teams is off (TEAMS_ENABLED=false)';
    if (config.MICROSOFT_APP_ID) return null;
    if (!config.TEAMS_EMULATOR) return 'Teams is off (set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD)';
    // The emulator mode reaches loopback connectors only (the Emulator, test fakes); Microsoft's Bot
    // Connector would refuse every post without credentials.
    const url = channel.teams?.serviceUrl ?? teamsServiceUrl;
    return isAllowedServiceUrl(url, { extraPrefixes: [], allowLoopback: true, loopbackOnly: true })
      ? null
      : 'Teams runs in emulator mode (TEAMS_EMULATOR), which cannot post to Teams channels (set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD)';
  };
}

function reachableChannel(channel: ChatChannel, reach: ChannelReach): ChatChannel {
  const out: ChatChannel = {};
  if (channel.slack && reach('slack', channel) === null) out.slack = channel.slack;
  if (channel.teams && reach('teams', channel) === null) out.teams = channel.teams;
  return out;
}

/** The directory as the engine should see it: groups carry only the triage channels it can reach. */
export function withReachableTriage(directory: DirectoryStore, reach: ChannelReach): DirectoryStore {
  const strip = (g: Group): Group => ({ ...g, triage: reachableChannel(g.triage as ChatChannel, reach) });
  return {
    ...directory,
    groupById: async (id) => {
      const g = await directory.groupById(id);
      return g && strip(g);
    },
    groupBySlug: async (slug) => {
      const g = await directory.groupBySlug(slug);
      return g && strip(g);
    },
    groups: async () => (await directory.groups()).map(strip),
    groupsOf: async (personId) => (await directory.groupsOf(personId)).map(strip),
  };
}

/** The CAB boards without the channel sides this process cannot reach. */
export function withReachableBoards(itil: ItilConfig, reach: ChannelReach): ItilConfig {
  const board = <B extends { channel?: ChatChannel | undefined }>(b: B): B => {
    if (!b.channel) return b;
    const channel = reachableChannel(b.channel, reach);
    const { channel: _dropped, ...rest } = b;
    return channel.slack || channel.teams ? { ...b, channel } : (rest as B);
  };
  return {
    ...itil,
    changes: {
      ...itil.changes,
      cab: board(itil.changes.cab),
      emergencyCab: board(itil.changes.emergencyCab),
    },
  };
}

/**
 * One line for the start-up log naming every configured channel this process will skip and why,
 * e.g. `chat channels skipped: … Teams runs in anonymous development mode … (triage of service-desk)`.
 * Null when every configured channel is reachable.
 */
export function skippedChannelsLine(
  groups: GroupsFile,
  itil: ItilConfig,
  reach: ChannelReach,
): string | null {
  const byReason = new Map<string, string[]>();
  const check = (channel: ChatChannel | undefined, what: string) => {
    if (!channel) return;
    for (const platform of ['slack', 'teams'] as const) {
      if (!channel[platform]) continue;
      const why = reach(platform, channel);
      if (why !== null) byReason.set(why, [...(byReason.get(why) ?? []), what]);
    }
  };
  for (const g of groups.groups) check(g.triage, `triage of ${g.slug}`);
  check(itil.changes.cab.channel, 'CAB board');
  check(itil.changes.emergencyCab.channel, 'emergency CAB board');
  if (byReason.size === 0) return null;
  const parts = [...byReason].map(([why, what]) => `${why}: ${what.join(', ')}`);
  return `chat channels skipped, no cards are posted there: ${parts.join('; ')}`;
}
