/** Message-IDs of the e-mail channel (migration 013). */
import type { Kysely } from 'kysely';
import type { EmailMessageStore } from '../adapters/email/intake.js';
import type { Person } from '../itsm/types.js';
import { toPerson } from './directory-store.js';
import type { DB } from './schema.js';

export function createEmailMessageStore(db: Kysely<DB>): EmailMessageStore {
  return {
    async seen(messageId) {
      const r = await db
        .selectFrom('email_messages')
        .select('message_id')
        .where('message_id', '=', messageId)
        .executeTakeFirst();
      return r !== undefined;
    },
    async record(messageId, ticketId, direction, now) {
      await db
        .insertInto('email_messages')
        .values({ message_id: messageId, ticket_id: ticketId, direction, created_at: now })
        .onConflict((oc) => oc.column('message_id').doNothing())
        .execute();
    },
    async ticketOf(messageIds) {
      if (messageIds.length === 0) return null;
      const r = await db
        .selectFrom('email_messages')
        .select('ticket_id')
        .where('message_id', 'in', messageIds.slice(0, 100))
        .where('ticket_id', 'is not', null)
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
      return r?.ticket_id ?? null;
    },
  };
}

/** EMAIL_UNKNOWN_SENDERS=create: an unknown sender becomes an employee of the directory. */
export async function createPersonByEmail(
  db: Kysely<DB>,
  email: string,
  name: string,
  now: string,
): Promise<Person> {
  const normalized = email.trim().toLowerCase();
  await db
    .insertInto('people')
    .values({
      email: normalized,
      display_name: name.slice(0, 200),
      role: 'employee',
      manager_id: null,
      time_zone: 'UTC',
      capacity: null,
      created_at: now,
    })
    .onConflict((oc) => oc.column('email').doNothing())
    .execute();
  return toPerson(
    await db.selectFrom('people').selectAll().where('email', '=', normalized).executeTakeFirstOrThrow(),
  );
}
