/**
 * The agent desk in chat: typed staff commands (agent-commands.ts) read before the NLU, the queue's
 * "Open" button, and what follows an edit (the requester told, a moved ticket's card posted).
 * The engine calls `commands` through a small hook; the rest registers as an action handler.
 */
import type { AgentDesk } from '../itsm/agent-desk.js';
import { isStaff } from '../itsm/authorization.js';
import type { DirectoryStore } from '../itsm/ports.js';
import type { TicketService } from '../itsm/tickets.js';
import type { Person, Ticket } from '../itsm/types.js';
import { assertMayWorkTicket } from '../itsm/work-rule.js';
import type { ActionHandler } from './adapter-api.js';
import { type AgentCommand, parseAgentCommand, runAgentCommand } from './agent-commands.js';
import { type QueueView, queueView } from './agent-queue-view.js';
import type { Reply } from './message.js';

/** What the engine asks before the dialogs: null when the text is no staff command. */
export type AgentCommandHook = (input: {
  text: string;
  person: Person;
  /** The ticket of the agent thread the message was typed in, if any. */
  threadTicketId: number | null;
  now: string;
}) => Promise<Reply[] | null>;

interface AgentDeskChatDeps {
  desk: AgentDesk;
  tickets: TicketService;
  directory: DirectoryStore;
  notifyRequester: (t: Ticket, text: string, key: string, opts?: { askRating?: boolean }) => Promise<void>;
  /**
   * Resolves a ticket whose requester is talking to a person, as the hand-off card's Resolve button
   * does (the conversation goes back to the bot, which asks for a rating). False when nobody has the
   * conversation: the caller resolves and tells the requester itself.
   */
  resolveHandedOff: (t: Ticket, agent: Person, note: string | null, now: string) => Promise<boolean>;
  notifyAgents: (t: Ticket, text: string, key: string) => Promise<boolean>;
}

export function createAgentDeskChat(deps: AgentDeskChatDeps) {
  const commands: AgentCommandHook = async ({ text, person, threadTicketId, now }) => {
    if (person.role === 'employee') return null;
    const cmd = parseAgentCommand(text);
    if (!cmd) return null;
    const thread = threadTicketId === null ? null : await deps.tickets.byIdForSystem(threadTicketId);
    return apply(cmd, person, thread?.number ?? null, now);
  };

  /** Runs a staff command (typed, or a card button's) and tells whoever it concerns. */
  const apply = async (
    cmd: AgentCommand,
    person: Person,
    threadNumber: string | null,
    now: string,
  ): Promise<Reply[] | null> => {
    if (cmd.kind === 'resolve') return resolve(cmd.ticket ?? threadNumber, cmd.note, person, now);
    const r = await runAgentCommand(deps.desk, cmd, person, threadNumber, now);
    if (!r) return null;
    if (r.tellRequester && r.tellRequester.ticket.requesterId !== person.id)
      await deps.notifyRequester(r.tellRequester.ticket, r.tellRequester.text, r.tellRequester.key);
    if (r.moved)
      await deps.notifyAgents(
        r.moved,
        `${person.displayName} moved ${r.moved.number} to this group.`,
        `moved:${r.moved.groupId}:${now}`,
      );
    return r.replies;
  };

  /** "resolve INC0000003: replaced the dock": the agent's resolution, never the requester's "it works now". */
  const resolve = async (
    number: string | null,
    note: string | null,
    agent: Person,
    now: string,
  ): Promise<Reply[]> => {
    if (!number) return [{ text: 'Resolve which ticket? Say e.g. "resolve INC0000003: what fixed it".' }];
    const t = await deps.tickets.get(number, agent);
    await assertMayWorkTicket(deps.directory, t, agent);
    const told = ` ${t.requesterId === agent.id ? 'It is your own ticket.' : 'The requester is told and asked for a rating.'}`;
    if (await deps.resolveHandedOff(t, agent, note, now))
      return [{ text: `${t.number} is resolved.${told}` }];
    const done = await deps.tickets.transition(
      t.number,
      'resolved',
      agent,
      { reason: note ?? `resolved by ${agent.displayName}` },
      now,
    );
    if (done.requesterId !== agent.id)
      await deps.notifyRequester(
        done,
        `${agent.displayName} resolved ${done.number}${note ? `: ${note}` : ''}.`,
        `resolved:${done.number}:${now}`,
        { askRating: true },
      );
    return [{ text: `${done.number} is resolved.${told}` }];
  };

  /** The queue's "Open" button: bumps the ticket's agent thread, or posts its card to the triage channel. */
  const open: ActionHandler = async ({ action, person, now }) => {
    const number = typeof action.value.ticket === 'string' ? action.value.ticket : '';
    const t = await deps.tickets.get(number, person);
    await assertMayWorkTicket(deps.directory, t, person);
    const posted = await deps.notifyAgents(
      t,
      `${person.displayName} opened ${t.number} from their queue.`,
      `open:${person.id}:${now}`,
    );
    return [
      {
        reply: {
          text: posted
            ? `${t.number} is in its thread in the triage channel; reply there to talk to the requester.`
            : `${t.number}'s group has no triage channel I can post to.`,
        },
      },
    ];
  };

  /** The queue of a member of staff as rows (Slack App Home); null for employees, who have none. */
  const queue = async (person: Person, now: string): Promise<QueueView | null> =>
    isStaff(person) ? queueView(await deps.desk.queueFor(person, now), person, now) : null;

  return { commands, apply, open, queue };
}
