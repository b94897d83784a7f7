/**
 * Socket Mode smoke test: with SLACK_APP_TOKEN set, the adapter asks the (fake) Web API for a socket
 * URL (apps.connections.open), connects to a local WebSocket server playing Slack, receives an Events
 * API envelope and a slash command, and acknowledges both by envelope id.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createSlackAdapter, type SlackAdapter } from '../../src/adapters/slack/index.js';
import type { IncomingMessage } from '../../src/chat/message.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { FakeEngine } from '../unit/adapters/slack/fake-engine.js';

let fake: FakeSlackApi;
let wss: WebSocket.Server;
let adapter: SlackAdapter;
const engine = new FakeEngine();
const fromClient: Array<Record<string, unknown>> = [];
let socket: WebSocket | null = null;

async function until<T>(
  what: string,
  probe: () => T | undefined | null | false,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  fake = await startFakeSlackApi();
  wss = new WebSocket.Server({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  fake.socketUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/link/?ticket=t1&app_id=A0001`;
  wss.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => fromClient.push(JSON.parse(String(data)) as Record<string, unknown>));
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'local', approximate_connection_time: 18060 },
        connection_info: { app_id: 'A0001' },
      }),
    );
  });
  const config = loadConfig({
    SLACK_SIGNING_SECRET: 'socket-secret',
    SLACK_BOT_TOKEN: 'xoxb-socket',
    SLACK_APP_TOKEN: 'xapp-1-socket',
    SLACK_API_URL: fake.apiUrl,
  });
  adapter = createSlackAdapter({ config, engine, log: silentLogger });
  engine.registerPort(adapter.port);
  await adapter.start();
});

afterAll(async () => {
  await adapter?.stop();
  for (const c of wss?.clients ?? []) c.terminate();
  await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
  await fake?.close();
});

describe('Slack Socket Mode', () => {
  it('connects with the app token and mounts no HTTP route', async () => {
    expect(adapter.socketMode).toBe(true);
    const [open] = await fake.waitForCalls('apps.connections.open');
    expect(open?.token).toBe('xapp-1-socket');
    await until('socket connection', () => socket);
  });

  it('receives an Events API envelope, stores it and only then acks its envelope id', async () => {
    const ws = await until('socket connection', () => socket);
    engine.receiveDelayMs = 300;
    ws.send(
      JSON.stringify({
        envelope_id: 'env-1',
        type: 'events_api',
        accepts_response_payload: false,
        retry_attempt: 0,
        retry_reason: '',
        payload: {
          type: 'event_callback',
          team_id: 'T0001',
          api_app_id: 'A0001',
          event_id: 'EvSOCKET1',
          event_time: Math.floor(Date.now() / 1000),
          event: {
            type: 'message',
            channel: 'D0ALICE',
            channel_type: 'im',
            user: 'U0ALICE',
            text: 'laptop will not boot',
            ts: '1700000001.000100',
          },
        },
      }),
    );
    await until('ack of env-1', () => fromClient.find((m) => m.envelope_id === 'env-1'));
    engine.receiveDelayMs = 0;
    // Stored before acknowledged: a crash before the inbox write leaves the envelope for Slack to resend.
    expect(engine.received).toHaveLength(1);
    const [msg] = engine.received;
    expect(msg as IncomingMessage).toMatchObject({
      id: 'EvSOCKET1',
      via: 'dm',
      text: 'laptop will not boot',
      conversation: { channelId: 'D0ALICE' },
    });
  });

  it('answers a slash command in the ack payload', async () => {
    const ws = await until('socket connection', () => socket);
    ws.send(
      JSON.stringify({
        envelope_id: 'env-2',
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: {
          command: '/it',
          text: 'help',
          user_id: 'U0ALICE',
          team_id: 'T0001',
          channel_id: 'C0GENERAL',
          trigger_id: 'trig.s',
          response_url: fake.responseUrl('s'),
        },
      }),
    );
    const ack = await until('ack of env-2', () => fromClient.find((m) => m.envelope_id === 'env-2'));
    expect(JSON.stringify(ack.payload)).toContain('/it new');
  });
});
