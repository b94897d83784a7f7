/**
 * Slack channel: `createSlackAdapter` is what the composition root calls; the rest of the app only sees
 * the ChannelAdapter (routes + ChatPort).
 */
import type { ConversationEngine } from '../../chat/adapter-api.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../log.js';
import { SlackAdapter } from './adapter.js';

export { SlackAdapter } from './adapter.js';
export {
  SLACK_BOT_SCOPES,
  SLACK_EVENTS_PATH,
} from './registry.js';

export function createSlackAdapter(opts: {
  config: Config;
  engine: ConversationEngine;
  log: Logger;
  ackBudgetMs?: number;
  now?: () => Date;
}): SlackAdapter {
  return new SlackAdapter(opts);
}
