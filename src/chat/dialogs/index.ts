/**
 * The dialog layer as the conversation engine sees it: reads the stack and the facts a turn needs,
 * asks the NLU what the message means, runs the pure turn (router.ts, actions.ts) and hands its
 * effects to the interpreter (run.ts). See docs/conversations.md.
 */
import { findTicketNumbers } from '../../itsm/numbering.js';
import type { DirectoryStore } from '../../itsm/ports.js';
import type { Template } from '../../itsm/templates.js';
import type { TicketService } from '../../itsm/tickets.js';
import { OPEN_STATES, type Person, type Ticket } from '../../itsm/types.js';
import { frustrationOf } from '../../nlu/frustration.js';
import type { Nlu } from '../../nlu/types.js';
import type { Emit, Handoff } from '../handoff/index.js';
import type { Courtesy } from '../handoff/types.js';
import type { IncomingAction, IncomingMessage, Reply } from '../message.js';
import type { ChatStore, Conversation } from '../store.js';
import { onAction } from './actions.js';
import { certainUnderstanding } from './certain.js';
import { isNewProblemWhileHandedOff, progressWhileHandedOff, STATUS, worksNow } from './decide.js';
import type { DialogHooks } from './hooks.js';
import { openIncident } from './incident.js';
import { onMessage, TEMPLATE_FOR_INTENT } from './router.js';
import { createRunner, type RunContext } from './run.js';
import { readStack } from './stack.js';
import { say } from './steps.js';
import { status } from './tickets.js';
import type { Article, DialogStack, Facts, Step, Turn, Understanding } from './types.js';

export type { DialogHooks } from './hooks.js';
export { ratingStack } from './stack.js';
export { isAnswerError, userMessageFor, welcomeText } from './texts.js';

interface DialogDeps {
  tickets: TicketService;
  store: ChatStore;
  nlu: Nlu;
  directory: Pick<DirectoryStore, 'people' | 'personById' | 'groupById'>;
  templates: Map<string, Template>;
  articles: Map<string, Article>;
  handoffThreshold: number;
  handoff: Handoff;
  hooks: DialogHooks;
}

export interface TurnContext {
  incoming: IncomingMessage | IncomingAction;
  person: Person;
  conversation: Conversation;
  now: string;
  /** Replies, in order. The engine turns them into outbox rows. */
  replies: Array<{ reply: Reply; bindTicketId?: number; updateSource?: boolean }>;
  /** The dialog stack to store after the turn (JSON). */
  dialog: Record<string, unknown>;
  /** Idempotency key for tickets this turn opens. */
  sourceKey: string;
  /** Sends to a conversation other than this one (the agents' triage channel). */
  emit: Emit;
  /** Who holds each ticket's conversation as this turn read or set it (ticket id → owner). */
  owners: Map<number, string>;
}

/** A button press carries no text to classify. */
const ACTION_UNDERSTANDING: Understanding = {
  prediction: {
    intent: 'action',
    confidence: 1,
    outOfScope: false,
    alternatives: [],
    explanation: { terms: [], nearest: [] },
  },
  frustration: { frustrated: false, score: 0, reason: null },
};

export function createDialogs(deps: DialogDeps) {
  const { tickets } = deps;
  const runner = createRunner(deps);

  async function facts(ctx: TurnContext, needPeople: boolean): Promise<Facts> {
    const { person, conversation } = ctx;
    const [openTickets, resolvedTickets, current, people] = await Promise.all([
      tickets.listFor(person, { requesterId: person.id, states: [...OPEN_STATES], limit: 20 }),
      tickets.listFor(person, { requesterId: person.id, states: ['resolved'], limit: 5 }),
      conversation.ticketId === null ? null : tickets.byIdForSystem(conversation.ticketId),
      needPeople ? deps.directory.people(500) : Promise.resolve([] as Person[]),
    ]);
    const own: Ticket | null = current && current.requesterId === person.id ? current : null;
    return {
      now: ctx.now,
      person,
      platform: ctx.incoming.platform,
      threadTicket: own && conversation.ref.threadId !== null ? own : null,
      conversationTicket: own,
      openTickets,
      resolvedTickets,
      templates: deps.templates,
      articles: deps.articles,
      people,
      handoffThreshold: deps.handoffThreshold,
    };
  }

  const needsPeople = (stack: DialogStack, intent: string): boolean => {
    const top = stack.frames.at(-1);
    return top?.dialog === 'form' || intent in TEMPLATE_FOR_INTENT;
  };

  async function understand(text: string): Promise<Understanding> {
    // Without nearest examples: the dialogs use only the terms of an explanation.
    const prediction = await deps.nlu.intents.classify(text, { nearest: false });
    return { prediction, frustration: frustrationOf(text) };
  }

  async function run(ctx: TurnContext, turn: Turn, s: Step): Promise<void> {
    const rc: RunContext = {
      facts: turn.facts,
      conversation: ctx.conversation,
      platform: ctx.incoming.platform,
      sourceKey: ctx.sourceKey,
      emit: ctx.emit,
      replies: ctx.replies,
      opened: 0,
      owners: ctx.owners,
    };
    const stack = await runner.run(rc, s, turn.stack);
    ctx.dialog = stack as unknown as Record<string, unknown>;
  }

  async function message(ctx: TurnContext, text: string, fromButton = false): Promise<void> {
    const stack = readStack(ctx.dialog, ctx.now);
    const nlu = certainUnderstanding(text, stack, fromButton) ?? (await understand(text));
    const turn: Turn = {
      stack,
      text,
      nlu,
      facts: await facts(ctx, needsPeople(stack, nlu.prediction.intent)),
    };
    await run(ctx, turn, onMessage(turn));
  }

  return {
    async onMessage(ctx: TurnContext, msg: IncomingMessage): Promise<void> {
      await message(ctx, msg.text.trim());
    },

    async onAction(ctx: TurnContext, action: IncomingAction): Promise<void> {
      // A button that stands for a typed answer is handled exactly as if it had been typed.
      if (action.actionId === 'choice' && typeof action.value.answer === 'string') {
        await message(ctx, action.value.answer, true);
        return;
      }
      const stack = readStack(ctx.dialog, ctx.now);
      const turn: Turn = { stack, text: '', nlu: ACTION_UNDERSTANDING, facts: await facts(ctx, false) };
      await run(ctx, turn, onAction(turn, action.actionId, action.value));
    },

    /**
     * A message while a person owns the conversation about `ticket`. A clearly new problem opens a
     * ticket of its own (the requester and the agents are told): 'done'. Otherwise it is relayed to
     * the person: 'thanks' or 'goodbye' when it only thanks or takes leave (the requester is not told
     * it was "added" to the ticket), else 'relay'.
     */
    async whileHandedOff(
      ctx: TurnContext,
      msg: IncomingMessage,
      ticket: Ticket,
      owner: string,
    ): Promise<HandedOffOutcome> {
      const text = msg.text.trim();
      const stack = readStack(ctx.dialog, ctx.now);
      // A command with a fixed syntax ("approve REQ…", "status INC…", "report") is not words for the
      // person: it runs, unless it names the ticket being handed off (those words stay with the agent).
      // So do "status" (the person's own list, read-only) and "it works now", which does what the
      // hand-off message's "It works now: close" button does.
      const typed = certainUnderstanding(text, stack, false);
      const aboutThisTicket = findTicketNumbers(text).some((n) => n.number === ticket.number);
      const botsOwn = STATUS.test(text) || worksNow(text);
      if ((typed?.prediction.intent === 'typed_command' && !aboutThisTicket) || botsOwn) {
        const nlu = typed ?? (await understand(text));
        const turn: Turn = { stack, text, nlu, facts: await facts(ctx, false) };
        await run(ctx, turn, onMessage(turn));
        return 'done';
      }
      const nlu = await understand(text);
      const turn: Turn = { stack, text, nlu, facts: await facts(ctx, false) };
      const progress = progressWhileHandedOff(turn, ticket);
      if (progress === 'elsewhere') {
        // The person's tickets answer it, whatever else the classifier read in the words.
        await run(ctx, turn, status(turn));
        return 'done';
      }
      if (progress === 'here') return 'relay';
      if (!isNewProblemWhileHandedOff(turn, ticket))
        return isCourtesy(nlu.prediction.intent) && !nlu.prediction.outOfScope
          ? nlu.prediction.intent
          : 'relay';
      const agentId = owner.startsWith('agent:') ? Number(owner.slice('agent:'.length)) : null;
      const agent = agentId === null ? null : await deps.directory.personById(agentId);
      const s = openIncident(turn, text, {
        intent: nlu.prediction.intent,
        confidence: nlu.prediction.confidence,
        askImpact: false,
        bind: false,
        lead: 'That sounds like a new problem, so I have opened a separate ticket for it.\n',
        after: (shown) => [
          {
            do: 'tell_agents',
            ticket: ticket.number,
            text: `${ctx.person.displayName} reported a new problem in this conversation; it is ${shown.ticket.number} (${shown.ticket.priority}) "${shown.ticket.title}", routed on its own.`,
          },
          say(
            agent
              ? `${agent.displayName} is still with you on ${ticket.number} here.`
              : `${ticket.number} is still waiting for a person from the service desk; they will reply here.`,
          ),
        ],
      });
      await run(ctx, turn, s);
      return 'done';
    },
  };
}

export type Dialogs = ReturnType<typeof createDialogs>;

/** What became of a message while a person owns the conversation. */
export type HandedOffOutcome = 'done' | 'relay' | Courtesy;

/** Words that only thank or take leave: relayed, but not "added" to the ticket in the reply. */
const isCourtesy = (intent: string): intent is Courtesy => intent === 'thanks' || intent === 'goodbye';
