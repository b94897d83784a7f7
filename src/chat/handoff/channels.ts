/** Where agents are reached: a group's triage channel on Slack or Teams, and the card's buttons. */
import type { ChatChannel } from '../../itsm/directory-data.js';
import type { Group } from '../../itsm/types.js';
import type { Choice, ConversationRef, Platform } from '../message.js';

/**
 * Where to post in a configured channel (a group's triage channel, the CAB's vote channel): on the
 * preferred platform when the channel has it there and an adapter is connected, else on the other.
 */
export function channelRef(
  channel: ChatChannel,
  preferred: Platform,
  hasPort: (platform: Platform) => boolean,
  /** Bot Connector URL for Teams channels that do not name one (the Teams adapter's default). */
  teamsServiceUrl: string,
): ConversationRef | null {
  const slack: ConversationRef | null =
    channel.slack && hasPort('slack')
      ? {
          platform: 'slack',
          channelId: channel.slack.channelId,
          threadId: null,
          isDirect: false,
          isPublic: true,
          workspaceId: null,
        }
      : null;
  const teams: ConversationRef | null =
    channel.teams && hasPort('teams')
      ? {
          platform: 'teams',
          channelId: channel.teams.channelId,
          threadId: null,
          isDirect: false,
          isPublic: true,
          workspaceId: null,
          serviceUrl: channel.teams.serviceUrl ?? teamsServiceUrl,
        }
      : null;
  if (preferred === 'teams') return teams ?? slack;
  return slack ?? teams;
}

/** A group's triage channel in the local web chat (development mode). */
export function webTriageRef(slug: string): ConversationRef {
  return {
    platform: 'web',
    channelId: `web-triage:${slug}`,
    threadId: null,
    isDirect: false,
    isPublic: true,
    workspaceId: null,
  };
}

export function agentChoices(number: string, groups: Group[], current: number | null): Choice[] {
  const v = { ticket: number };
  const escalateTo = groups.filter((g) => g.id !== current).slice(0, 3);
  return [
    { label: 'Claim', actionId: 'agent.claim', value: v, style: 'primary' },
    { label: 'Resolve', actionId: 'agent.resolve', value: v },
    ...escalateTo.map((g) => ({
      label: `Escalate to ${g.name}`,
      actionId: 'agent.escalate' as const,
      value: { ...v, group: g.slug },
    })),
    ...editChoices(number),
    { label: 'Hand back to bot', actionId: 'agent.handback', value: v },
  ];
}

/** The edit buttons of a ticket's agent card (handled by chat/desk-card-actions.ts). */
function editChoices(number: string): Choice[] {
  return [
    { label: 'Priority…', actionId: 'desk.priority', value: { ticket: number } },
    { label: 'Pending…', actionId: 'desk.pending', value: { ticket: number } },
  ];
}
