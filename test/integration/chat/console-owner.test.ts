/**
 * `chatdesk chat` delivers only to its own person (issue 18 item 7): a message for someone else stays
 * queued, and that person's own console delivers it later. Two app processes in turn on one SQLite file.
 */
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createConsolePort } from '../../../src/adapters/local/console.js';
import type { App } from '../../../src/app.js';
import { buildTestApp } from '../../support/app.js';
import { sqliteDb } from '../../support/databases.js';

async function consoleApp(url: string, owner: string) {
  let printed = '';
  const out = new PassThrough();
  out.on('data', (d: Buffer) => {
    printed += d.toString();
  });
  const port = createConsolePort(out, () => {}, owner);
  const app = await buildTestApp(
    url,
    {},
    {
      serve: false,
      adapters: [{ port, mount: () => undefined, start: async () => undefined, stop: async () => undefined }],
    },
  );
  return { app, printed: () => printed };
}

describe('console chat: each console delivers only to its own person', () => {
  let cleanup: (() => Promise<void>) | undefined;
  const apps: App[] = [];
  afterAll(async () => {
    for (const a of apps) await a.close();
    await cleanup?.();
  });

  it("keeps maria's message queued in bob's console and delivers it in hers", async () => {
    const db = await sqliteDb.create();
    cleanup = db.cleanup;
    const bob = await consoleApp(db.url, 'bob@example.com');
    apps.push(bob.app);
    const maria = await bob.app.directory.personByEmail('maria@example.com');
    if (!maria) throw new Error('maria missing');
    // maria has a local conversation (she chatted before); a notice for her is queued there.
    await bob.app.chatStore.ensureConversation(
      {
        platform: 'local',
        channelId: 'console:maria@example.com',
        threadId: null,
        isDirect: true,
        workspaceId: null,
      },
      maria.id,
      bob.app.now().toISOString(),
    );
    expect(await bob.app.engine.notifyPerson(maria.id, { text: 'Approval needed: REQ0000001' }, 'k1')).toBe(
      true,
    );
    const bobPerson = await bob.app.directory.personByEmail('bob@example.com');
    if (!bobPerson) throw new Error('bob missing');
    await bob.app.chatStore.ensureConversation(
      {
        platform: 'local',
        channelId: 'console:bob@example.com',
        threadId: null,
        isDirect: true,
        workspaceId: null,
      },
      bobPerson.id,
      bob.app.now().toISOString(),
    );
    expect(await bob.app.engine.notifyPerson(bobPerson.id, { text: 'Your ticket was updated' }, 'k2')).toBe(
      true,
    );
    await bob.app.outbox.flush();
    expect(bob.printed()).toContain('Your ticket was updated');
    expect(bob.printed()).not.toContain('Approval needed');
    const pending = await bob.app.db
      .selectFrom('outbox')
      .select(['status', 'payload'])
      .where('status', '=', 'pending')
      .execute();
    expect(pending.some((r) => r.payload.includes('Approval needed'))).toBe(true);
    await bob.app.close();
    apps.pop();

    // maria opens her console (another process); the queued message is hers. It waits out the
    // short back-off bob's console gave it.
    const mine = await consoleApp(db.url, 'maria@example.com');
    apps.push(mine.app);
    const until = Date.now() + 15_000;
    while (!mine.printed().includes('Approval needed') && Date.now() < until) {
      await mine.app.outbox.flush();
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(mine.printed()).toContain('Approval needed: REQ0000001');
  }, 60_000);
});
