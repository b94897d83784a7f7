/**
 * The SDK floor bench:load measures chatdesk against: one process serving the same two URLs as
 * `chatdesk serve`, built from the same SDKs and nothing else. A Bolt app (ExpressReceiver with its
 * defaults, Bolt's default WebClient) answers each DM with chat.postMessage; a Bot Framework
 * CloudAdapter verifies each activity's JWT and answers it with sendActivity. No storage, no NLU, no
 * logging: what any bot on these SDKs pays per message at least.
 *
 * The Bot Framework side is configured through chatdesk's createBotAuth only because MSAL refuses the
 * plain-http token issuer on loopback; it is the SDK's CloudAdapter and authentication underneath.
 * Reads SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL and the TEAMS_* / MICROSOFT_APP_*
 * variables bench:load passes; prints "running on http://…" like `chatdesk serve`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, ExpressReceiver } from '@slack/bolt';
import express from 'express';
import { createBotAuth } from '../src/adapters/teams/auth.js';

const env = process.env;
const must = (k: string): string => {
  const v = env[k];
  if (!v) throw new Error(`sdk-floor-server needs ${k}`);
  return v;
};

const receiver = new ExpressReceiver({ signingSecret: must('SLACK_SIGNING_SECRET') });
const app = new App({
  token: must('SLACK_BOT_TOKEN'),
  receiver,
  clientOptions: { slackApiUrl: must('SLACK_API_URL') },
});
app.message(async ({ message, client }) => {
  if (message.subtype !== undefined) return;
  await client.chat.postMessage({ channel: message.channel, text: `You said: ${message.text ?? ''}` });
});

const bot = createBotAuth({
  NODE_ENV: 'test',
  TEAMS_EMULATOR: false,
  MICROSOFT_APP_ID: must('MICROSOFT_APP_ID'),
  MICROSOFT_APP_PASSWORD: must('MICROSOFT_APP_PASSWORD'),
  MICROSOFT_APP_TENANT_ID: undefined,
  MICROSOFT_APP_TYPE: 'MultiTenant',
  TEAMS_OPENID_METADATA_URL: must('TEAMS_OPENID_METADATA_URL'),
  TEAMS_TOKEN_ISSUER: must('TEAMS_TOKEN_ISSUER'),
  TEAMS_OAUTH_SCOPE: must('TEAMS_OAUTH_SCOPE'),
  TEAMS_LOGIN_URL: must('TEAMS_LOGIN_URL'),
});
receiver.app.post('/api/messages', express.json(), (req, res) => {
  void bot.adapter
    .process(req, res, async (ctx) => {
      if (ctx.activity.type === 'message') await ctx.sendActivity(`You said: ${ctx.activity.text ?? ''}`);
    })
    .catch((e: unknown) => {
      process.stderr.write(`teams turn failed: ${e instanceof Error ? e.message : String(e)}\n`);
      if (!res.headersSent) res.status(500).end();
    });
});
receiver.app.get('/healthz', (_req, res) => {
  res.json({ ok: true });
});

const server = http.createServer(receiver.app);
server.keepAliveTimeout = 120_000;
server.listen(Number(env.PORT ?? 0), env.HOST ?? '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`sdk floor running on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
