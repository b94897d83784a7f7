/**
 * Nobody claimed a queued ticket in time: the requester is told when to expect an answer and the
 * ticket escalates once (to the group's escalation group, else its manager). Idempotent per level.
 */
import type { Ticket } from '../../itsm/types.js';
import type { Reply } from '../message.js';
import { formatLocal } from '../render.js';
import type { Conversations } from './conversations.js';
import type { Emit, HandoffDeps, HandoffInfo } from './types.js';

type PostToAgents = (
  t: Ticket,
  info: HandoffInfo,
  preferred: 'slack' | 'teams',
  emit: Emit,
  now: string,
) => Promise<boolean>;

export function createTimeouts(
  deps: Pick<HandoffDeps, 'tickets' | 'directory'>,
  convs: Conversations,
  postToAgents: PostToAgents,
) {
  const { tickets, directory } = deps;

  return async function onClaimTimeout(
    t: Ticket,
    dueAt: string | null,
    emit: Emit,
    notifyManager: (managerId: number, reply: Reply, key: string) => Promise<boolean>,
    now: string,
  ): Promise<boolean> {
    const group = t.groupId === null ? null : await directory.groupById(t.groupId);
    const level = `claim-timeout:${group?.slug ?? 'none'}`;
    const first = await tickets.recordEscalation(
      t.number,
      level,
      'no agent claimed it within the response target',
      { group: group?.slug ?? null },
      now,
    );
    if (!first) return false;
    const target = await convs.requesterTarget(t.id);
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
  };
}
