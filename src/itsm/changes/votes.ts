/**
 * CAB votes under the board's policy (any / all / majority; the deciding vote moves the change once),
 * and what is said in the CAB thread that is not a vote.
 */
import { AppError } from '../../errors.js';
import { type Outcome, outcomeOf, tallyLine, tallyOf } from '../approvals.js';
import { canSeeTicket, unknownTicket } from '../authorization.js';
import { recordEvents } from '../service-helpers.js';
import { COMMENT_MAX } from '../tickets.js';
import type { ChangeRecord, Person, Ticket } from '../types.js';
import type { CabBoards } from './cab.js';
import type { ChangeCore } from './core.js';
import type { ChangeServiceDeps } from './types.js';

export function createChangeVotes(deps: ChangeServiceDeps, core: ChangeCore, boards: CabBoards) {
  const { tickets, itil, notifier } = deps;
  const { mustChange, move } = core;
  const { cabChannelOf } = boards;

  return {
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
