/**
 * The bot-to-human handoff protocol (DESIGN §2.8), the same on every platform.
 *
 * - Each ticket's primary requester conversation carries the owner: `bot`, `queue` or `agent:<id>`.
 * - A handoff posts a card to the assignment group's triage channel; the card's thread is the agent
 *   thread (a conversation with role `agents`).
 * - Claim is a compare-and-set on the owner: of two simultaneous claims exactly one wins.
 * - While an agent owns it, agent thread messages are relayed to the requester and the requester's
 *   messages to the thread; `;;` starts an internal note that is stored and never relayed.
 * - Hand back returns the conversation to the bot and resets its dialog.
 */
import { AppError } from '../errors.js';
import type { ChatChannel } from '../itsm/directory-data.js';
import type { DirectoryStore, Group, Person } from '../itsm/store.js';
import type { TicketService } from '../itsm/tickets.js';
import { OPEN_STATES, type Ticket } from '../itsm/types.js';
import type {
  Attachment,
  Choice,
  ConversationRef,
  IncomingAction,
  IncomingMessage,
  Platform,
  Reply,
} from './message.js';
import { formatLocal, STATE_LABEL, ticketCard } from './render.js';
import type { ChatStore, Conversation } from './store.js';

export type Emit = (
  ref: ConversationRef,
  reply: Reply,
  extra?: {
    bindTicketId?: number;
    bindRole?: 'requester' | 'agents';
    updateOf?: { conversation: ConversationRef; messageId: string } | null;
  },
) => void;

export interface HandoffInfo {
  reason: string;
  confidence: number | null;
  tried: string[];
  summary: string;
}

export interface HandoffDeps {
  store: ChatStore;
  tickets: TicketService;
  directory: DirectoryStore;
  hasPort: (platform: Platform) => boolean;
  /** Prefix that marks an agent's thread message as an internal note. */
  internalNotePrefix: string;
  /** Default Bot Connector URL for Teams triage channels that do not name one. */
  teamsServiceUrl: string;
}

const isStaff = (p: Person) => p.role !== 'employee';

/** Bot Connector URL for Teams channels that do not name one. */
export const DEFAULT_TEAMS_SERVICE_URL = 'https://smba.trafficmanager.net/teams/';

/**
 * Where to post in a configured channel (a group's triage channel, the CAB's vote channel): on the
 * preferred platform when the channel has it there and an adapter is connected, else on the other.
 */
export function channelRef(
  channel: ChatChannel,
  preferred: Platform,
  hasPort: (platform: Platform) => boolean,
  teamsServiceUrl: string = DEFAULT_TEAMS_SERVICE_URL,
): ConversationRef | null {
  const slack: ConversationRef | null =
    channel.slack && hasPort('slack')
      ? {
          platform: 'slack',
          channelId: channel.slack.channelId,
          threadId: null,
          isDirect: false,
          isPublic: true,
          workspaceId: null,
        }
      : null;
  const teams: ConversationRef | null =
    channel.teams && hasPort('teams')
      ? {
          platform: 'teams',
          channelId: channel.teams.channelId,
          threadId: null,
          isDirect: false,
          isPublic: true,
          workspaceId: null,
          serviceUrl: channel.teams.serviceUrl ?? teamsServiceUrl,
        }
      : null;
  if (preferred === 'teams') return teams ?? slack;
  return slack ?? teams;
}

export function agentChoices(number: string, groups: Group[], current: number | null): Choice[] {
  const v = { ticket: number };
  const escalateTo = groups.filter((g) => g.id !== current).slice(0, 3);
  return [
    { label: 'Claim', actionId: 'agent.claim', value: v, style: 'primary' },
    { label: 'Resolve', actionId: 'agent.resolve', value: v },
    ...escalateTo.map((g) => ({
      label: `Escalate to ${g.name}`,
      actionId: 'agent.escalate' as const,
      value: { ...v, group: g.slug },
    })),
    { label: 'Hand back to bot', actionId: 'agent.handback', value: v },
  ];
}

function attachmentLines(attachments: Attachment[]): string {
  return attachments.map((a) => `\n📎 ${a.name}: ${a.url}`).join('');
}

export function createHandoff(deps: HandoffDeps) {
  const { store, tickets, directory } = deps;

  /** The requester conversations of a ticket; the first one carries the owner. */
  async function requesterConversations(ticketId: number): Promise<Conversation[]> {
    return (await store.conversationsOfTicket(ticketId)).filter((c) => c.role === 'requester');
  }

  async function primaryOf(ticketId: number): Promise<Conversation | null> {
    return (await requesterConversations(ticketId))[0] ?? null;
  }

  /** Where the requester hears from the agent: the ticket's thread if there is one, else where they wrote. */
  async function requesterTarget(ticketId: number): Promise<ConversationRef | null> {
    const convs = await requesterConversations(ticketId);
    return (convs.find((c) => c.ref.threadId !== null) ?? convs[0])?.ref ?? null;
  }

  async function agentThreads(ticketId: number): Promise<Conversation[]> {
    return (await store.conversationsOfTicket(ticketId)).filter((c) => c.role === 'agents');
  }

  function triageRef(group: Group, preferred: Platform): ConversationRef | null {
    return channelRef(group.triage as ChatChannel, preferred, deps.hasPort, deps.teamsServiceUrl);
  }

  async function agentCard(t: Ticket, info: HandoffInfo, now: string): Promise<Reply> {
    const [requester, group, groups] = await Promise.all([
      directory.personById(t.requesterId),
      t.groupId === null ? null : directory.groupById(t.groupId),
      directory.groups(),
    ]);
    const view = requester ? await tickets.view(t.number, { ...requester, role: 'admin' }, now) : null;
    const due =
      view?.sla.response.metAt === null && view.sla.response.dueAt
        ? `first response due ${formatLocal(view.sla.response.dueAt, 'UTC', now).replace('your time', 'UTC')}`
        : null;
    const lines = [
      `Handoff ${t.number} · ${t.priority} · ${STATE_LABEL[t.state]}: ${t.title}`,
      `Requester: ${requester?.displayName ?? 'unknown'} (${requester?.email ?? '?'}, via ${t.channel})`,
      `Reason: ${info.reason}${info.confidence === null ? '' : ` (bot confidence ${info.confidence.toFixed(2)})`}`,
      `Bot tried: ${info.tried.length > 0 ? info.tried.join('; ') : 'nothing yet'}`,
      `Summary: ${info.summary}`,
      ...(due ? [`SLA: ${due}`] : []),
      'Reply in this thread to talk to the requester; start with ;; for an internal note.',
    ];
    return {
      text: lines.join('\n'),
      // The requester's card, with the agents' buttons and the SLA line in UTC.
      card: {
        ...ticketCard(t, { sla: null, group: group?.name ?? null, assignee: null, timeZone: 'UTC', now }),
        eta: due,
        actions: agentChoices(t.number, groups, t.groupId),
      },
    };
  }

  /** Posts the handoff card to the ticket group's triage channel. False when the group has none reachable. */
  async function postToAgents(
    t: Ticket,
    info: HandoffInfo,
    preferred: Platform,
    emit: Emit,
    now: string,
  ): Promise<boolean> {
    const group = t.groupId === null ? null : await directory.groupById(t.groupId);
    const ref = group ? triageRef(group, preferred) : null;
    if (!ref) return false;
    emit(ref, await agentCard(t, info, now), { bindTicketId: t.id, bindRole: 'agents' });
    return true;
  }

  async function ticketOfAgentThread(conv: Conversation): Promise<Ticket> {
    const t = conv.ticketId === null ? null : await tickets.byIdForSystem(conv.ticketId);
    if (!t) throw new AppError('not_found', 'This thread is not linked to a ticket.');
    return t;
  }

  async function assertAgentOf(t: Ticket, person: Person): Promise<void> {
    if (!isStaff(person)) throw new AppError('forbidden', 'Only service desk agents can work tickets here.');
    if (person.role === 'agent' && t.groupId !== null && !(await directory.isMember(t.groupId, person.id))) {
      const group = await directory.groupById(t.groupId);
      throw new AppError(
        'forbidden',
        `${t.number} belongs to ${group?.name ?? 'another group'}; only its agents (or a manager) can work it.`,
      );
    }
  }

  async function ownerName(owner: string): Promise<string> {
    if (!owner.startsWith('agent:')) return owner;
    const p = await directory.personById(Number(owner.slice('agent:'.length)));
    return p?.displayName ?? owner;
  }

  async function claim(
    t: Ticket,
    agent: Person,
    emit: Emit,
    thread: ConversationRef | null,
    now: string,
    how: string,
  ): Promise<boolean> {
    await assertAgentOf(t, agent);
    const primary = await primaryOf(t.id);
    if (!primary) throw new AppError('not_found', `${t.number} has no chat conversation to take over.`);
    const to = `agent:${agent.id}` as const;
    if (primary.owner === to) {
      if (thread) emit(thread, { text: `You already own ${t.number}.` });
      return false;
    }
    const won = await store.compareAndSetOwner(primary.id, ['bot', 'queue'], to, now);
    if (!won) {
      const current = (await store.conversation(primary.ref))?.owner ?? 'someone';
      if (thread) emit(thread, { text: `${t.number} is already owned by ${await ownerName(current)}.` });
      return false;
    }
    await tickets.claim(t.number, agent, primary.owner, how, now);
    if (thread)
      emit(thread, {
        text: `${agent.displayName} claimed ${t.number}. Replies in this thread go to the requester; ;; for internal notes.`,
      });
    const target = await requesterTarget(t.id);
    if (target)
      emit(target, {
        text: `${agent.displayName} from the IT service desk has joined the conversation about ${t.number}.`,
      });
    return true;
  }

  async function handBack(
    t: Ticket,
    agent: Person,
    emit: Emit,
    thread: ConversationRef | null,
    now: string,
    why: string,
  ): Promise<void> {
    const convs = await requesterConversations(t.id);
    const primary = convs[0];
    if (!primary) return;
    const from = (await store.conversation(primary.ref))?.owner ?? primary.owner;
    if (from === 'bot') {
      if (thread) emit(thread, { text: `The bot already owns the conversation about ${t.number}.` });
      return;
    }
    await store.compareAndSetOwner(primary.id, [from], 'bot', now);
    // Nothing of the human stretch may leak into later bot answers: every dialog starts afresh.
    for (const c of convs) await store.saveConversation(c.id, { dialog: { kind: 'idle' } }, now);
    await tickets.recordOwner(t.number, from, 'bot', agent.id, why, now);
    if (thread) emit(thread, { text: `${agent.displayName} handed ${t.number} back to the bot.` });
    const target = await requesterTarget(t.id);
    if (!target) return;
    const fresh = (await tickets.byIdForSystem(t.id)) ?? t;
    if (fresh.state === 'resolved' || fresh.state === 'closed') {
      for (const c of convs)
        await store.saveConversation(c.id, { dialog: { kind: 'rate', ticket: t.number } }, now);
      emit(target, {
        text: `You're back with the IT bot. ${t.number} is ${STATE_LABEL[fresh.state].toLowerCase()}. How did we do? Rate 1 (poor) to 5 (great).`,
        choices: [1, 2, 3, 4, 5].map((n) => ({
          label: '★'.repeat(n),
          actionId: 'ticket.rate' as const,
          value: { ticket: t.number, rating: n },
        })),
      });
    } else {
      emit(target, {
        text: `You're back with the IT bot; ${t.number} stays open with the service desk. Anything else I can do?`,
      });
    }
  }

  return {
    primaryOf,
    postToAgents,

    /** A requester's message while a person owns (or is about to own) the conversation. */
    async relayFromRequester(
      ticket: Ticket,
      requester: Person,
      msg: IncomingMessage,
      owner: string,
      emit: Emit,
      replyRef: ConversationRef,
      now: string,
    ): Promise<void> {
      const text = msg.text.trim();
      if (text) await tickets.comment(ticket.number, requester, text, { platform: msg.platform }, now);
      for (const thread of await agentThreads(ticket.id)) {
        emit(thread.ref, { text: `${requester.displayName}: ${text}${attachmentLines(msg.attachments)}` });
      }
      if (owner === 'queue')
        emit(replyRef, {
          text: `Added to ${ticket.number}. A person from the service desk will reply here.`,
        });
    },

    /** A message in an agent thread: a note, a command, or words for the requester. */
    async onAgentMessage(
      conv: Conversation,
      agent: Person,
      msg: IncomingMessage,
      emit: Emit,
      now: string,
    ): Promise<void> {
      const t = await ticketOfAgentThread(conv);
      const text = msg.text.trim();
      if (!isStaff(agent)) {
        emit(conv.ref, { text: 'Only service desk agents can work tickets in this thread.' });
        return;
      }
      if (text.startsWith(deps.internalNotePrefix)) {
        const note = text.slice(deps.internalNotePrefix.length).trim();
        if (note)
          await tickets.comment(
            t.number,
            agent,
            `${note}${attachmentLines(msg.attachments)}`,
            { internal: true, platform: msg.platform },
            now,
          );
        return;
      }
      const command = /^(claim|resolve|handback|hand back|done)\b[:\s]*(.*)$/is.exec(text);
      if (command) {
        const verb = command[1]?.toLowerCase() ?? '';
        const rest = command[2]?.trim() ?? '';
        if (verb === 'claim') await claim(t, agent, emit, conv.ref, now, 'claimed with a thread command');
        else if (verb === 'resolve') await this.resolve(t, agent, rest || null, emit, conv.ref, now);
        else await handBack(t, agent, emit, conv.ref, now, 'agent handed back');
        return;
      }
      const primary = await primaryOf(t.id);
      let owner = primary ? ((await store.conversation(primary.ref))?.owner ?? primary.owner) : 'bot';
      if (owner === 'queue' || owner === 'bot') {
        // Replying is taking over: the first agent who answers owns the conversation.
        if (!(await claim(t, agent, emit, conv.ref, now, 'agent replied in the thread'))) return;
        owner = `agent:${agent.id}`;
      }
      if (owner !== `agent:${agent.id}`) {
        await tickets.comment(t.number, agent, text, { internal: true, platform: msg.platform }, now);
        emit(conv.ref, {
          text: `${await ownerName(owner)} owns ${t.number}; your message was kept as an internal note.`,
        });
        return;
      }
      if (!OPEN_STATES.includes(t.state)) {
        emit(conv.ref, {
          text: `${t.number} is ${STATE_LABEL[t.state].toLowerCase()}; reopen it to talk to the requester.`,
        });
        return;
      }
      await tickets.comment(t.number, agent, text, { platform: msg.platform }, now);
      const target = await requesterTarget(t.id);
      if (target)
        emit(target, {
          text: `${agent.displayName} (IT service desk): ${text}${attachmentLines(msg.attachments)}`,
        });
    },

    async resolve(
      t: Ticket,
      agent: Person,
      note: string | null,
      emit: Emit,
      thread: ConversationRef | null,
      now: string,
    ): Promise<void> {
      await assertAgentOf(t, agent);
      const next = await tickets.transition(
        t.number,
        'resolved',
        agent,
        { reason: note ?? 'resolved by agent' },
        now,
      );
      if (thread) emit(thread, { text: `${agent.displayName} resolved ${t.number}.` });
      const target = await requesterTarget(t.id);
      if (target && note) emit(target, { text: `${agent.displayName} (IT service desk): ${note}` });
      await handBack(next, agent, emit, null, now, 'resolved by agent');
    },

    /** Buttons on the agent card (and reactions mapped to them by adapters). */
    async onAgentAction(
      action: IncomingAction,
      agent: Person,
      emit: Emit,
      now: string,
    ): Promise<Array<{ reply: Reply; updateSource?: boolean }>> {
      let number = typeof action.value.ticket === 'string' ? action.value.ticket : null;
      if (!number) {
        // A reaction on the card: the card's thread is the agent thread of the ticket.
        const root = action.sourceMessage?.messageId ?? action.conversation.threadId;
        const conv = root ? await store.conversation({ ...action.conversation, threadId: root }) : null;
        const linked =
          conv?.role === 'agents' && conv.ticketId !== null
            ? await tickets.byIdForSystem(conv.ticketId)
            : null;
        number = linked?.number ?? null;
      }
      if (!number)
        throw new AppError('validation_failed', 'That message is not a handoff card of a ticket.', {
          field: 'ticket',
        });
      const t = await tickets.get(number, agent);
      const thread = (await agentThreads(t.id)).at(-1)?.ref ?? null;
      switch (action.actionId) {
        case 'agent.claim':
          await claim(t, agent, emit, thread ?? action.conversation, now, 'claimed with the card button');
          return [];
        case 'agent.resolve':
          await this.resolve(
            t,
            agent,
            typeof action.value.note === 'string' ? action.value.note : null,
            emit,
            thread ?? action.conversation,
            now,
          );
          return [];
        case 'agent.handback':
          await assertAgentOf(t, agent);
          await handBack(t, agent, emit, thread ?? action.conversation, now, 'agent handed back');
          return [];
        case 'agent.escalate': {
          await assertAgentOf(t, agent);
          const slug = typeof action.value.group === 'string' ? action.value.group : null;
          if (!slug) throw new AppError('validation_failed', 'Escalate to which group?', { field: 'group' });
          const moved = await tickets.reassignGroup(
            t.number,
            agent,
            slug,
            `escalated by ${agent.displayName}`,
            now,
          );
          const primary = await primaryOf(t.id);
          if (primary) {
            const from = (await store.conversation(primary.ref))?.owner ?? primary.owner;
            if (from !== 'queue') {
              await store.compareAndSetOwner(primary.id, [from], 'queue', now);
              await tickets.recordOwner(t.number, from, 'queue', agent.id, `escalated to ${slug}`, now);
            }
          }
          if (thread) emit(thread, { text: `${agent.displayName} escalated ${t.number} to ${slug}.` });
          const posted = await postToAgents(
            moved,
            {
              reason: `escalated by ${agent.displayName}`,
              confidence: null,
              tried: [`worked by ${agent.displayName}`],
              summary: t.description.slice(0, 200),
            },
            action.platform,
            emit,
            now,
          );
          if (!posted)
            emit(thread ?? action.conversation, {
              text: `The group ${slug} has no triage channel I can post to; the ticket is in its queue.`,
            });
          return [];
        }
        default:
          return [];
      }
    },

    /**
     * Nobody claimed a queued ticket in time: tell the requester when to expect an answer and escalate
     * once (to the group's escalation group, else to its manager). Idempotent per ticket and level.
     */
    async onClaimTimeout(
      t: Ticket,
      dueAt: string | null,
      emit: Emit,
      notifyManager: (managerId: number, reply: Reply, key: string) => Promise<boolean>,
      now: string,
    ): Promise<boolean> {
      const group = t.groupId === null ? null : await directory.groupById(t.groupId);
      const level = `claim-timeout:${group?.slug ?? 'none'}`;
      if (
        !(await tickets.recordEscalation(
          t.number,
          level,
          'no agent claimed it within the response target',
          { group: group?.slug ?? null },
          now,
        ))
      )
        return false;
      const target = await requesterTarget(t.id);
      const requester = await directory.personById(t.requesterId);
      if (target) {
        const eta = dueAt
          ? ` We aim to answer by ${formatLocal(dueAt, requester?.timeZone ?? 'UTC', now)}.`
          : '';
        emit(target, {
          text: `Sorry for the wait on ${t.number}: everyone is busy right now and I've escalated it.${eta} Your ticket is safe; you can keep adding details here.`,
        });
      }
      if (group?.escalationGroup) {
        const moved = await tickets.reassignGroup(
          t.number,
          null,
          group.escalationGroup,
          'claim timeout: escalated to the next tier',
          now,
        );
        await postToAgents(
          moved,
          {
            reason: `not claimed in time by ${group.name}`,
            confidence: null,
            tried: [],
            summary: t.description.slice(0, 200),
          },
          t.channel === 'teams' ? 'teams' : 'slack',
          emit,
          now,
        );
      } else if (group?.managerId) {
        await notifyManager(
          group.managerId,
          { text: `${t.number} (${t.priority}) was not claimed in time by ${group.name}: ${t.title}` },
          level,
        );
      }
      return true;
    },
  };
}

export type Handoff = ReturnType<typeof createHandoff>;
