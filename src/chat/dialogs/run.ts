/**
 * The interpreter: carries out a step's effects in order (ticket service, knowledge, handoff, the
 * ITIL hooks), feeds each result to its continuation, and collects the replies. The only part of the
 * dialog layer that does I/O.
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
import { runCommand } from './commands.js';
import type { DialogHooks } from './hooks.js';
import { resumeIfIdle } from './router.js';
import type { DialogStack, Effect, Facts, Refusal, Shown, Step } from './types.js';

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

export function createRunner(deps: RunDeps) {
  const { tickets, directory, store, nlu, handoff, hooks } = deps;

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

  async function effect(rc: RunContext, e: Effect): Promise<Step | null> {
    const { person, now } = rc.facts;
    switch (e.do) {
      case 'note':
        rc.notes ??= { start: [], end: [] };
        rc.notes[e.at].push(e.text);
        return null;
      case 'say': {
        const { bindTicketId, updateSource, ...said } = e.say;
        const n = rc.notes;
        const reply = n ? { ...said, text: [...n.start, said.text, ...n.end].join('\n') } : said;
        delete rc.notes;
        rc.replies.push({
          reply,
          ...(bindTicketId === undefined ? {} : { bindTicketId }),
          ...(updateSource ? { updateSource } : {}),
        });
        return null;
      }
      case 'triage':
        return e.next(await nlu.triage.predict(e.text, { nearest: false }));
      case 'kb_answer':
        return e.next(await nlu.knowledge.answer(e.query));
      case 'kb_search':
        return e.next(await nlu.knowledge.search(e.query, e.k));
      case 'kb_record':
        return e.next(
          await store.recordKbAnswer({
            personId: person.id,
            articleId: e.articleId,
            query: e.query,
            intent: e.intent,
            confidence: e.confidence,
            platform: rc.platform,
            answeredAt: now,
          }),
        );
      case 'kb_outcome':
        await store.setKbOutcome(e.answerId, e.outcome, now, null);
        return null;
      case 'open_ticket': {
        rc.opened += 1;
        const t = await tickets.open(
          {
            ...e.input,
            requester: person,
            channel: rc.platform,
            sourceKey: rc.opened === 1 ? rc.sourceKey : `${rc.sourceKey}:${rc.opened}`,
          },
          now,
        );
        // Bound here, a new ticket's conversation is this one: its owner is this conversation's.
        if (e.bind) {
          await bind(rc, t);
          rc.owners.set(t.id, rc.conversation.owner);
        }
        const approval = e.input.templateId
          ? (rc.facts.templates.get(e.input.templateId)?.approval ?? null)
          : null;
        const notes = (await hooks.onTicketOpened?.(t, person, e.text, approval, now)) ?? [];
        // A hook that changed it (waiting for approval) said so: the card shows where it is now.
        const fresh = notes.length > 0 ? ((await tickets.byIdForSystem(t.id)) ?? t) : t;
        return e.next({ shown: await show(rc, fresh), notes });
      }
      case 'comment': {
        const r = await attempt(
          () => tickets.comment(e.ticket, person, e.text, { platform: rc.platform }, now),
          e.refused,
        );
        if ('step' in r) return r.step;
        return e.next ? e.next() : null;
      }
      case 'transition': {
        const r = await attempt(
          () => tickets.transition(e.ticket, e.to, person, { reason: e.reason }, now),
          e.refused,
        );
        return 'step' in r ? r.step : e.next(await show(rc, r.ok));
      }
      case 'reprioritize': {
        const r = await attempt(async () => {
          const before = await tickets.get(e.ticket, person);
          const after = await tickets.reprioritize(e.ticket, person, e.impact, e.urgency, e.reason, now);
          return { before, after };
        }, e.refused);
        return 'step' in r ? r.step : e.next({ before: r.ok.before, after: await show(rc, r.ok.after) });
      }
      case 'rate':
        await tickets.rate(e.ticket, person, e.score, e.comment, now);
        return e.next();
      case 'handoff':
        return e.next(await handOver(rc, e));
      case 'cards': {
        // The requester's open tickets were read with the turn's facts.
        const known = (n: string) => rc.facts.openTickets.find((t) => t.number === n.toUpperCase());
        const shown = await Promise.all(
          e.tickets.map(async (n) => show(rc, known(n) ?? (await tickets.get(n, person)))),
        );
        return e.next(shown.map((s) => s.card));
      }
      case 'open_change': {
        const open = hooks.openChange;
        if (!open) return e.refused({ code: 'not_found', message: 'Changes are not enabled on this desk.' });
        const r = await attempt(() => open(person, e.values, now), e.refused);
        if ('step' in r) return r.step;
        await bind(rc, r.ok.ticket);
        return e.next(r.ok);
      }
      case 'schedule_change': {
        const changes = hooks.changes;
        if (!changes)
          return e.refused({ code: 'not_found', message: 'Changes are not enabled on this desk.' });
        const r = await attempt(
          () => changes.schedule(e.ticket, person, `${e.start}:00Z`, `${e.end}:00Z`, now),
          e.refused,
        );
        if ('step' in r) return r.step;
        return e.next({
          ticket: r.ok.ticket,
          risk: `${r.ok.change.riskLevel} (${r.ok.change.riskScore}/100)`,
        });
      }
      case 'submit_change': {
        const changes = hooks.changes;
        if (!changes)
          return e.refused({ code: 'not_found', message: 'Changes are not enabled on this desk.' });
        const r = await attempt(() => changes.submit(e.ticket, person, now), e.refused);
        if ('step' in r) return r.step;
        return e.next({ ticket: r.ok.ticket, voters: r.ok.voters.length, phase: r.ok.change.phase });
      }
      case 'command':
        return e.next(await runCommand(tickets, hooks, rc.facts, e.which, e.text));
      case 'tell_agents': {
        const t = await tickets.get(e.ticket, person);
        for (const c of await store.conversationsOfTicket(t.id))
          if (c.role === 'agents') rc.emit(c.ref, { text: e.text });
        return null;
      }
    }
  }

  /** The ticket goes to its group's triage channel; the conversation follows it (owner `queue`). */
  async function handOver(
    rc: RunContext,
    e: Extract<Effect, { do: 'handoff' }>,
  ): Promise<{ shown: Shown; alreadyWithPerson: boolean }> {
    const { person, now } = rc.facts;
    const t = await tickets.get(e.ticket, person);
    if (rc.conversation.owner === 'bot') await bind(rc, t);
    const found = await handoff.primaryOf(t.id);
    const primary = found ?? rc.conversation;
    // primaryOf read the row just now; this conversation's row was read at the start of the turn.
    const owner = found ? found.owner : ((await store.conversation(primary.ref))?.owner ?? primary.owner);
    let moved = false;
    if (owner === 'bot') {
      moved = await store.compareAndSetOwner(primary.id, ['bot'], 'queue', now);
      if (moved) await tickets.recordOwner(t.number, 'bot', 'queue', null, e.reason, now);
    }
    // A claim that lost the race leaves the owner unknown: the card reads it again.
    if (moved || owner !== 'bot') rc.owners.set(t.id, moved ? 'queue' : owner);
    else rc.owners.delete(t.id);
    if (moved)
      await handoff.postToAgents(
        t,
        { reason: e.reason, confidence: e.confidence, tried: e.tried, summary: e.summary },
        rc.platform,
        rc.emit,
        now,
      );
    else if (owner !== 'bot')
      for (const c of await store.conversationsOfTicket(t.id))
        if (c.role === 'agents') rc.emit(c.ref, { text: `${person.displayName}: ${e.summary}` });
    return {
      shown: await show(rc, (await tickets.byIdForSystem(t.id)) ?? t),
      alreadyWithPerson: owner !== 'bot',
    };
  }

  /** Runs a step and everything its continuations lead to; returns the stack the turn ends on. */
  async function run(rc: RunContext, start: Step, stack: DialogStack): Promise<DialogStack> {
    let current = stack;
    const go = async (s: Step): Promise<void> => {
      if (s.stack) current = s.stack;
      for (const e of s.effects) {
        const next = await effect(rc, e);
        if (next) await go(next);
      }
    };
    await go(start);
    const left = rc.notes;
    if (left) await go({ effects: [{ do: 'say', say: { text: [...left.start, ...left.end].join('\n') } }] });
    const resumed = resumeIfIdle(current, rc.facts);
    if (resumed) {
      current = resumed.stack;
      await go({ effects: resumed.effects });
    }
    return current;
  }

  return { run };
}

export type Runner = ReturnType<typeof createRunner>;
