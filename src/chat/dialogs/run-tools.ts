/**
 * What the interpreter's effect families share: its dependencies, one turn's I/O context, and the three
 * moves most effects make — show a ticket as a card, try work whose expected refusal the dialog
 * handles, bind the conversation to a ticket.
 */
import { isAppError } from '../../errors.js';
import type { DirectoryStore } from '../../itsm/ports.js';
import type { TicketService } from '../../itsm/tickets.js';
import { OPEN_STATES, type Ticket } from '../../itsm/types.js';
import type { Nlu } from '../../nlu/types.js';
import type { Emit, Handoff } from '../handoff/index.js';
import type { Platform, Reply } from '../message.js';
import { ticketCard } from '../render.js';
import type { ChatStore, Conversation } from '../store.js';
import type { DialogHooks } from './hooks.js';
import type { Facts, Refusal, Shown, Step } from './types.js';

export interface RunDeps {
  tickets: TicketService;
  directory: Pick<DirectoryStore, 'personById' | 'groupById'>;
  store: ChatStore;
  nlu: Nlu;
  handoff: Handoff;
  hooks: DialogHooks;
}

/** One turn's I/O context. */
export interface RunContext {
  facts: Facts;
  conversation: Conversation;
  platform: Platform;
  sourceKey: string;
  emit: Emit;
  replies: Array<{ reply: Reply; bindTicketId?: number; updateSource?: boolean }>;
  /** Tickets opened so far in the turn: each gets its own idempotency key. */
  opened: number;
  /** Said at the start and end of the next reply. */
  notes?: { start: string[]; end: string[] };
  /** Who holds each ticket's conversation as this turn read or set it (TurnContext.owners). */
  owners: Map<number, string>;
}

const EXPECTED = new Set([
  'not_found',
  'forbidden',
  'illegal_transition',
  'validation_failed',
  'conflict',
  'too_large',
]);

function refusalOf(e: unknown): Refusal | null {
  if (!isAppError(e) || !EXPECTED.has(e.code)) return null;
  return {
    code: e.code,
    message: e.message,
    ...(e.field ? { field: e.field } : {}),
    ...(e.details ? { details: e.details } : {}),
  };
}

export function createRunTools(deps: Pick<RunDeps, 'tickets' | 'directory' | 'store' | 'handoff'>) {
  const { tickets, directory, store, handoff } = deps;

  async function ownerOf(rc: RunContext, t: Ticket): Promise<string> {
    if (!OPEN_STATES.includes(t.state)) return 'bot';
    const known = rc.owners.get(t.id);
    if (known !== undefined) return known;
    // primaryOf read the row just now: its owner is current.
    const owner = (await handoff.primaryOf(t.id))?.owner ?? 'bot';
    rc.owners.set(t.id, owner);
    return owner;
  }

  /** The card of a ticket just read or written in this turn: what the card shows, nothing more. */
  async function show(rc: RunContext, t: Ticket): Promise<Shown> {
    const person = rc.facts.person;
    tickets.assertCanSee(t, person);
    const [sla, group, assignee, owner] = await Promise.all([
      tickets.sla(t, rc.facts.now),
      t.groupId === null ? null : directory.groupById(t.groupId),
      t.assigneeId === null ? null : directory.personById(t.assigneeId),
      ownerOf(rc, t),
    ]);
    const card = ticketCard(t, {
      sla,
      group: group?.name ?? null,
      assignee: assignee?.displayName ?? null,
      timeZone: person.timeZone,
      now: rc.facts.now,
      handedOff: owner !== 'bot',
    });
    return { ticket: t, card };
  }

  /** Runs `work`; an expected refusal goes to `refused` (or up to the engine when there is none). */
  async function attempt<T>(
    work: () => Promise<T>,
    refused: ((r: Refusal) => Step) | undefined,
  ): Promise<{ ok: T } | { step: Step }> {
    try {
      return { ok: await work() };
    } catch (e) {
      const r = refused ? refusalOf(e) : null;
      if (!r || !refused) throw e;
      return { step: refused(r) };
    }
  }

  async function bind(rc: RunContext, t: Ticket): Promise<void> {
    await store.saveConversation(rc.conversation.id, { ticketId: t.id }, rc.facts.now);
    rc.conversation.ticketId = t.id;
  }

  return { show, attempt, bind };
}

export type RunTools = ReturnType<typeof createRunTools>;
