/**
 * Dead letters: accepted events whose turn was given up (inbox `failed`) and replies given up (outbox
 * `dead`). They stay where they are; this reads them for admins (REST, metrics).
 */
import type { Kysely } from 'kysely';
import type { Incoming, Outgoing, Platform } from '../chat/message.js';
import type { ChatStore, DeadLetter } from '../chat/store.js';
import { parseJsonColumn } from './json.js';
import type { DB } from './schema.js';

const cut = (s: string) => (s.length > 500 ? `${s.slice(0, 499)}…` : s);

function describeIncoming(payload: string, id: number): { text: string; user: string | null } {
  const incoming = parseJsonColumn<Incoming>(payload, `inbox #${id}`);
  const text =
    incoming.kind === 'message' ? incoming.text : `[${incoming.actionId}] ${JSON.stringify(incoming.value)}`;
  return { text: cut(text), user: incoming.user.platformUserId };
}

type DeadLetterPart = Pick<ChatStore, 'deadLetters' | 'deadLetterCounts'>;

export function createDeadLetterPart(db: Kysely<DB>): DeadLetterPart {
  return {
    async deadLetters({ kind, limit }) {
      const out: DeadLetter[] = [];
      if (kind !== 'reply') {
        const rows = await db
          .selectFrom('inbox')
          .select([
            'id',
            'platform',
            'conversation_key',
            'payload',
            'last_error',
            'attempts',
            'received_at',
            'processed_at',
          ])
          .where('status', '=', 'failed')
          .orderBy('id', 'desc')
          .limit(limit)
          .execute();
        for (const r of rows)
          out.push({
            kind: 'turn',
            id: r.id,
            platform: r.platform as Platform,
            conversation: r.conversation_key ?? '',
            ...describeIncoming(r.payload, r.id),
            error: r.last_error,
            attempts: r.attempts,
            since: r.received_at,
            gaveUpAt: r.processed_at,
          });
      }
      if (kind !== 'turn') {
        const rows = await db
          .selectFrom('outbox')
          .select([
            'id',
            'platform',
            'conversation_key',
            'payload',
            'last_error',
            'attempts',
            'created_at',
            'sent_at',
          ])
          .where('status', '=', 'dead')
          .orderBy('id', 'desc')
          .limit(limit)
          .execute();
        for (const r of rows) {
          const { message } = parseJsonColumn<{ message: Outgoing }>(r.payload, `outbox #${r.id}`);
          out.push({
            kind: 'reply',
            id: r.id,
            platform: r.platform as Platform,
            conversation: r.conversation_key,
            user: null,
            text: cut(message.reply.text),
            error: r.last_error,
            attempts: r.attempts,
            since: r.created_at,
            gaveUpAt: r.sent_at,
          });
        }
      }
      return out.sort((a, b) => (b.gaveUpAt ?? '').localeCompare(a.gaveUpAt ?? '')).slice(0, limit);
    },

    async deadLetterCounts() {
      const count = (table: 'inbox' | 'outbox', status: 'failed' | 'dead') =>
        db
          .selectFrom(table)
          .select(['platform', (eb) => eb.fn.countAll<number>().as('n')])
          .where('status', '=', status)
          .groupBy('platform')
          .execute();
      const [turns, replies] = await Promise.all([count('inbox', 'failed'), count('outbox', 'dead')]);
      return [
        ...turns.map((r) => ({ kind: 'turn' as const, platform: r.platform, count: Number(r.n) })),
        ...replies.map((r) => ({ kind: 'reply' as const, platform: r.platform, count: Number(r.n) })),
      ];
    },
  };
}
