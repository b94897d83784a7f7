/**
 * The per-message pipeline: inbox (durable, deduplicated) → identity → conversation → owner check →
 * dialog → replies into the outbox. Processing never throws to the adapter; a failed turn stays in
 * the inbox and is retried.
 */

import type { DirectoryStore, Person } from '../itsm/store.js';
import { type Template, validateSubmission } from '../itsm/templates.js';
import type { TicketService } from '../itsm/tickets.js';
import { OPEN_STATES, type Ticket } from '../itsm/types.js';
import type { Logger } from '../log.js';
import type { Nlu } from '../nlu/types.js';
import type { AgentCommandHook } from './agent-desk-chat.js';
import {
  createDialogs,
  type DialogHooks,
  ratingStack,
  type TurnContext,
  userMessageFor,
} from './dialogs/index.js';
import type { ActionHandler, ConversationEngine, FormCheck, ReceiveResult, ThreadHandler } from './engine.js';
import { createHandoff, type Emit } from './handoff/index.js';
import { createIdentityResolver } from './identity.js';
import {
  type ActionId,
  type ChatPort,
  type ConversationRef,
  conversationRefOf,
  type Incoming,
  type Outgoing,
  type Platform,
  type Reply,
  type TicketCard,
} from './message.js';
import { templateForm, ticketCard } from './render.js';
import { DEFAULT_RETRY_HORIZON_MS, gaveUpText, maxBackoffFor, nextAttemptAt } from './retry.js';
import {
  type ChatStore,
  type ConversationRole,
  conversationKey,
  type InboxItem,
  type NewOutgoing,
  type OutboxItem,
} from './store.js';

export interface EngineOptions {
  store: ChatStore;
  tickets: TicketService;
  directory: DirectoryStore;
  nlu: Nlu;
  templates: Template[];
  articles: Map<string, { title: string; body: string; url: string | null }>;
  log: Logger;
  now: () => Date;
  handoffThreshold: number;
  maxMessageChars: number;
  /** Messages per person per minute before the bot asks them to slow down. */
  ratePerMinute?: number;
  /** Called after replies were queued, so the outbox delivers them without waiting for its timer. */
  onOutgoing?: () => void;
  /**
   * Takes the replies of a finished turn that were leased to this process as they were queued, to
   * deliver them at once (the outbox worker's deliverLeased); `pollAfter` when more wait behind them.
   * Without it every reply waits for onOutgoing's poll.
   */
  deliverNow?: { leaseMs: number; deliver(items: OutboxItem[], pollAfter: boolean): void };
  /** Late-bound features the dialogs call (ITIL depth, KPIs); the app fills them in after construction. */
  hooks?: DialogHooks;
  /** Staff's typed commands (queue, ticket edits), read before the NLU (agent-desk-chat.ts). */
  agentCommands?: AgentCommandHook;
  /** Agent thread messages starting with this are internal notes (default `;;`). */
  internalNotePrefix?: string;
  teamsServiceUrl?: string;
  /** Development mode: triage channels in the local web chat for groups without one (handoff/types.ts). */
  webTriage?: boolean;
  /**
   * How long a turn that keeps failing for a passing reason (a platform or the database down) is
   * retried, from when its event was accepted (default one hour). Then the person is told and the event
   * stays as a dead letter (inbox `failed`).
   */
  retryHorizonMs?: number;
  /** Tests only: each turn waits this long before it is leased, so a test can kill the process between ack and processing. */
  turnDelayMs?: number;
  /**
   * Turns processed at once (default 16). More wait in arrival order: under a burst the event loop
   * keeps answering platform acks (an inbox insert each) instead of drowning in half-done turns.
   */
  maxConcurrentTurns?: number;
}

const INBOX_LEASE_MS = 60_000;
/** A person waits for the answer: retries of a turn are at most a minute apart. */
const MAX_TURN_BACKOFF_MS = 60_000;
const SENSITIVE =
  /\b(password|passcode|passwort|pin code|mfa code|one[- ]time code|social security|ssn|salary|payslip|bank account|iban|credit card|medical|diagnos|home address|personal data)\b/i;

export interface Engine extends ConversationEngine {
  /** Lets a feature module (approvals, CAB, agent commands) handle an action id; one handler per id. */
  registerActionHandler(actionId: ActionId, handler: ActionHandler): void;
  /** Lets a feature module own the threads of a conversation role (`cab`: CAB vote threads). */
  registerThreadHandler(role: ConversationRole, handler: ThreadHandler): void;
  /** Processes inbox items left pending by a crash or a failed attempt. */
  recoverInbox(): Promise<number>;
  /**
   * Reads the platform profile of identities that turns had to take on trust while the platform was
   * down, completing (or merging) their provisional people. Returns how many were completed.
   */
  completeIdentities(): Promise<number>;
  /**
   * Queued conversations nobody claimed within the response target: the requester is told the
   * expected time and the ticket escalated (once per level). Returns how many were escalated.
   */
  sweepHandoffs(): Promise<number>;
  /** Resolves when no turn is being processed. */
  idle(): Promise<void>;
  /**
   * Sends a message to a person in their direct conversation with the bot (opening one through the
   * platform when needed). False when the person has no reachable chat identity.
   */
  notifyPerson(personId: number, reply: Reply, key: string): Promise<boolean>;
  /**
   * Tells the agents working a ticket: in its agent thread, or (none yet) as a card in its group's
   * triage channel. False when the group has no reachable channel.
   */
  notifyAgents(ticket: Ticket, text: string, key: string): Promise<boolean>;
  /** Tells the requester about a change made elsewhere (agent, REST API), in the ticket's conversation. */
  notifyRequester(ticket: Ticket, text: string, key: string, opts?: { askRating?: boolean }): Promise<void>;
  port(platform: Platform): ChatPort | undefined;
  platforms(): Platform[];
}

export function createEngine(opts: EngineOptions): Engine {
  const { store, tickets, log } = opts;
  const ports = new Map<Platform, ChatPort>();
  const templates = new Map(opts.templates.map((t) => [t.id, t]));
  const handoff = createHandoff({
    store,
    tickets,
    directory: opts.directory,
    hasPort: (p) => ports.has(p),
    internalNotePrefix: opts.internalNotePrefix ?? ';;',
    teamsServiceUrl: opts.teamsServiceUrl ?? 'https://smba.trafficmanager.net/teams/',
    webTriage: opts.webTriage === true,
  });
  const dialogs = createDialogs({
    tickets,
    store,
    directory: opts.directory,
    nlu: opts.nlu,
    templates,
    articles: opts.articles,
    handoffThreshold: opts.handoffThreshold,
    handoff,
    hooks: opts.hooks ?? {},
  });
  const chains = new Map<string, Promise<void>>();
  const recent = new Map<number, number[]>();
  /** Sliding one-minute window per person; in memory, so each process limits on its own. */
  function overLimit(personId: number, atMs: number): boolean {
    const limit = opts.ratePerMinute ?? 30;
    const times = (recent.get(personId) ?? []).filter((t) => atMs - t < 60_000);
    times.push(atMs);
    recent.set(personId, times);
    if (recent.size > 10_000)
      for (const [k, v] of recent) if (v.every((t) => atMs - t >= 60_000)) recent.delete(k);
    return times.length > limit;
  }
  const identities = createIdentityResolver({
    store,
    directory: opts.directory,
    port: (p) => ports.get(p),
    log,
    now: () => nowIso(),
  });
  const actionHandlers = new Map<ActionId, ActionHandler>();
  const threadHandlers = new Map<ConversationRole, ThreadHandler>();
  const inFlight = new Set<Promise<void>>();
  const nowIso = () => opts.now().toISOString();

  /** Turns in one conversation run one after another, so dialog state is never raced. */
  function serialize(key: string, work: () => Promise<void>): Promise<void> {
    const prev = chains.get(key) ?? Promise.resolve();
    const next = prev.then(work, work);
    chains.set(key, next);
    const tracked = next.finally(() => {
      inFlight.delete(tracked);
      if (chains.get(key) === next) chains.delete(key);
    });
    inFlight.add(tracked);
    return tracked;
  }

  function outgoing(conv: ConversationRef, reply: Reply): Outgoing {
    return { conversation: conv, reply, replyTo: conv.threadId };
  }

  interface TurnResult {
    replies: NewOutgoing[];
    /** The dialog state to save with the turn's completion (none when the dialog was not involved). */
    dialog?: { conversationId: number; dialog: Record<string, unknown> };
  }

  async function handle(inboxId: number, incoming: Incoming): Promise<TurnResult> {
    const now = nowIso();
    let ref = conversationRefOf(incoming);
    const keyBase = `${incoming.platform}:${incoming.id}`;
    const out: NewOutgoing[] = [];
    const push: Emit = (conv, reply, extra = {}) => {
      out.push({
        dedupeKey: `${keyBase}:${out.length}`,
        message: { ...outgoing(conv, reply), ...(extra.updateOf ? { updateOf: extra.updateOf } : {}) },
        bindTicketId: extra.bindTicketId ?? null,
        bindRole: extra.bindRole ?? 'requester',
      });
    };

    const person = await identities.resolve(incoming.user, ref);
    if (!person) {
      push(ref, {
        text:
          incoming.platform === 'local' || incoming.platform === 'web'
            ? `I don't know ${incoming.user.platformUserId}. Use the email of a person in the directory (see data/seed/people.json), e.g. alice@example.com.`
            : "I couldn't find your email address in the workspace directory, so I can't open tickets for you. Please ask IT to add your email to your profile.",
      });
      return { replies: out };
    }
    if (person.active === false) {
      push(ref, {
        text: 'Your account is deactivated in the company directory, so the service desk cannot take requests from it. Please contact IT another way.',
      });
      return { replies: out };
    }

    // Agents work tickets from their triage threads and the handoff card's buttons.
    const existing = await store.conversation(ref);
    if (
      existing?.role === 'agents' ||
      (incoming.kind === 'action' && incoming.actionId.startsWith('agent.'))
    ) {
      try {
        const typed =
          incoming.kind === 'message' && existing
            ? await opts.agentCommands?.({
                text: incoming.text,
                person,
                threadTicketId: existing.ticketId,
                now,
              })
            : null;
        if (typed) {
          for (const r of typed) push(ref, r);
        } else if (incoming.kind === 'action') {
          for (const r of await handoff.onAgentAction(incoming, person, push, now)) push(ref, r.reply);
        } else if (existing) {
          await handoff.onAgentMessage(existing, person, incoming, push, now);
        }
      } catch (e) {
        const userFacing = userMessageFor(e);
        if (userFacing.startsWith('Sorry, something went wrong')) throw e;
        push(ref, { text: userFacing });
      }
      return { replies: out };
    }
    const threadHandler = existing ? threadHandlers.get(existing.role) : undefined;
    if (existing && threadHandler) {
      try {
        await threadHandler({ conversation: existing, incoming, person, emit: push, now });
      } catch (e) {
        const userFacing = userMessageFor(e);
        if (userFacing.startsWith('Sorry, something went wrong')) throw e;
        push(ref, { text: userFacing });
      }
      return { replies: out };
    }
    // A reply in some channel thread the desk never took part in is none of its business.
    if (incoming.kind === 'message' && incoming.via === 'thread' && !ref.isDirect && !existing)
      return { replies: out };

    if (incoming.kind === 'message') {
      const text = incoming.text.trim();
      if (overLimit(person.id, Date.parse(now))) {
        const times = recent.get(person.id)?.length ?? 0;
        // Say it once per burst, not once per message.
        if (times === (opts.ratePerMinute ?? 30) + 1)
          push(ref, {
            text: "You're sending messages faster than I can handle. Please wait a minute; messages sent meanwhile are not processed.",
          });
        return { replies: out };
      }
      if (text.length === 0 && incoming.attachments.length === 0) {
        push(ref, { text: 'Your message was empty. Tell me what is wrong or what you need, or say "help".' });
        return { replies: out };
      }
      if (text.length > opts.maxMessageChars) {
        push(ref, {
          text: `That message is too long for me (${text.length} characters; the limit is ${opts.maxMessageChars}). Please summarise it in a few sentences; you can attach logs to the ticket afterwards.`,
        });
        return { replies: out };
      }
      if (!ref.isDirect && ref.isPublic && SENSITIVE.test(text) && incoming.via !== 'ticket_from_message') {
        const port = ports.get(incoming.platform);
        if (port) {
          push(ref, {
            text: "I'll follow up with you in a direct message, since this may involve personal or account details.",
          });
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
    };

    // While a person owns (or is about to own) the conversation the bot stays silent: the requester's
    // words go on the ticket and to the agent thread, except a clearly new problem, which the bot opens
    // as a ticket of its own.
    if (incoming.kind === 'message' && conversation.ticketId !== null) {
      const primary = await handoff.primaryOf(conversation.ticketId);
      const owner = primary ? ((await store.conversation(primary.ref))?.owner ?? 'bot') : conversation.owner;
      if (owner !== 'bot') {
        const ticket = await tickets.byIdForSystem(conversation.ticketId);
        if (ticket && OPEN_STATES.includes(ticket.state) && ticket.requesterId === person.id) {
          if (await dialogs.whileHandedOff(ctx, incoming, ticket, owner)) {
            for (const r of ctx.replies)
              push(ref, r.reply, r.bindTicketId === undefined ? {} : { bindTicketId: r.bindTicketId });
            return { replies: out };
          }
          await handoff.relayFromRequester(ticket, person, incoming, owner, push, ref, now);
          return { replies: out };
        }
        if (primary && ticket && !OPEN_STATES.includes(ticket.state)) {
          // The ticket was closed meanwhile: the conversation is the bot's again.
          await store.compareAndSetOwner(primary.id, [owner], 'bot', now);
        }
      }
    }

    try {
      const handler = incoming.kind === 'action' ? actionHandlers.get(incoming.actionId) : undefined;
      const typed =
        incoming.kind === 'message' && person.role !== 'employee'
          ? await opts.agentCommands?.({ text: incoming.text, person, threadTicketId: null, now })
          : null;
      if (typed) for (const r of typed) ctx.replies.push({ reply: r });
      else if (incoming.kind === 'message') await dialogs.onMessage(ctx, incoming);
      else if (handler) ctx.replies.push(...(await handler({ action: incoming, person, now })));
      else await dialogs.onAction(ctx, incoming);
    } catch (e) {
      const userFacing = userMessageFor(e);
      const expected =
        (e as { code?: string }).code !== undefined && !userFacing.startsWith('Sorry, something went wrong');
      // Anything else is retried or given up (and the person told) by process().
      if (!expected) throw e;
      log.warn('turn failed', { inboxId, error: e, expected });
      ctx.replies.push({ reply: { text: userFacing } });
    }
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
  }

  /**
   * One turn. The lease also covers the item's conversation in every process sharing the database, so
   * when another turn of it is running or waiting, this returns without work: the recovery sweep comes
   * back for it in order.
   */
  async function process(inboxId: number, fresh: boolean): Promise<void> {
    const item = await store.lease(inboxId, nowIso(), INBOX_LEASE_MS, { precheck: !fresh });
    if (!item) return;
    try {
      const { replies, dialog } = await handle(inboxId, item.incoming);
      const deliverNow = opts.deliverNow;
      const leased = await store.complete(inboxId, item.leaseToken, replies, nowIso(), {
        ...(dialog ? { dialog } : {}),
        ...(deliverNow ? { deliverNow: { platforms: [...ports.keys()], leaseMs: deliverNow.leaseMs } } : {}),
      });
      if (leased === null) {
        // The lease ran out (e.g. a long pause) and another worker took the turn over; the replies of
        // that worker's run are the ones that count.
        log.warn('inbox lease lost before the turn finished; its replies were dropped', {
          inboxId,
          attempt: item.attempts,
        });
        return;
      }
      if (leased.length > 0) deliverNow?.deliver(leased, leased.length < replies.length);
      else if (replies.length > 0) opts.onOutgoing?.();
    } catch (e) {
      await retryOrGiveUp(item, e);
    }
  }

  const horizon = opts.retryHorizonMs ?? DEFAULT_RETRY_HORIZON_MS;
  /**
   * A failed turn is held back (1 s, 2 s, 4 s… at most a minute, never sooner than a Retry-After) and
   * retried while its failure is one that passes and the horizon has not passed; then it is given up:
   * the person is told, in the same transaction, and the event stays as a dead letter.
   */
  async function retryOrGiveUp(item: InboxItem, e: unknown): Promise<void> {
    const nowMs = opts.now().getTime();
    const at = nextAttemptAt(e, {
      attempts: item.attempts,
      since: item.acceptedAt,
      nowMs,
      horizonMs: horizon,
      maxBackoffMs: maxBackoffFor(horizon, MAX_TURN_BACKOFF_MS),
    });
    const error = e instanceof Error ? e.message : String(e);
    const fields = { inboxId: item.id, platform: item.platform, attempt: item.attempts, error: e };
    if (at) log.warn('turn failed, will retry', { ...fields, retryInMs: at.getTime() - nowMs });
    else log.error('dead letter: turn given up', fields);
    const notify: NewOutgoing[] = at
      ? []
      : [
          {
            dedupeKey: `${item.platform}:${item.incoming.id}:given-up`,
            message: outgoing(conversationRefOf(item.incoming), {
              text: gaveUpText(item.incoming, e, nowMs - Date.parse(item.acceptedAt)),
            }),
          },
        ];
    try {
      const released = await store.release(
        item.id,
        item.leaseToken,
        error,
        (at ?? opts.now()).toISOString(),
        at === null,
        notify,
      );
      if (!released) log.warn('inbox lease lost before the failed turn was released', { inboxId: item.id });
      else if (notify.length > 0) opts.onOutgoing?.();
    } catch (releaseError) {
      // The lease expires on its own; recovery picks the item up again.
      log.error('could not release inbox item', { inboxId: item.id, error: releaseError });
    }
  }

  const maxTurns = opts.maxConcurrentTurns ?? 16;
  let runningTurns = 0;
  const waitingTurns: Array<() => void> = [];
  /** Runs a turn when one of maxTurns slots is free; a finishing turn hands its slot to the oldest waiter. */
  async function inSlot(work: () => Promise<void>): Promise<void> {
    if (runningTurns < maxTurns) runningTurns++;
    else await new Promise<void>((resolve) => waitingTurns.push(resolve));
    try {
      await work();
    } finally {
      const next = waitingTurns.shift();
      if (next) next();
      else runningTurns--;
    }
  }

  /** Inbox rows this process has scheduled and not finished: the recovery sweep leaves them alone. */
  const scheduled = new Set<number>();
  /** `fresh`: accepted by this process just now, rather than found by the recovery sweep. */
  function schedule(inboxId: number, incoming: Incoming, fresh: boolean): Promise<void> {
    const delayMs = opts.turnDelayMs ?? 0;
    scheduled.add(inboxId);
    return serialize(conversationKey(conversationRefOf(incoming)), () =>
      inSlot(async () => {
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        await process(inboxId, fresh);
      }),
    ).finally(() => scheduled.delete(inboxId));
  }

  async function cardsFor(person: Person, list: Ticket[]): Promise<TicketCard[]> {
    const now = nowIso();
    return Promise.all(
      list.map(async (t) => {
        const [view, primary] = await Promise.all([
          tickets.view(t.number, person, now),
          handoff.primaryOf(t.id),
        ]);
        const owner = primary ? ((await store.conversation(primary.ref))?.owner ?? primary.owner) : 'bot';
        return ticketCard(t, {
          sla: view.sla,
          group: view.group?.name ?? null,
          assignee: view.assignee?.displayName ?? null,
          timeZone: person.timeZone,
          now,
          // Once a person has the conversation, the card stops offering one.
          handedOff: OPEN_STATES.includes(t.state) && owner !== 'bot',
        });
      }),
    );
  }

  /** A person the bot never talked to, found by email on a platform that can (Slack users.lookupByEmail). */
  async function reachByEmail(personId: number): Promise<ConversationRef | null> {
    const person = await opts.directory.personById(personId);
    if (!person?.email) return null;
    for (const port of ports.values()) {
      if (!port.findByEmail) continue;
      try {
        const user = await port.findByEmail(person.email);
        if (!user) continue;
        await store.linkIdentity(user, person.email, person.displayName, nowIso());
        const ref = await port.openDirect(user, {
          platform: port.platform,
          channelId: '',
          threadId: null,
          isDirect: true,
          workspaceId: null,
        });
        await store.ensureConversation(ref, personId, nowIso());
        return ref;
      } catch (e) {
        log.warn('could not reach a person by email', { personId, platform: port.platform, error: e });
      }
    }
    return null;
  }

  const engine: Engine = {
    async receive(incoming: Incoming): Promise<ReceiveResult> {
      const { id, duplicate } = await store.accept(incoming, nowIso());
      if (duplicate) {
        log.debug('duplicate delivery ignored', { platform: incoming.platform, id: incoming.id });
        return { status: 'duplicate', processed: Promise.resolve() };
      }
      return { status: 'accepted', processed: schedule(id, incoming, true) };
    },

    registerActionHandler(actionId, handler) {
      if (actionHandlers.has(actionId)) throw new Error(`a handler for ${actionId} is already registered`);
      actionHandlers.set(actionId, handler);
    },

    registerThreadHandler(role, handler) {
      if (threadHandlers.has(role)) throw new Error(`a handler for ${role} threads is already registered`);
      threadHandlers.set(role, handler);
    },

    registerPort(port: ChatPort) {
      ports.set(port.platform, port);
    },

    checkForm(templateId, values): FormCheck {
      const template = templates.get(templateId);
      if (!template) return { ok: false, errors: { templateId: `Unknown request form "${templateId}"` } };
      const r = validateSubmission(template, values);
      if (r.ok) return { ok: true, values: r.values };
      return { ok: false, errors: Object.fromEntries(r.errors.map((e) => [e.field, e.message])) };
    },

    formFor(templateId, prefill) {
      const template = templates.get(templateId);
      return template ? templateForm(template, prefill) : null;
    },

    listTemplates() {
      return [...templates.values()].map((t) => ({ id: t.id, title: t.title, description: t.description }));
    },

    async ticketsFor(user, o = {}) {
      const person = await store.personFor(user);
      if (!person) return [];
      const list = await tickets.listFor(person, { requesterId: person.id, limit: o.limit ?? 20 });
      return cardsFor(person, list);
    },

    async recoverInbox() {
      // Rows this process is already working on (or holding in line for a slot) are not taken again:
      // under a burst that would queue every waiting turn twice a second and feed the overload.
      const ids = (await store.pendingInbox(nowIso(), 500)).filter((id) => !scheduled.has(id));
      const turns: Promise<void>[] = [];
      for (const id of ids) {
        const incoming = await store.peekInbox(id);
        if (incoming) turns.push(schedule(id, incoming, false));
      }
      await Promise.all(turns);
      return ids.length;
    },

    completeIdentities: () => identities.complete(),

    async meet(users, where) {
      let n = 0;
      for (const u of users) {
        try {
          if (await identities.resolve(u, where)) n++;
        } catch (e) {
          log.warn('could not record a roster member', { platform: u.platform, error: e });
        }
      }
      return n;
    },

    async sweepHandoffs() {
      let escalated = 0;
      for (const conv of await store.queuedConversations(200)) {
        if (conv.ticketId === null) continue;
        const t = await tickets.byIdForSystem(conv.ticketId);
        if (!t || !OPEN_STATES.includes(t.state)) continue;
        const now = nowIso();
        const sla = await tickets.sla(t, now);
        const due = sla.response.dueAt;
        if (sla.response.metAt !== null || due === null || now < due) continue;
        // After an escalation the next tier gets a full response window of its own before the next one.
        const last = (await tickets.eventsForSystem(t.id)).filter((e) => e.type === 'escalated').at(-1);
        if (last && Date.parse(now) - Date.parse(last.at) < sla.response.targetMinutes * 60_000) continue;
        const out: NewOutgoing[] = [];
        const emit: Emit = (ref, reply, extra = {}) =>
          out.push({
            dedupeKey: `timeout:${t.number}:${due}:${out.length}`,
            message: outgoing(ref, reply),
            bindTicketId: extra.bindTicketId ?? null,
            bindRole: extra.bindRole ?? 'requester',
          });
        try {
          const did = await handoff.onClaimTimeout(
            t,
            sla.resolution.dueAt,
            emit,
            (managerId, reply, key) => engine.notifyPerson(managerId, reply, key),
            now,
          );
          if (did) escalated++;
          await store.enqueue(out, now);
        } catch (e) {
          log.error('handoff timeout sweep failed for a ticket', { ticket: t.number, error: e });
        }
      }
      if (escalated > 0) opts.onOutgoing?.();
      return escalated;
    },

    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },

    async notifyPerson(personId, reply, key) {
      // Nothing goes to a person the directory deactivated.
      if ((await opts.directory.personById(personId))?.active === false) return false;
      let target =
        (await store.directConversationsOf(personId)).find((c) => ports.has(c.ref.platform))?.ref ?? null;
      if (!target) {
        for (const identity of await store.identitiesOf(personId)) {
          const port = ports.get(identity.platform);
          if (!port) continue;
          try {
            target = await port.openDirect(identity, {
              platform: identity.platform,
              channelId: '',
              threadId: null,
              isDirect: true,
              workspaceId: identity.workspaceId ?? null,
              // Teams creates the chat through the Bot Connector of the tenant (proactive message).
              ...(identity.platform === 'teams'
                ? { serviceUrl: opts.teamsServiceUrl ?? 'https://smba.trafficmanager.net/teams/' }
                : {}),
            });
            await store.ensureConversation(target, personId, nowIso());
            break;
          } catch (e) {
            log.warn('could not open a direct conversation', {
              personId,
              platform: identity.platform,
              error: e,
            });
          }
        }
      }
      target ??= await reachByEmail(personId);
      if (!target) return false;
      await store.enqueue(
        [{ dedupeKey: `person:${personId}:${key}`, message: outgoing(target, reply) }],
        nowIso(),
      );
      opts.onOutgoing?.();
      return true;
    },

    async notifyAgents(ticket, text, key) {
      const threads = (await store.conversationsOfTicket(ticket.id)).filter((c) => c.role === 'agents');
      const now = nowIso();
      const out: NewOutgoing[] = [];
      const emit: Emit = (ref, reply, extra = {}) =>
        out.push({
          dedupeKey: `agents:${ticket.number}:${key}:${out.length}`,
          message: outgoing(ref, reply),
          bindTicketId: extra.bindTicketId ?? null,
          bindRole: extra.bindRole ?? 'requester',
        });
      const thread = threads.at(-1);
      let posted = true;
      if (thread) emit(thread.ref, { text });
      else
        posted = await handoff.postToAgents(
          ticket,
          { reason: text, confidence: null, tried: [], summary: ticket.description.slice(0, 240) },
          ticket.channel === 'teams' ? 'teams' : 'slack',
          emit,
          now,
        );
      await store.enqueue(out, now);
      if (out.length > 0) opts.onOutgoing?.();
      return posted;
    },

    async notifyRequester(ticket, text, key, o = {}) {
      const convs = (await store.conversationsOfTicket(ticket.id)).filter((c) => c.role === 'requester');
      // Prefer the ticket's own thread; fall back to the conversation that opened it.
      const target = [...convs].reverse().find((c) => c.ref.threadId !== null) ?? convs[0];
      if (!target) return;
      const person = await opts.directory.personById(ticket.requesterId);
      if (!person || person.active === false) return;
      const [card] = await cardsFor(person, [ticket]);
      const reply: Reply = { text, ...(card ? { card } : {}) };
      if (o.askRating) {
        reply.text = `${text}\nHow did we do? Rate 1 (poor) to 5 (great).`;
        reply.choices = [1, 2, 3, 4, 5].map((n) => ({
          label: '★'.repeat(n),
          actionId: 'ticket.rate' as const,
          value: { ticket: ticket.number, rating: n },
        }));
        for (const c of convs)
          await store.saveConversation(
            c.id,
            { dialog: { ...ratingStack(ticket.number, nowIso()) } },
            nowIso(),
          );
      }
      await store.enqueue(
        [{ dedupeKey: `notify:${ticket.number}:${key}`, message: outgoing(target.ref, reply) }],
        nowIso(),
      );
      opts.onOutgoing?.();
    },

    port: (platform) => ports.get(platform),
    platforms: () => [...ports.keys()],
  };
  return engine;
}
