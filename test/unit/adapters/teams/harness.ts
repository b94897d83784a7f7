/** An Express app with only the Teams adapter mounted, driven by a small fake engine. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createTeamsAdapter } from '../../../../src/adapters/teams/index.js';
import type { ChannelAdapter } from '../../../../src/adapters/types.js';
import type { ConversationEngine, FormCheck, ReceiveResult } from '../../../../src/chat/adapter-api.js';
import type { ChatPort, FormSpec, Incoming, Reply } from '../../../../src/chat/message.js';
import { loadConfig } from '../../../../src/config.js';
import { silentLogger } from '../../../../src/log.js';

export const LAPTOP_FORM: FormSpec = {
  templateId: 'laptop',
  title: 'New laptop',
  description: 'Order a laptop',
  fields: [
    { id: 'model', label: 'Model', type: 'select', required: true, options: ['Standard', 'Developer'] },
    { id: 'reason', label: 'Why do you need it?', type: 'textarea', required: true, maxLength: 500 },
    { id: 'monitors', label: 'Extra monitors', type: 'number', required: false },
  ],
};

export interface FakeEngine extends ConversationEngine {
  received: Incoming[];
  accepted: Incoming[];
  port: ChatPort | null;
  /** What the fake "engine" answers to an accepted message (delivered through the port). */
  replyFor: (i: Incoming) => Reply | null;
}

export function fakeEngine(): FakeEngine {
  const seen = new Set<string>();
  let n = 0;
  const engine: FakeEngine = {
    received: [],
    accepted: [],
    port: null,
    replyFor: (i) =>
      i.kind === 'message'
        ? { text: `I opened INC${String(++n).padStart(7, '0')} for you: ${i.text}` }
        : null,
    async receive(incoming: Incoming): Promise<ReceiveResult> {
      engine.received.push(incoming);
      const key = `${incoming.platform}:${incoming.id}`;
      if (seen.has(key)) return { status: 'duplicate', processed: Promise.resolve() };
      seen.add(key);
      engine.accepted.push(incoming);
      const processed = (async () => {
        const reply = engine.replyFor(incoming);
        if (reply && engine.port) {
          await engine.port.deliver({
            conversation: incoming.conversation,
            reply,
            replyTo: incoming.kind === 'message' ? incoming.messageId : null,
          });
        }
      })().catch(() => undefined);
      return { status: 'accepted', processed };
    },
    registerPort(port: ChatPort) {
      engine.port = port;
    },
    checkForm(templateId: string, values: Record<string, unknown>): FormCheck {
      if (templateId !== 'laptop') return { ok: false, errors: { templateId: 'unknown' } };
      const errors: Record<string, string> = {};
      if (typeof values.model !== 'string') errors.model = 'Pick a model.';
      if (typeof values.reason !== 'string' || values.reason.length < 5)
        errors.reason = 'Tell us why (at least 5 characters).';
      if (values.monitors !== undefined && typeof values.monitors !== 'number')
        errors.monitors = 'Must be a number.';
      return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, values };
    },
    formFor(templateId: string, prefill?: Record<string, unknown>): FormSpec | null {
      return templateId === 'laptop' ? { ...LAPTOP_FORM, values: prefill ?? {} } : null;
    },
    listTemplates: () => [{ id: 'laptop', title: 'New laptop', description: 'Order a laptop' }],
    ticketsFor: async () => [],
  };
  return engine;
}

export interface Harness {
  url: string;
  engine: FakeEngine;
  adapter: ChannelAdapter;
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    // Tokens are not what these tests are about; the emulator mode must be asked for explicitly.
    ...(env.MICROSOFT_APP_ID ? {} : { TEAMS_EMULATOR: 'true' }),
    ...env,
  });
  const engine = fakeEngine();
  const adapter = createTeamsAdapter({ config, engine, log: silentLogger });
  engine.registerPort(adapter.port);
  const app = express();
  adapter.mount(app);
  await adapter.start();
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    engine,
    adapter,
    async post(body, headers = {}) {
      const res = await fetch(`${url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* plain text body */
      }
      return { status: res.status, body: parsed };
    },
    async close() {
      await adapter.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
