/** Row mapping and SQL pieces the chat store's parts (conversations, inbox, outbox) share. */
import { type Kysely, type SqlBool, sql } from 'kysely';
import type { ConversationRef, Platform } from '../chat/message.js';
import type { Conversation, ConversationRole } from '../chat/store.js';
import type { ConversationOwner } from '../itsm/types.js';
import { parseJsonColumn } from './json.js';
import type { ConversationRow, DB } from './schema.js';

export function toConversation(r: ConversationRow): Conversation {
  return {
    id: r.id,
    ref: {
      platform: r.platform as Platform,
      channelId: r.channel_id,
      threadId: r.thread_id === '' ? null : r.thread_id,
      isDirect: r.is_direct === 1,
      workspaceId: r.workspace_id,
      serviceUrl: r.service_url,
      isPublic: r.is_public === 1,
    },
    role: r.role,
    personId: r.person_id,
    ticketId: r.ticket_id,
    owner: r.owner as ConversationOwner,
    dialog: parseJsonColumn<Record<string, unknown>>(r.dialog, `conversations.dialog #${r.id}`),
    updatedAt: r.updated_at,
  };
}

export const addMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/** Outbox order is kept per platform channel: a thread reply never overtakes the card it answers. */
export const channelKey = (ref: ConversationRef) => `${ref.platform}:${ref.channelId}`;

/**
 * No earlier pending row of the same conversation (inbox) or channel (outbox) than the row `outer`
 * names: each conversation's items are worked one at a time, in order.
 */
export const firstPending = (table: 'inbox' | 'outbox', outer: string) =>
  sql<SqlBool>`not exists (select 1 from ${sql.table(table)} as e where e.conversation_key = ${sql.ref(`${outer}.conversation_key`)} and e.status = 'pending' and e.id < ${sql.ref(`${outer}.id`)})`;

/** Thrown inside a claim transaction to roll it back when the lease went to someone else. */
export class LeaseTaken extends Error {}

/** The row of a new conversation (owner `bot`, no dialog yet). */
export function conversationRow(
  ref: ConversationRef,
  personId: number | null,
  now: string,
  role: ConversationRole,
  ticketId: number | null = null,
) {
  return {
    platform: ref.platform,
    channel_id: ref.channelId,
    thread_id: ref.threadId ?? '',
    is_direct: ref.isDirect ? 1 : 0,
    is_public: ref.isPublic ? 1 : 0,
    workspace_id: ref.workspaceId,
    service_url: ref.serviceUrl ?? null,
    person_id: personId,
    ticket_id: ticketId,
    owner: 'bot',
    dialog: '{}',
    role,
    created_at: now,
    updated_at: now,
  };
}

/** Inserts the conversation row for a ref unless it exists; the inserted row, or null when it existed. */
export async function insertConversation(
  db: Kysely<DB>,
  ref: ConversationRef,
  personId: number | null,
  now: string,
  role: ConversationRole,
): Promise<Conversation | null> {
  const inserted = await db
    .insertInto('conversations')
    .values(conversationRow(ref, personId, now, role))
    .onConflict((oc) => oc.columns(['platform', 'channel_id', 'thread_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  return inserted ? toConversation(inserted) : null;
}
