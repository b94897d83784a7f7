/**
 * The cheap first pass (src/chat/dialogs/certain.ts) in the real app over the local channel: typed
 * commands, exact short phrases and button answers skip the intent classifier, and the conversation
 * goes on exactly as it would have; free text still goes to the classifier.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DeliveredMessage } from '../../../src/adapters/local/local-port.js';
import type { App } from '../../../src/app.js';
import { CERTAIN_PHRASES, certainUnderstanding } from '../../../src/chat/dialogs/certain.js';
import { ROUTES } from '../../../src/chat/dialogs/router.js';
import { emptyStack } from '../../../src/chat/dialogs/stack.js';
import { buildTestApp } from '../../support/app.js';
import { sqliteDb } from '../../support/databases.js';
import { ChatUser, localAdapter, texts } from '../../support/local-chat.js';

describe('certain first pass before the classifier', () => {
  let app: App;
  let cleanup: () => Promise<void>;
  let sent: DeliveredMessage[];

  beforeAll(async () => {
    const db = await sqliteDb.create();
    cleanup = db.cleanup;
    const local = localAdapter();
    sent = local.sent;
    app = await buildTestApp(db.url, {}, { adapters: [local.adapter] });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  it('every phrase it is certain of has a route', () => {
    for (const intent of Object.values(CERTAIN_PHRASES))
      expect(ROUTES[intent], intent).toBeTypeOf('function');
  });

  it('leaves free text and unknown phrases to the classifier', () => {
    const stack = emptyStack();
    expect(certainUnderstanding('my vpn keeps dropping', stack, false)).toBeNull();
    expect(certainUnderstanding('hello (12)', stack, false)).toBeNull();
    // A button whose question is gone is read like typed text.
    expect(certainUnderstanding('yes', stack, true)).toBeNull();
    expect(certainUnderstanding('Status INC0000003', stack, false)?.prediction.intent).toBe('typed_command');
    expect(certainUnderstanding('Thank you!', stack, false)?.prediction.intent).toBe('thanks');
  });

  it('skips the classifier for phrases, button answers and typed commands, and answers as before', async () => {
    const classify = vi.spyOn(app.nlu.intents, 'classify');
    const alice = new ChatUser(app, sent, 'alice@example.com');

    const hi = await alice.say('hello');
    expect(classify).toHaveBeenCalledTimes(0);
    expect(texts(hi)).toMatch(/^Hi Alice!/);

    const report = await alice.say('my laptop screen flickers when I undock it');
    expect(classify).toHaveBeenCalledTimes(1);
    const number = /\b(INC\d{7})\b/.exec(texts(report))?.[1];
    expect(number, texts(report)).toBeDefined();
    expect(texts(report)).toMatch(/Is anyone besides you affected/);

    const justMe = await alice.act('choice', { answer: 'just me, I can still work' });
    expect(classify).toHaveBeenCalledTimes(1);
    expect(texts(justMe)).not.toMatch(/Is anyone besides you affected/);
    expect(justMe.length).toBeGreaterThan(0);

    const status = await alice.say(`status ${number}`);
    expect(classify).toHaveBeenCalledTimes(1);
    expect(texts(status)).toContain(number as string);
    classify.mockRestore();
  });
});
