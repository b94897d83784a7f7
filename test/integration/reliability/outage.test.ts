/**
 * Long outages with an injected clock (issue 22, item 2), on SQLite and PostgreSQL: turns and replies
 * failing for a reason that passes are retried for the whole horizon (not five or ten attempts), then
 * given up as dead letters with the person told; a failure that does not pass (a bug) gets five
 * attempts. Time jumps instead of passing, so an hour takes a second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { DeliveryError, type Incoming } from '../../../src/chat/message.js';
import { createLogger } from '../../../src/log.js';
import { buildTestApp } from '../../support/app.js';
import { testDatabases } from '../../support/databases.js';
import { type DeliveryLog, faultyAdapter, newDeliveryLog, serverError } from '../../support/faulty-port.js';

const HOUR = 3_600_000;

for (const kind of testDatabases()) {
  describe(`outages on ${kind.name}`, () => {
    let app: App;
    let cleanup: (() => Promise<void>) | undefined;
    let clock = Date.parse('2026-03-02T09:30:00.000Z');
    const log: DeliveryLog = newDeliveryLog();
    let failing = false;
    /** What the test's button does this time (one handler per app, so it is swapped per test). */
    let onClick: () => Promise<Array<{ reply: { text: string } }>> = async () => [];
    const lines: string[] = [];
    beforeAll(async () => {
      const created = await kind.create();
      cleanup = created.cleanup;
      app = await buildTestApp(
        created.url,
        {},
        {
          serve: false,
          now: () => new Date(clock),
          log: createLogger({ level: 'warn', write: (l) => lines.push(l) }),
          adapters: [
            faultyAdapter('slack', 'A', log, {
              directory: { U_ALICE: 'alice@example.com' },
              fault: () => (failing ? serverError() : null),
            }),
          ],
        },
      );
      app.engine.registerActionHandler('choice', () => onClick());
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await cleanup?.();
    });
    async function start(): Promise<App> {
      log.deliveries.length = 0;
      log.attempts = 0;
      lines.length = 0;
      failing = false;
      return app;
    }
    const action = (id: string): Incoming => ({
      kind: 'action',
      id,
      platform: 'slack',
      conversation: {
        platform: 'slack',
        channelId: 'D-U_ALICE',
        threadId: null,
        isDirect: true,
        workspaceId: 'T1',
      },
      user: { platform: 'slack', platformUserId: 'U_ALICE' },
      actionId: 'choice',
      value: {},
      sourceMessage: null,
      receivedAt: new Date(clock).toISOString(),
    });
    const inbox = (a: App, id: string) =>
      a.db
        .selectFrom('inbox')
        .select(['status', 'attempts', 'last_error'])
        .where('dedupe_key', '=', id)
        .executeTakeFirstOrThrow();
    /** Lets time pass in steps, running the recovery sweep and the outbox each step. */
    async function pass(a: App, ms: number, step = 60_000): Promise<void> {
      for (let t = 0; t < ms; t += step) {
        clock += step;
        await a.engine.recoverInbox();
        await a.outbox.runOnce();
      }
    }

    it('retries a turn whose dependency is down for 50 minutes, then answers once', async () => {
      const a = await start();
      let calls = 0;
      const upAt = clock + 50 * 60_000;
      onClick = async () => {
        calls++;
        if (clock < upAt)
          throw new DeliveryError('conversations.open: Slack answered HTTP 503', { retryable: true });
        return [{ reply: { text: 'done at last' } }];
      };
      await (await a.engine.receive(action('out-1'))).processed;
      await pass(a, 55 * 60_000);
      expect(await inbox(a, 'out-1')).toMatchObject({ status: 'done' });
      // Many more attempts than the old five, at most a minute apart.
      expect(calls).toBeGreaterThan(20);
      expect(log.deliveries.map((d) => d.message.reply.text)).toEqual(['done at last']);
    });

    it('gives a turn up at the horizon: the person told once, a dead letter left', async () => {
      const a = await start();
      onClick = async () => {
        throw new DeliveryError('conversations.open: Slack answered HTTP 503', { retryable: true });
      };
      await (await a.engine.receive(action('out-2'))).processed;
      await pass(a, HOUR - 2 * 60_000);
      expect(await inbox(a, 'out-2')).toMatchObject({ status: 'pending' });
      await pass(a, 5 * 60_000);
      expect(await inbox(a, 'out-2')).toMatchObject({
        status: 'failed',
        last_error: expect.stringMatching(/503/),
      });
      const told = log.deliveries.map((d) => d.message.reply.text);
      expect(told).toHaveLength(1);
      expect(told[0]).toMatch(
        /could not process your click on a button because a service I depend on .* kept failing for 6[0-2] minutes/,
      );
      const letters = await a.chatStore.deadLetters({ kind: 'turn', limit: 10 });
      expect(letters).toMatchObject([
        { kind: 'turn', platform: 'slack', user: 'U_ALICE', text: '[choice] {}' },
      ]);
      expect(lines.join('\n')).toMatch(/dead letter: turn given up/);
      const metrics = await a.metrics.registry.render();
      expect(metrics).toContain('chatdesk_dead_letters_total{kind="turn",platform="slack"} 1');
    });

    it('gives a turn that fails for an unexpected reason up after five attempts', async () => {
      const a = await start();
      onClick = async () => {
        throw new TypeError('a bug');
      };
      await (await a.engine.receive(action('out-3'))).processed;
      await pass(a, 10 * 60_000, 30_000);
      expect(await inbox(a, 'out-3')).toMatchObject({ status: 'failed', attempts: 5 });
      expect(log.deliveries[0]?.message.reply.text).toMatch(/because of an error on my side/);
    });

    it('delivers a reply refused for 40 minutes once; gives one refused for over an hour up', async () => {
      const a = await start();
      const reply = (key: string, text: string) => ({
        dedupeKey: key,
        message: {
          conversation: {
            platform: 'slack' as const,
            channelId: 'D-X',
            threadId: null,
            isDirect: true,
            workspaceId: 'T1',
          },
          reply: { text },
        },
      });
      failing = true;
      await a.chatStore.enqueue([reply('r1', 'after 40 minutes')], new Date(clock).toISOString());
      await pass(a, 40 * 60_000);
      failing = false;
      await pass(a, 6 * 60_000);
      expect(log.deliveries.map((d) => d.message.reply.text)).toEqual(['after 40 minutes']);
      // More attempts than the old ten were made in those 40 minutes.
      expect(log.attempts).toBeGreaterThan(10);
      failing = true;
      await a.chatStore.enqueue([reply('r2', 'never')], new Date(clock).toISOString());
      await pass(a, HOUR + 10 * 60_000);
      const rows = await a.db
        .selectFrom('outbox')
        .select(['dedupe_key', 'status'])
        .where('dedupe_key', 'in', ['r1', 'r2'])
        .orderBy('id')
        .execute();
      expect(rows).toEqual([
        { dedupe_key: 'r1', status: 'sent' },
        { dedupe_key: 'r2', status: 'dead' },
      ]);
      expect(lines.join('\n')).toMatch(/dead letter: outbox message given up.*retry horizon passed/);
      expect((await a.chatStore.deadLetters({ kind: 'reply', limit: 10 })).map((d) => d.text)).toEqual([
        'never',
      ]);
    });
  });
}
