/**
 * The ChatStore (src/chat/store.ts) over Kysely: conversations and knowledge answers here; identities,
 * the inbox, the outbox and dead letters in their own modules, composed into one store.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ConversationRef } from '../chat/message.js';
import type { ChatStore } from '../chat/store.js';
import { createIdentityPart } from './chat-identities.js';
import { createInboxPart } from './chat-inbox.js';
import { createOutboxPart } from './chat-outbox.js';
import { channelKey, insertConversation, toConversation } from './chat-rows.js';
import type { Dialect } from './connect.js';
import { createDeadLetterPart } from './dead-letters.js';
import type { DB } from './schema.js';

interface ChatStoreOptions {
  /** This process start (boots.ts): every lease it takes names it. Default: a fresh id. */
  bootId?: string;
  /** Default: asked of the database when first needed. */
  dialect?: Dialect;
}

export function createChatStore(db: Kysely<DB>, opts: ChatStoreOptions = {}): ChatStore {
  const bootId = opts.bootId ?? randomUUID();
  const conversation = async (ref: ConversationRef) => {
    const r = await db
      .selectFrom('conversations')
      .selectAll()
      .where('platform', '=', ref.platform)
      .where('channel_id', '=', ref.channelId)
      .where('thread_id', '=', ref.threadId ?? '')
      .executeTakeFirst();
    return r ? toConversation(r) : null;
  };

  return {
    ...createIdentityPart(db, opts.dialect),
    ...createInboxPart(db, bootId),
    ...createOutboxPart(db, bootId),
    ...createDeadLetterPart(db),

    async recordKbAnswer(a) {
      const r = await db
        .insertInto('kb_answers')
        .values({
          person_id: a.personId,
          article_id: a.articleId,
          query: a.query.slice(0, 2000),
          intent: a.intent,
          confidence: a.confidence,
          platform: a.platform,
          answered_at: a.answeredAt,
          outcome: 'none',
          outcome_at: null,
          ticket_id: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },

    async setKbOutcome(id, outcome, at, ticketId) {
      await db
        .updateTable('kb_answers')
        .set({ outcome, outcome_at: at, ticket_id: ticketId })
        .where('id', '=', id)
        .execute();
    },

    conversation,

    async queuedConversations(limit) {
      const rows = await db
        .selectFrom('conversations')
        .selectAll()
        .where('owner', '=', 'queue')
        .where('role', '=', 'requester')
        .where('ticket_id', 'is not', null)
        .orderBy('updated_at')
        .limit(limit)
        .execute();
      return rows.map(toConversation);
    },

    async directConversationsOf(personId) {
      const rows = await db
        .selectFrom('conversations')
        .selectAll()
        .where('person_id', '=', personId)
        .where('is_direct', '=', 1)
        .where('thread_id', '=', '')
        .orderBy('updated_at', 'desc')
        .execute();
      return rows.map(toConversation);
    },

    async ensureConversation(ref, personId, now, role = 'requester') {
      const inserted = await insertConversation(db, ref, personId, now, role);
      if (inserted) return inserted;
      const found = await conversation(ref);
      if (!found) throw new Error(`conversation ${channelKey(ref)} vanished after insert`);
      // Teams may move a conversation to another service URL; the newest one is the one that works.
      if (ref.serviceUrl && found.ref.serviceUrl !== ref.serviceUrl) {
        await db
          .updateTable('conversations')
          .set({ service_url: ref.serviceUrl })
          .where('id', '=', found.id)
          .execute();
        found.ref.serviceUrl = ref.serviceUrl;
      }
      return found;
    },

    async saveConversation(id, patch, now) {
      await db
        .updateTable('conversations')
        .set({
          updated_at: now,
          ...(patch.dialog !== undefined ? { dialog: JSON.stringify(patch.dialog) } : {}),
          ...(patch.ticketId !== undefined ? { ticket_id: patch.ticketId } : {}),
          ...(patch.owner !== undefined ? { owner: patch.owner } : {}),
          ...(patch.personId !== undefined ? { person_id: patch.personId } : {}),
        })
        .where('id', '=', id)
        .execute();
    },

    async compareAndSetOwner(id, from, to, now) {
      const res = await db
        .updateTable('conversations')
        .set({ owner: to, updated_at: now })
        .where('id', '=', id)
        .where('owner', 'in', from)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    async conversationsOfTicket(ticketId) {
      const rows = await db
        .selectFrom('conversations')
        .selectAll()
        .where('ticket_id', '=', ticketId)
        .orderBy('id')
        .execute();
      return rows.map(toConversation);
    },
  };
}
