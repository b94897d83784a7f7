/** The handoff card posted to a group's triage channel; its thread becomes the agents' thread. */
import type { ChatChannel } from '../../itsm/directory-data.js';
import type { Group, Ticket } from '../../itsm/types.js';
import type { ConversationRef, Platform, Reply } from '../message.js';
import { formatLocal, STATE_LABEL, ticketCard } from '../render.js';
import { agentChoices, channelRef, webTriageRef } from './channels.js';
import type { Emit, HandoffDeps, HandoffInfo } from './types.js';

export function createAgentCards(deps: HandoffDeps) {
  const { tickets, directory } = deps;

  function triageRef(group: Group, preferred: Platform): ConversationRef | null {
    const ref = channelRef(group.triage as ChatChannel, preferred, deps.hasPort, deps.teamsServiceUrl);
    if (ref || !deps.webTriage || !deps.hasPort('web')) return ref;
    return webTriageRef(group.slug);
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

  return { postToAgents };
}
