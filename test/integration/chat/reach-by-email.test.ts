/**
 * Reaching a person the bot never talked to by their email (Slack users.lookupByEmail): a platform's
 * "nobody has this email" stands for ten minutes, so an agent the desk cannot reach, assigned ticket
 * after ticket, costs one look-up, not one a notice; a person the platform knows is reached at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { buildTestApp } from '../../support/app.js';
import { sqliteDb } from '../../support/databases.js';
import { recordingAdapter } from '../../support/recording-port.js';

describe('reaching a person by email', () => {
  let app: App;
  let cleanup: () => Promise<void>;
  let clock = Date.parse('2026-03-02T09:00:00.000Z');
  const asked: string[] = [];

  beforeAll(async () => {
    const db = await sqliteDb.create();
    cleanup = db.cleanup;
    const { adapter } = recordingAdapter('slack', {});
    adapter.port.findByEmail = async (email) => {
      asked.push(email);
      return email === 'known@example.com' ? { platform: 'slack', platformUserId: 'U0KNOWN', email } : null;
    };
    app = await buildTestApp(db.url, {}, { serve: false, now: () => new Date(clock), adapters: [adapter] });
    const at = new Date(clock).toISOString();
    for (const email of ['nobody@example.com', 'known@example.com'])
      await app.db
        .insertInto('people')
        .values({
          email,
          display_name: email,
          role: 'agent',
          manager_id: null,
          time_zone: 'UTC',
          capacity: null,
          created_at: at,
        })
        .execute();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  it('asks the platform about an unknown email once in ten minutes, and reaches a known one', async () => {
    const nobody = await app.directory.personByEmail('nobody@example.com');
    const known = await app.directory.personByEmail('known@example.com');
    if (!nobody || !known) throw new Error('people not seeded');
    expect(await app.engine.notifyPerson(nobody.id, { text: 'first' }, 'k1')).toBe(false);
    expect(await app.engine.notifyPerson(nobody.id, { text: 'second' }, 'k2')).toBe(false);
    expect(asked).toEqual(['nobody@example.com']);
    clock += 10 * 60_000 + 1;
    expect(await app.engine.notifyPerson(nobody.id, { text: 'third' }, 'k3')).toBe(false);
    expect(asked).toEqual(['nobody@example.com', 'nobody@example.com']);
    expect(await app.engine.notifyPerson(known.id, { text: 'hello' }, 'k4')).toBe(true);
    expect(asked.at(-1)).toBe('known@example.com');
  });
});
