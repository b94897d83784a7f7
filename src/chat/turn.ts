/**
 * One turn, from an inbox item to the replies it queues: who is speaking, whether the desk takes the
 * message (turn-policy.ts), and who answers it: the agents' handoff protocol in agent threads, a feature's
 * thread handler (CAB votes), a person who owns the conversation (owner-check.ts), else the dialogs.
 */

import type { DirectoryStore } from '../itsm/ports.js';
import type { TicketService } from '../itsm/tickets.js';
import type { Logger } from '../log.js';
import type { ActionHandler, ThreadHandler } from './adapter-api.js';
import type { AgentCommandHook } from './agent-desk-chat.js';
import { type Dialogs, isAnswerError, type TurnContext, userMessageFor } from './dialogs/index.js';
import type { Emit, Handoff } from './handoff/index.js';
import type { IdentityResolver } from './identity.js';
import { type ActionId, conversationRefOf, type Incoming } from './message.js';
import { collectInto } from './outgoing.js';
import { handledByOwner } from './owner-check.js';
import type { PortRegistry } from './ports.js';
import type { createRateLimiter } from './rate-limit.js';
import { type ChatStore, type ConversationRole, conversationKey, type NewOutgoing } from './store.js';
import { belongsInDirect, identityRefusal, MOVED_TO_DIRECT_TEXT, messageCheck } from './turn-policy.js';

export interface TurnResult {
  replies: NewOutgoing[];
  /** The dialog state to save with the turn's completion (none when the dialog was not involved). */
  dialog?: { conversationId: number; dialog: Record<string, unknown> };
}

interface TurnDeps {
  store: ChatStore;
  tickets: TicketService;
  directory: DirectoryStore;
  identities: IdentityResolver;
  handoff: Handoff;
  dialogs: Dialogs;
  ports: PortRegistry;
  rateLimiter: ReturnType<typeof createRateLimiter>;
  actionHandlers: ReadonlyMap<ActionId, ActionHandler>;
  threadHandlers: ReadonlyMap<ConversationRole, ThreadHandler>;
  /** Staff's typed commands (queue, ticket edits), read before the NLU (agent-desk-chat.ts). */
  agentCommands?: AgentCommandHook;
  maxMessageChars: number;
  log: Logger;
  now: () => Date;
}

/** Runs `work`; an error that is an answer for the person becomes a reply, anything else is rethrown. */
async function answering(
  work: () => Promise<void>,
  reply: (text: string, error: unknown) => void,
): Promise<void> {
  try {
    await work();
  } catch (e) {
    if (!isAnswerError(e)) throw e;
    reply(userMessageFor(e), e);
  }
}

export function createTurnHandler(
  deps: TurnDeps,
): (inboxId: number, incoming: Incoming) => Promise<TurnResult> {
  const { store, handoff, dialogs, log } = deps;

  return async function handle(inboxId, incoming) {
    const now = deps.now().toISOString();
    let ref = conversationRefOf(incoming);
    const keyBase = `${incoming.platform}:${incoming.id}`;
    const out: NewOutgoing[] = [];
    const push: Emit = collectInto(out, keyBase, { updates: true });

    // Who is speaking and where, in one read.
    const seen = await store.personAndConversation(incoming.user, ref);
    const person = await deps.identities.resolve(incoming.user, ref, seen.person);
    if (!person || person.active === false) {
      push(ref, { text: identityRefusal(incoming, person) });
      return { replies: out };
    }

    // Agents work tickets from their triage threads and the handoff card's buttons.
    const existing = seen.conversation;
    if (
      existing?.role === 'agents' ||
      (incoming.kind === 'action' && incoming.actionId.startsWith('agent.'))
    ) {
      await answering(
        async () => {
          const typed =
            incoming.kind === 'message' && existing
              ? await deps.agentCommands?.({
                  text: incoming.text,
                  person,
                  threadTicketId: existing.ticketId,
                  now,
                })
              : null;
          if (typed) {
            for (const r of typed) push(ref, r);
          } else if (incoming.kind === 'action') {
            // The desk's card edits (desk-card-actions.ts) work in agent threads as anywhere else.
            const desk = incoming.actionId.startsWith('desk.')
              ? deps.actionHandlers.get(incoming.actionId)
              : undefined;
            const rs = desk
              ? await desk({ action: incoming, person, now })
              : await handoff.onAgentAction(incoming, person, push, now);
            for (const r of rs) push(ref, r.reply);
          } else if (existing) {
            await handoff.onAgentMessage(existing, person, incoming, push, now);
          }
        },
        (text) => push(ref, { text }),
      );
      return { replies: out };
    }
    const threadHandler = existing ? deps.threadHandlers.get(existing.role) : undefined;
    if (existing && threadHandler) {
      await answering(
        () => threadHandler({ conversation: existing, incoming, person, emit: push, now }),
        (text) => push(ref, { text }),
      );
      return { replies: out };
    }
    // A reply in some channel thread the desk never took part in is none of its business.
    if (incoming.kind === 'message' && incoming.via === 'thread' && !ref.isDirect && !existing)
      return { replies: out };

    if (incoming.kind === 'message') {
      const check = messageCheck(
        incoming,
        deps.rateLimiter.check(person.id, Date.parse(now)),
        deps.maxMessageChars,
      );
      if (check.action !== 'go') {
        if (check.action === 'refuse') push(ref, { text: check.text });
        return { replies: out };
      }
      if (belongsInDirect(ref, incoming)) {
        const port = deps.ports.get(incoming.platform);
        if (port) {
          push(ref, { text: MOVED_TO_DIRECT_TEXT });
          ref = await port.openDirect(incoming.user, ref);
        }
      }
    }

    // The row read above serves unless the reply moved to a DM or Teams moved the conversation.
    const conversation =
      existing &&
      conversationKey(existing.ref) === conversationKey(ref) &&
      (!ref.serviceUrl || existing.ref.serviceUrl === ref.serviceUrl)
        ? existing
        : await store.ensureConversation(ref, person.id, now);
    if (conversation.personId === null)
      await store.saveConversation(conversation.id, { personId: person.id }, now);

    const ctx: TurnContext = {
      incoming,
      person,
      conversation,
      now,
      replies: [],
      dialog: conversation.dialog,
      sourceKey: keyBase,
      emit: push,
      owners: new Map(),
    };
    if (incoming.kind === 'message' && (await handledByOwner(deps, ctx, incoming, ref, push)))
      return { replies: out };

    // Anything but an answer for the person is retried or given up (and the person told) by the runner.
    await answering(
      async () => {
        const handler = incoming.kind === 'action' ? deps.actionHandlers.get(incoming.actionId) : undefined;
        const typed =
          incoming.kind === 'message' && person.role !== 'employee'
            ? await deps.agentCommands?.({ text: incoming.text, person, threadTicketId: null, now })
            : null;
        if (typed) for (const r of typed) ctx.replies.push({ reply: r });
        else if (incoming.kind === 'message') await dialogs.onMessage(ctx, incoming);
        else if (handler) ctx.replies.push(...(await handler({ action: incoming, person, now })));
        else await dialogs.onAction(ctx, incoming);
      },
      (text, error) => {
        log.warn('turn failed', { inboxId, error, expected: true });
        ctx.replies.push({ reply: { text } });
      },
    );
    for (const r of ctx.replies) {
      const updateOf = r.updateSource && incoming.kind === 'action' ? incoming.sourceMessage : null;
      if (updateOf && r.reply.card) {
        // Refresh the card the button was on, then confirm in text.
        push(ref, { text: r.reply.text, card: r.reply.card }, { updateOf });
        continue;
      }
      push(ref, r.reply, r.bindTicketId === undefined ? {} : { bindTicketId: r.bindTicketId });
    }
    return { replies: out, dialog: { conversationId: conversation.id, dialog: ctx.dialog } };
  };
}
