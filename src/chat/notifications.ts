/**
 * Messages the desk starts rather than answers: to a person in their direct conversation, to the agents
 * working a ticket, to a ticket's requester; and the ticket cards those carry. Built before the engine,
 * so the ITIL services can speak through it without a loop back to the engine.
 */
import type { DirectoryStore } from '../itsm/ports.js';
import type { TicketService } from '../itsm/tickets.js';
import { OPEN_STATES, type Person, type Ticket } from '../itsm/types.js';
import type { Logger } from '../log.js';
import { ratingStack } from './dialogs/index.js';
import { ratingChoices } from './dialogs/texts.js';
import type { Handoff } from './handoff/index.js';
import type { ConversationRef, Reply, TicketCard } from './message.js';
import { collectInto, outgoing } from './outgoing.js';
import type { PortRegistry } from './ports.js';
import { ticketCard } from './render.js';
import type { ChatStore, NewOutgoing } from './store.js';

interface NotificationDeps {
  store: ChatStore;
  tickets: TicketService;
  directory: DirectoryStore;
  ports: PortRegistry;
  handoff: Handoff;
  log: Logger;
  now: () => Date;
  /** The Bot Connector a proactive Teams chat is created through (a person never seen in a conversation). */
  teamsServiceUrl: string;
  /** Called after messages were queued, so the outbox delivers them without waiting for its timer. */
  onOutgoing?: () => void;
}

/** A reply built only once it is known to reach someone (a card costs reads). */
export type LazyReply = () => Promise<Reply>;

export interface Notifications {
  /**
   * Sends a message to a person in their direct conversation with the bot (opening one through the
   * platform when needed). False when the person has no reachable chat identity. `known`: the person,
   * when the caller has just read them.
   */
  notifyPerson(personId: number, reply: Reply | LazyReply, key: string, known?: Person): Promise<boolean>;
  /**
   * Tells the agents working a ticket: in its agent thread, or (none yet) as a card in its group's
   * triage channel. False when the group has no reachable channel.
   */
  notifyAgents(ticket: Ticket, text: string, key: string): Promise<boolean>;
  /** Tells the requester about a change made elsewhere (agent, REST API), in the ticket's conversation. */
  notifyRequester(ticket: Ticket, text: string, key: string, opts?: { askRating?: boolean }): Promise<void>;
  /** Ticket cards as `person` may see them; a card stops offering a person once one has the conversation. */
  cardsFor(person: Person, list: Ticket[]): Promise<TicketCard[]>;
}

/**
 * How long a platform's "nobody has this email" stands: an agent the desk cannot reach is assigned
 * ticket after ticket, and each notice would otherwise ask the platform again.
 */
const NOT_FOUND_TTL_MS = 10 * 60_000;

export function createNotifications(deps: NotificationDeps): Notifications {
  const { store, tickets, ports, handoff, log } = deps;
  const nowIso = () => deps.now().toISOString();
  /** `<platform>:<email>` the platform did not know, until when (ms). */
  const notFoundUntil = new Map<string, number>();

  async function cardsFor(person: Person, list: Ticket[]): Promise<TicketCard[]> {
    const now = nowIso();
    return Promise.all(
      list.map(async (t) => {
        const [view, primary] = await Promise.all([
          tickets.view(t.number, person, now),
          handoff.primaryOf(t.id),
        ]);
        // primaryOf read the row just now: its owner is current.
        const owner = primary?.owner ?? 'bot';
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

  /** The person's direct conversation on a registered platform, opened through the platform when none is known. */
  async function directTo(personId: number, person: Person | null): Promise<ConversationRef | null> {
    let target =
      (await store.directConversationsOf(personId)).find((c) => ports.has(c.ref.platform))?.ref ?? null;
    if (target) return target;
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
          // Teams creates the chat through the Bot Connector the person was seen through (a roster, an
          // activity), else the public default (proactive message).
          ...(identity.platform === 'teams'
            ? { serviceUrl: identity.serviceUrl ?? deps.teamsServiceUrl }
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
    return target ?? (await reachByEmail(personId, person));
  }

  /** A person the bot never talked to, found by email on a platform that can (Slack users.lookupByEmail). */
  async function reachByEmail(personId: number, person: Person | null): Promise<ConversationRef | null> {
    if (!person?.email) return null;
    const nowMs = deps.now().getTime();
    for (const platform of ports.platforms()) {
      const port = ports.get(platform);
      if (!port?.findByEmail) continue;
      const asked = `${platform}:${person.email}`;
      if ((notFoundUntil.get(asked) ?? 0) > nowMs) continue;
      try {
        const user = await port.findByEmail(person.email);
        if (!user) {
          notFoundUntil.set(asked, nowMs + NOT_FOUND_TTL_MS);
          continue;
        }
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

  const notifyPerson: Notifications['notifyPerson'] = async (personId, reply, key, known) => {
    const person = known?.id === personId ? known : await deps.directory.personById(personId);
    // Nothing goes to a person the directory deactivated.
    if (person?.active === false) return false;
    const target = await directTo(personId, person);
    if (!target) return false;
    const message = outgoing(target, typeof reply === 'function' ? await reply() : reply);
    await store.enqueue([{ dedupeKey: `person:${personId}:${key}`, message }], nowIso());
    deps.onOutgoing?.();
    return true;
  };

  return {
    cardsFor,
    notifyPerson,

    async notifyAgents(ticket, text, key) {
      const threads = (await store.conversationsOfTicket(ticket.id)).filter((c) => c.role === 'agents');
      const now = nowIso();
      const out: NewOutgoing[] = [];
      const emit = collectInto(out, `agents:${ticket.number}:${key}`);
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
      if (out.length > 0) deps.onOutgoing?.();
      return posted;
    },

    async notifyRequester(ticket, text, key, o = {}) {
      const convs = (await store.conversationsOfTicket(ticket.id)).filter((c) => c.role === 'requester');
      // Prefer the ticket's own thread; fall back to the conversation that opened it.
      const target = [...convs].reverse().find((c) => c.ref.threadId !== null) ?? convs[0];
      const person = await deps.directory.personById(ticket.requesterId);
      if (!person || person.active === false) return;
      if (!target) {
        // A ticket opened by e-mail, the REST API or an agent has no conversation yet: the requester
        // still hears about it, in their direct chat with the bot when they have one.
        const [card] = await cardsFor(person, [ticket]);
        const rating = o.askRating
          ? {
              text: `${text}\nHow did we do? Rate 1 (poor) to 5 (great).`,
              choices: ratingChoices(ticket.number),
            }
          : { text };
        await notifyPerson(
          person.id,
          { ...rating, ...(card ? { card } : {}) },
          `requester:${ticket.number}:${key}`,
          person,
        );
        return;
      }
      const [card] = await cardsFor(person, [ticket]);
      const reply: Reply = { text, ...(card ? { card } : {}) };
      if (o.askRating) {
        reply.text = `${text}\nHow did we do? Rate 1 (poor) to 5 (great).`;
        reply.choices = ratingChoices(ticket.number);
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
      deps.onOutgoing?.();
    },
  };
}
