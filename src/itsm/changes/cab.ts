/**
 * The change advisory board: submitting a change for approval (standard ones are pre-approved), votes
 * under the board's policy, and the discussion in the CAB thread.
 */
import { AppError } from '../../errors.js';
import {
  approvalChoices,
  type Outcome,
  outcomeOf,
  tallyLine,
  tallyOf,
  type VotePolicy,
} from '../approvals.js';
import { canSeeTicket, unknownTicket } from '../authorization.js';
import { standardNeedsCab } from '../change-risk.js';
import type { ChatChannel } from '../directory-data.js';
import type { Person } from '../ports.js';
import type { BoardConfig } from '../practices-config.js';
import type { ChangeRecord, ChangeType } from '../practices-port.js';
import { assertStaff, recordEvents } from '../service-helpers.js';
import { COMMENT_MAX } from '../tickets.js';
import type { Ticket } from '../types.js';
import type { ChangeCore } from './core.js';
import type { ChangeServiceDeps } from './types.js';

export function createChangeBoard(deps: ChangeServiceDeps, core: ChangeCore) {
  const { tickets, directory, itil, notifier, config } = deps;
  const { mustChange, move, expectPhase } = core;

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

    /** A CAB member votes; the board's policy (any / all / majority) decides when the vote is over. */
    async vote(
      number: string,
      voter: Person,
      vote: 'approve' | 'reject',
      comment: string | null,
      now: string,
    ): Promise<{ ticket: Ticket; change: ChangeRecord; outcome: Outcome }> {
      const { ticket, change } = await mustChange(number);
      const rows = await itil.approvalsOf(ticket.id, 'cab');
      const mine = rows.find((r) => r.approverId === voter.id);
      if (!mine) {
        if (!canSeeTicket(voter, ticket)) throw unknownTicket(ticket.number);
        throw new AppError('forbidden', `You are not on the CAB for ${ticket.number}.`);
      }
      if (change.phase !== 'cab' || mine.state !== 'pending')
        throw new AppError(
          'conflict',
          `${ticket.number} needs no vote from you any more (${mine.state === 'pending' ? `it is ${change.phase}` : `you voted ${mine.state === 'approved' ? 'approve' : mine.state === 'rejected' ? 'reject' : 'after the decision'}`}).`,
        );
      const text = comment?.trim() ? comment.trim().slice(0, 2000) : null;
      const state = vote === 'approve' ? 'approved' : 'rejected';
      if (!(await itil.decideApproval(ticket.id, voter.id, 'cab', state, text, now)))
        throw new AppError('conflict', `${ticket.number} needs no vote from you any more.`);
      await recordEvents(
        tickets,
        ticket.id,
        [
          {
            at: now,
            actorId: voter.id,
            type: 'voted',
            to: vote,
            reason: text,
            data: { voterId: voter.id },
          },
        ],
        now,
      );
      const after = await itil.approvalsOf(ticket.id, 'cab');
      const outcome = outcomeOf(after, change.cabPolicy);
      const tally = tallyLine(tallyOf(after), change.cabPolicy);
      const channel = cabChannelOf(change);
      if (channel)
        await notifier.notifyCabThread(
          ticket,
          channel,
          `${voter.displayName} votes ${vote}${text ? `: ${text}` : ''}. ${tally}.`,
          `vote:${voter.id}`,
        );
      const current = async () => ({
        ticket: (await tickets.byId(ticket.id)) ?? ticket,
        change: (await itil.change(ticket.id)) ?? change,
        outcome,
      });
      if (outcome === 'pending') return current();
      // The vote that decides closes it, once: two deciding votes at the same moment (maybe in two
      // processes) both see the outcome, only the one whose claim wins moves the change and tells people.
      const won = await itil.claimNotification({
        key: `cab-outcome:${ticket.number}`,
        ticketId: ticket.id,
        kind: 'cab_outcome',
        clock: 'cab',
        dueAt: null,
        createdAt: now,
      });
      if (!won) return current();
      await itil.withdrawPending(ticket.id, 'cab', now);
      const r = await move(
        ticket,
        change,
        outcome === 'approved' ? 'scheduled' : 'rejected',
        voter,
        `CAB ${outcome} (${change.cabPolicy})`,
        now,
      );
      const result =
        outcome === 'approved'
          ? `it is scheduled for ${change.plannedStart} – ${change.plannedEnd}`
          : 'it will not be implemented';
      const told = await notifier.notifyPerson(
        ticket.requesterId,
        `CAB ${outcome} ${ticket.number} "${ticket.title}"${outcome === 'approved' ? `; ${result}` : ''}.`,
        `cab-outcome:${ticket.number}`,
      );
      if (channel)
        await notifier.notifyCabThread(
          r.ticket,
          channel,
          `CAB ${outcome} ${ticket.number} "${ticket.title}" (${tally}); ${result}.${told ? ' The requester has been told.' : ''}`,
          'outcome',
        );
      return { ...r, outcome };
    },

    /**
     * Something said in the change's CAB thread that is not a vote: kept on the change as a comment
     * (with who said it), so the decision's reasoning stays with the record.
     */
    async discuss(
      number: string,
      author: Person,
      body: string,
      platform: string | null,
      now: string,
    ): Promise<void> {
      const { ticket } = await mustChange(number);
      const text = body.trim().slice(0, COMMENT_MAX);
      if (!text) return;
      await recordEvents(
        tickets,
        ticket.id,
        [
          {
            at: now,
            actorId: author.id,
            type: 'commented',
            data: { internal: true, byAgent: false, length: text.length, cab: true },
          },
        ],
        now,
      );
      await tickets.addComment({
        ticketId: ticket.id,
        authorId: author.id,
        body: text,
        internal: true,
        platform,
        createdAt: now,
      });
    },

    /** The change a CAB thread belongs to (threads are bound to the ticket id). */
    async numberOf(ticketId: number): Promise<string> {
      const t = await tickets.byId(ticketId);
      if (!t || t.kind !== 'change')
        throw new AppError('not_found', 'This thread is not linked to a change.');
      return t.number;
    },
  };
}
