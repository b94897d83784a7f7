/**
 * Ticket reads asked for together (a turn's facts: open and resolved tickets and the conversation's
 * ticket) are one statement, and each answers exactly what it would have answered alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../../src/db/connect.js';
import { migrate } from '../../../src/db/migrate.js';
import { createTicketStore } from '../../../src/db/ticket-store.js';
import type { TicketState } from '../../../src/itsm/types.js';
import { testDatabases } from '../../support/databases.js';

const NOW = '2026-03-02T10:00:00.000Z';
const OPEN: TicketState[] = ['new', 'assigned', 'in_progress', 'pending'];

describe.each(testDatabases())('ticket reads on $name', (kind) => {
  let database: Database | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await database?.close();
    await cleanup?.();
  });

  it('answers reads asked for in the same tick with one statement, each as if alone', async () => {
    const created = await kind.create();
    cleanup = created.cleanup;
    const statements: string[] = [];
    database = await openDatabase(created.url, { onStatement: (s) => statements.push(s) });
    await migrate(database);
    const { db } = database;
    for (const email of ['alice@example.com', 'bob@example.com'])
      await db
        .insertInto('people')
        .values({
          email,
          display_name: email,
          role: 'employee',
          manager_id: null,
          time_zone: 'UTC',
          capacity: null,
          created_at: NOW,
        })
        .execute();
    const store = createTicketStore(db);
    const states: TicketState[] = [
      'new',
      'resolved',
      'assigned',
      'resolved',
      'closed',
      'pending',
      'resolved',
    ];
    const ids: number[] = [];
    for (const [k, state] of states.entries()) {
      const t = await store.create(
        {
          kind: 'incident',
          title: `t${k}`,
          description: 'd',
          state,
          impact: 'low',
          urgency: 'low',
          priority: 'P4',
          category: null,
          templateId: null,
          fields: {},
          requesterId: k === 2 ? 2 : 1,
          groupId: null,
          assigneeId: null,
          channel: 'api',
          createdAt: NOW,
          sourceKey: null,
        },
        [],
      );
      ids.push(t.id);
    }
    const asks = () =>
      [
        store.list({ requesterId: 1, states: OPEN, limit: 20 }),
        store.list({ requesterId: 1, states: ['resolved'], limit: 2 }),
        store.byId(ids[4] as number),
        store.byId(9999),
      ] as const;

    const alone: unknown[] = [];
    for (const ask of asks()) alone.push(await ask);
    const before = statements.length;
    const together = await Promise.all(asks());
    expect(statements.length - before).toBe(1);
    expect(statements.at(-1)).toMatch(/union all/i);
    expect(together).toEqual(alone);
    // What the reads answer: newest first, each list within its own limit.
    expect(together[0].map((t) => t.title)).toEqual(['t5', 't0']);
    expect(together[1].map((t) => t.title)).toEqual(['t6', 't3']);
    expect(together[2]?.state).toBe('closed');
    expect(together[3]).toBeNull();
  });
});
