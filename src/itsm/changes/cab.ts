/**
 * The change advisory board: its members, policy and thread (itil.json), and submitting a change for
 * approval (standard ones are pre-approved). Votes and the CAB thread's discussion are in votes.ts.
 */
import { AppError } from '../../errors.js';
import { approvalChoices, type VotePolicy } from '../approvals.js';
import { standardNeedsCab } from '../change-risk.js';
import type { ChatChannel } from '../directory-data.js';
import type { BoardConfig } from '../practices-config.js';
import { assertStaff, recordEvents } from '../service-helpers.js';
import type { ChangeRecord, ChangeType, Person, Ticket } from '../types.js';
import type { ChangeCore } from './core.js';
import type { ChangeServiceDeps } from './types.js';

/** The (emergency) CAB of a change type: its members from the directory, its policy, its thread. */
export function createCabBoards(deps: Pick<ChangeServiceDeps, 'directory' | 'config'>) {
  const { directory, config } = deps;

  function boardOf(type: ChangeType): { board: BoardConfig; field: string } {
    return type === 'emergency'
      ? { board: config.emergencyCab, field: 'changes.emergencyCab' }
      : { board: config.cab, field: 'changes.cab' };
  }

  async function cabMembers(
    type: ChangeType,
  ): Promise<{ members: Person[]; policy: VotePolicy; channel: ChatChannel | null }> {
    const { board, field } = boardOf(type);
    const members: Person[] = [];
    for (const email of board.members) {
      const p = await directory.personByEmail(email);
      if (!p)
        throw new AppError(
          'data_invalid',
          `CAB member ${email} (itil.json ${field}.members) is not in the directory.`,
          { field: 'changes.cab.members' },
        );
      members.push(p);
    }
    if (members.length === 0)
      throw new AppError(
        'data_invalid',
        `No ${type === 'emergency' ? 'emergency ' : ''}CAB members are configured: add emails to ${field}.members in data/itil.json.`,
        { field: 'changes.cab.members' },
      );
    return { members, policy: board.policy, channel: board.channel ?? null };
  }

  /** The board's vote thread, when its channel is configured (votes are echoed there). */
  const cabChannelOf = (change: ChangeRecord): ChatChannel | null =>
    boardOf(change.changeType).board.channel ?? null;

  return { cabMembers, cabChannelOf };
}

export type CabBoards = ReturnType<typeof createCabBoards>;

export function createChangeSubmission(deps: ChangeServiceDeps, core: ChangeCore, boards: CabBoards) {
  const { tickets, itil, notifier, config } = deps;
  const { mustChange, move, expectPhase } = core;
  const { cabMembers } = boards;

  return {
    /** Sends the change for approval: standard ones are pre-approved, others go to the (emergency) CAB. */
    async submit(
      number: string,
      actor: Person,
      now: string,
    ): Promise<{ ticket: Ticket; change: ChangeRecord; voters: number[] }> {
      assertStaff(actor, 'submit changes');
      const { ticket, change } = await mustChange(number);
      expectPhase(ticket, change, ['draft'], 'submit');
      if (!change.plannedStart || !change.plannedEnd)
        throw new AppError(
          'validation_failed',
          `${ticket.number} has no window yet: schedule it (plannedStart, plannedEnd) before submitting.`,
          { field: 'plannedStart' },
        );
      const cabWhy =
        change.changeType === 'standard' ? standardNeedsCab(ticket, change, config.standardCatalogue) : null;
      if (change.changeType === 'standard' && cabWhy === null) {
        const r = await move(ticket, change, 'scheduled', actor, 'standard change: pre-approved', now);
        return { ...r, voters: [] };
      }
      const { members, policy, channel } = await cabMembers(change.changeType);
      const ids = members.map((m) => m.id);
      await itil.addApprovals(
        ids.map((approverId) => ({
          ticketId: ticket.id,
          approverId,
          purpose: 'cab' as const,
          policy,
          requestedAt: now,
        })),
      );
      const r = await move(
        ticket,
        change,
        'cab',
        actor,
        cabWhy ?? `${change.changeType === 'emergency' ? 'emergency ' : ''}CAB vote (${policy})`,
        now,
        { cabPolicy: policy },
      );
      await recordEvents(
        tickets,
        ticket.id,
        [
          {
            at: now,
            actorId: actor.id,
            type: 'approval',
            to: 'requested',
            reason: `CAB vote (${policy})`,
            data: { approvers: ids, policy, purpose: 'cab', thread: channel !== null },
          },
        ],
        now,
      );
      const summary = `${ticket.number} "${ticket.title}" (${change.changeType}, risk ${change.riskLevel} ${change.riskScore}: ${change.riskReasons.join('; ')}). Window ${change.plannedStart} – ${change.plannedEnd}. Policy: ${policy}`;
      const choices = approvalChoices(ticket.number, 'cab');
      const inThread =
        channel !== null &&
        (await notifier.openCabThread(
          r.ticket,
          channel,
          [
            `CAB vote needed: ${summary} of ${ids.length} (${members.map((m) => m.displayName).join(', ')}).`,
            'Vote with the buttons or reply in this thread with "approve: <comment>" or "reject: <comment>"; anything else said here is kept on the change as discussion.',
          ].join('\n'),
          choices,
          'card',
        ));
      for (const id of ids) {
        if (inThread)
          await notifier.notifyPerson(
            id,
            `CAB vote on ${ticket.number} "${ticket.title}" is open in its thread in the CAB channel: vote and discuss there (or reply here: approve ${ticket.number}: <comment>).`,
            `cab:${ticket.number}`,
          );
        else await notifier.notifyPerson(id, `CAB vote needed: ${summary}.`, `cab:${ticket.number}`, choices);
      }
      return { ...r, voters: ids };
    },
  };
}
