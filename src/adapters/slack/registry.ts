/**
 * What the Slack app subscribes to. The adapter registers its listeners from these lists and the
 * manifest test compares them with manifest/slack/manifest.yaml, so code and manifest cannot drift.
 */

/** Bot events, as named in the manifest (`message.im` etc. all arrive as Bolt's `message`). */
export const SLACK_BOT_EVENTS = [
  'message.im',
  'message.channels',
  'message.groups',
  'app_mention',
  'reaction_added',
  'app_home_opened',
] as const;

export const SLACK_COMMANDS = ['/it'] as const;

export const SLACK_SHORTCUTS = [
  {
    callback_id: 'create_ticket',
    name: 'Create ticket',
    type: 'message',
    description: 'Turn this message into an IT ticket',
  },
] as const;

/**
 * Exactly the bot scopes the code needs, and why:
 * chat:write (post, update), im:write (open DMs), im:history / channels:history / groups:history (the
 * message events, and reading a message someone reacted to), app_mentions:read, reactions:read,
 * users:read + users:read.email (users.info email to link identities), commands (slash command and
 * shortcut).
 */
export const SLACK_BOT_SCOPES = [
  'app_mentions:read',
  'channels:history',
  'chat:write',
  'commands',
  'groups:history',
  'im:history',
  'im:write',
  'reactions:read',
  'users:read',
  'users:read.email',
] as const;

/** The `channel_type` a `message.*` subscription delivers. */
export const MESSAGE_CHANNEL_TYPE: Record<string, string> = {
  'message.im': 'im',
  'message.channels': 'channel',
  'message.groups': 'group',
  'message.mpim': 'mpim',
};

export const SLACK_EVENTS_PATH = '/slack/events';
