/** Building outbox rows: a reply in a conversation's thread, and an Emit that collects them under one key. */
import type { Emit } from './handoff/index.js';
import type { ConversationRef, Outgoing, Reply } from './message.js';
import type { NewOutgoing } from './store.js';

export function outgoing(conv: ConversationRef, reply: Reply): Outgoing {
  return { conversation: conv, reply, replyTo: conv.threadId };
}

/**
 * An Emit that appends to `out`, each row keyed `<base>:<index>`: a redelivered event or a repeated
 * sweep produces the same keys, so the outbox never sends a message twice.
 */
export function collectInto(out: NewOutgoing[], base: string, opts: { updates?: boolean } = {}): Emit {
  return (conv, reply, extra = {}) => {
    out.push({
      dedupeKey: `${base}:${out.length}`,
      message: {
        ...outgoing(conv, reply),
        ...(opts.updates && extra.updateOf ? { updateOf: extra.updateOf } : {}),
      },
      bindTicketId: extra.bindTicketId ?? null,
      bindRole: extra.bindRole ?? 'requester',
    });
  };
}
