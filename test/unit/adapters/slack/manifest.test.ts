/**
 * manifest/slack/manifest.yaml must declare exactly what the code registers on Bolt (events, slash
 * commands, shortcuts) and the scopes the code's API calls need: a missing event is silently never
 * delivered, an extra scope is a needless permission request to every workspace admin.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  createSlackAdapter,
  SLACK_BOT_SCOPES,
  SLACK_EVENTS_PATH,
} from '../../../../src/adapters/slack/index.js';
import { loadConfig } from '../../../../src/config.js';
import { silentLogger } from '../../../../src/log.js';
import { FakeEngine } from './fake-engine.js';

const manifestSchema = z.object({
  display_information: z.object({
    name: z.string().min(1),
    description: z.string().min(1),
    long_description: z.string().min(175).optional(),
  }),
  features: z.object({
    app_home: z.object({ home_tab_enabled: z.literal(true), messages_tab_enabled: z.literal(true) }),
    bot_user: z.object({ display_name: z.string().min(1) }),
    shortcuts: z.array(
      z.object({
        name: z.string(),
        type: z.literal('message'),
        callback_id: z.string(),
        description: z.string(),
      }),
    ),
    slash_commands: z.array(z.object({ command: z.string(), url: z.url(), description: z.string() })),
  }),
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
  settings: z.object({
    event_subscriptions: z.object({ request_url: z.url(), bot_events: z.array(z.string()) }),
    interactivity: z.object({ is_enabled: z.literal(true), request_url: z.url() }),
  }),
});

const manifest = manifestSchema.parse(
  parse(readFileSync(new URL('../../../../manifest/slack/manifest.yaml', import.meta.url), 'utf8')),
);

// Constructing the adapter registers its listeners; nothing touches the network until start().
const adapter = createSlackAdapter({
  config: loadConfig({
    SLACK_SIGNING_SECRET: 'manifest-test-secret',
    SLACK_BOT_TOKEN: 'xoxb-manifest',
    SLACK_API_URL: 'http://127.0.0.1:9/api/',
  }),
  engine: new FakeEngine(),
  log: silentLogger,
});
const sorted = (xs: readonly string[]) => [...xs].sort();

describe('Slack manifest', () => {
  it('subscribes to exactly the events the code registers', () => {
    expect(sorted(manifest.settings.event_subscriptions.bot_events)).toEqual(
      sorted(adapter.registered.events),
    );
  });

  it('declares exactly the slash commands the code registers', () => {
    expect(sorted(manifest.features.slash_commands.map((c) => c.command))).toEqual(
      sorted(adapter.registered.commands),
    );
  });

  it('declares exactly the shortcuts the code registers', () => {
    expect(sorted(manifest.features.shortcuts.map((s) => s.callback_id))).toEqual(
      sorted(adapter.registered.shortcuts),
    );
    expect(manifest.features.shortcuts.find((s) => s.callback_id === 'create_ticket')?.name).toBe(
      'Create ticket',
    );
  });

  it('asks for exactly the scopes the code needs', () => {
    expect(sorted(manifest.oauth_config.scopes.bot)).toEqual(sorted(SLACK_BOT_SCOPES));
  });

  it('points events, interactivity and commands at the one route the adapter serves', () => {
    const urls = [
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
      ...manifest.features.slash_commands.map((c) => c.url),
    ];
    for (const u of urls) expect(u).toBe(`https://chatdesk.example.com${SLACK_EVENTS_PATH}`);
  });
});
