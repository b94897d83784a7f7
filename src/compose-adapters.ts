/**
 * Composition: the chat adapters a process serves — those its caller brings (the console chat's port),
 * then Slack and Teams when configured and serving. Their modules load only then: each pulls in its SDK.
 */
import type { ChannelAdapter } from './adapters/types.js';
import type { Engine } from './chat/conversation-engine.js';
import { type Config, teamsMode } from './config.js';
import type { Logger } from './log.js';

/** The adapters, each with its port registered on the engine. */
export async function composeAdapters(d: {
  config: Config;
  engine: Engine;
  injected: ChannelAdapter[];
  serve: boolean;
  log: Logger;
}): Promise<ChannelAdapter[]> {
  const { config, engine, log } = d;
  const adapters: ChannelAdapter[] = [...d.injected];
  if (d.serve) {
    if (config.SLACK_SIGNING_SECRET && config.SLACK_BOT_TOKEN) {
      const { createSlackAdapter } = await import('./adapters/slack/index.js');
      adapters.push(createSlackAdapter({ config, engine, log: log.child({ component: 'slack' }) }));
    }
    if (teamsMode(config) !== 'off') {
      const { createTeamsAdapter } = await import('./adapters/teams/index.js');
      adapters.push(createTeamsAdapter({ config, engine, log: log.child({ component: 'teams' }) }));
    }
  }
  for (const a of adapters) engine.registerPort(a.port);
  return adapters;
}
