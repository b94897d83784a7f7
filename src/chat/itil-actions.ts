/**
 * Chat surfaces of the ITIL engine: approve/reject buttons for approvers, CAB vote buttons, and the
 * notifier the ITIL services speak through (DMs, the requester's conversation, the agents' thread).
 */
import { AppError } from '../errors.js';
import type { ChatChannel } from '../itsm/directory-data.js';
import type { ItilNotifier } from '../itsm/ports.js';
import type { Itil } from '../itsm/practices.js';
import type { Ticket } from '../itsm/types.js';
import type { ActionHandler } from './adapter-api.js';
import { buttonVote, cabThreadHandler, castChannelVote } from './cab-thread.js';
import type { ChatCore, Engine } from './conversation-engine.js';
import { channelRef } from './handoff/index.js';
import type { ConversationRef, Reply } from './message.js';
import type { ChatStore } from './store.js';

interface ChannelPostDeps {
  /** Queues posts to channels; a CAB card's thread is bound to its change when delivered. */
  store: ChatStore;
  /** Asks the outbox to deliver now rather than on its next tick. */
  kick: () => void;
  now: () => Date;
  /** Bot Connector URL for Teams channels that do not name one. */
  teamsServiceUrl: string;
  /** The triage channel of a group, for cards to its agents (possible problem). */
  groupTriage?: (groupId: number) => Promise<ChatChannel | null>;
}

/** The notifier ITIL services speak through: the chat notices, plus CAB threads on the boards' channels. */
export function createChatNotifier(core: ChatCore, channels: ChannelPostDeps): ItilNotifier {
  const { notifications, ports } = core;
  const boardRef = (ticket: Ticket, channel: ChatChannel): ConversationRef | null =>
    channelRef(
      channel,
      ticket.channel === 'teams' ? 'teams' : 'slack',
      (p) => ports.has(p),
      channels.teamsServiceUrl,
    );
  async function post(
    ref: ConversationRef,
    reply: Reply,
    dedupeKey: string,
    bindTicketId: number | null,
  ): Promise<void> {
    await channels.store.enqueue(
      [
        {
          dedupeKey,
          message: { conversation: ref, reply, replyTo: ref.threadId },
          bindTicketId,
          bindRole: 'cab',
        },
      ],
      channels.now().toISOString(),
    );
    channels.kick();
  }
  return {
    notifyPerson(personId, text, key, choices) {
      const reply: Reply = { text, ...(choices && choices.length > 0 ? { choices } : {}) };
      return notifications.notifyPerson(personId, reply, key);
    },
    notifyRequester(ticket, text, key) {
      return notifications.notifyRequester(ticket, text, key);
    },
    notifyAgents(ticket, text, key) {
      return notifications.notifyAgents(ticket, text, key);
    },
    async offerToAgents(ticket, text, choices, key) {
      const triage = ticket.groupId === null ? null : await channels.groupTriage?.(ticket.groupId);
      const ref = triage ? boardRef(ticket, triage) : null;
      if (!ref) return false;
      // Not bound to the ticket: it is a notice about several, not the ticket's agent thread.
      await post(ref, { text, choices }, `agents-card:${key}`, null);
      return true;
    },
    async openCabThread(ticket, channel, text, choices, key) {
      const ref = boardRef(ticket, channel);
      if (!ref) return false;
      // The dedupe key makes a second submit (another process, a retry) post the card once.
      await post(ref, { text, choices }, `cab-thread:${ticket.number}:${key}`, ticket.id);
      return true;
    },
    async notifyCabThread(ticket, channel, text, key) {
      const thread = (await channels.store.conversationsOfTicket(ticket.id))
        .filter((c) => c.role === 'cab')
        .at(-1);
      const ref = thread?.ref ?? boardRef(ticket, channel);
      if (!ref) return false;
      await post(ref, { text }, `cab-thread:${ticket.number}:${key}`, null);
      return true;
    },
  };
}

function ticketOf(value: Record<string, unknown>): string {
  const t = value.ticket;
  if (typeof t !== 'string' || !/^(REQ|INC|CHG|PRB)\d{7}$/i.test(t))
    throw new AppError(
      'validation_failed',
      'This button has lost its ticket number; open the request from the latest message.',
      { field: 'ticket' },
    );
  return t.toUpperCase();
}

function commentOf(value: Record<string, unknown>): string | null {
  const c = value.comment;
  return typeof c === 'string' && c.trim().length > 0 ? c.trim() : null;
}

function approvalHandler(itil: Itil, decision: 'approved' | 'rejected'): ActionHandler {
  return async ({ action, person, now }) => {
    const number = ticketOf(action.value);
    const { ticket, outcome } = await itil.approvals.decide(
      number,
      person,
      decision,
      commentOf(action.value),
      now,
    );
    const verb = decision === 'approved' ? 'approved' : 'rejected';
    const text =
      outcome === 'pending'
        ? `You ${verb} ${ticket.number} "${ticket.title}". Waiting for the other approvers.`
        : `You ${verb} ${ticket.number} "${ticket.title}". The request is ${outcome === 'approved' ? 'approved and goes to the service desk' : 'cancelled'}; the requester has been told.`;
    return [{ reply: { text }, updateSource: true }];
  };
}

function cabVoteHandler(engine: Engine, itil: Itil): ActionHandler {
  return async ({ action, person, now }) => {
    const number = ticketOf(action.value);
    const vote = buttonVote(action);
    if (!action.conversation.isDirect) {
      // The card in the CAB channel: the vote is echoed in its thread for everyone; the clicker hears
      // back only when it could not count, and privately.
      const replies: Array<{ reply: Reply }> = [];
      await castChannelVote(
        engine,
        itil,
        { number, person, vote, eventKey: `${action.platform}:${action.id}`, now },
        (text) => replies.push({ reply: { text } }),
      );
      return replies;
    }
    const { ticket, outcome } = await itil.changes.vote(number, person, vote.vote, vote.comment, now);
    const text =
      outcome === 'pending'
        ? `Your vote (${vote.vote}) on ${ticket.number} is recorded. Waiting for the rest of the CAB.`
        : `Your vote (${vote.vote}) on ${ticket.number} is recorded. The CAB has ${outcome} the change.`;
    return [{ reply: { text }, updateSource: true }];
  };
}

/** "Create problem" on the possible-problem card: the problem, its links, the reporters told, once. */
function problemCreateHandler(itil: Itil): ActionHandler {
  return async ({ action, person, now }) => {
    const raw = action.value.incidents;
    const incidents = Array.isArray(raw)
      ? raw
          .filter((n): n is string => typeof n === 'string' && /^INC\d{7}$/i.test(n))
          .map((n) => n.toUpperCase())
      : [];
    if (incidents.length === 0)
      throw new AppError(
        'validation_failed',
        'This card has lost its incident numbers; use "problem from INC…".',
        {
          field: 'incidents',
        },
      );
    const r = await itil.clusters.createFromCluster(
      person,
      incidents,
      { major: action.value.major === true },
      now,
    );
    const text = r.created
      ? `${person.displayName} opened ${r.problem.number} "${r.problem.title}" from ${r.linked.join(', ')}${r.major ? ', raised to a major incident (P1)' : ''}. ${r.reportersTold} reporter(s) told.`
      : `These reports already belong to ${r.problem.number} "${r.problem.title}"; nothing new was created.`;
    return [{ reply: { text }, updateSource: r.created }];
  };
}

/** Registers the approval and CAB vote buttons, and the CAB vote threads, with the engine. */
export function registerItilActions(engine: Engine, itil: Itil): void {
  engine.registerActionHandler('problem.create', problemCreateHandler(itil));
  engine.registerActionHandler('approval.approve', approvalHandler(itil, 'approved'));
  engine.registerActionHandler('approval.reject', approvalHandler(itil, 'rejected'));
  engine.registerActionHandler('change.vote', cabVoteHandler(engine, itil));
  engine.registerThreadHandler('cab', cabThreadHandler(engine, itil));
}
