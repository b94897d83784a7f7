/** What people say on a ticket: comments and internal notes, and the requester's rating. */
import { AppError } from '../../errors.js';
import { isStaff } from '../authorization.js';
import type { Comment, Person, Ticket } from '../types.js';
import type { TicketCore } from './core.js';
import { COMMENT_MAX, type TicketServiceDeps } from './types.js';

export function createTicketFeedback(deps: TicketServiceDeps, core: TicketCore) {
  const { tickets } = deps;
  const { assertCanSee, groupIdsOf, assertCanWork, change } = core;

  return {
    async comment(
      number: string,
      actor: Person,
      body: string,
      opts: { internal?: boolean; platform?: string | null },
      now: string,
    ): Promise<Comment> {
      const text = body.trim();
      if (text.length === 0)
        throw new AppError('validation_failed', 'The comment is empty.', { field: 'body' });
      if (text.length > COMMENT_MAX)
        throw new AppError(
          'too_large',
          `The comment is too long (${text.length} characters; at most ${COMMENT_MAX}).`,
          { field: 'body' },
        );
      const internal = opts.internal === true;
      if (internal && !isStaff(actor))
        throw new AppError('forbidden', 'Only agents can write internal notes.');
      let ticketId = 0;
      const groups = await groupIdsOf(actor);
      await change(
        number,
        (t) => {
          assertCanSee(t, actor);
          // The requester talks on their own ticket; anyone else annotates it as the desk.
          if (t.requesterId !== actor.id)
            assertCanWork(t, actor, groups, `Only the service desk can comment on ${t.number}.`);
          ticketId = t.id;
          return {
            patch: {},
            events: [
              {
                at: now,
                actorId: actor.id,
                type: 'commented',
                data: {
                  internal,
                  byAgent: isStaff(actor) && actor.id !== t.requesterId,
                  length: text.length,
                },
              },
            ],
          };
        },
        now,
      );
      return tickets.addComment({
        ticketId,
        authorId: actor.id,
        body: text,
        internal,
        platform: opts.platform ?? null,
        createdAt: now,
      });
    },

    /** Records the requester's satisfaction (1-5). */
    async rate(
      number: string,
      actor: Person,
      score: number,
      comment: string | null,
      now: string,
    ): Promise<Ticket> {
      if (!Number.isInteger(score) || score < 1 || score > 5)
        throw new AppError('validation_failed', 'A rating is a whole number from 1 to 5.', {
          field: 'rating',
        });
      return change(
        number,
        (t) => {
          if (t.requesterId !== actor.id)
            throw new AppError('forbidden', `Only the requester of ${t.number} can rate it.`);
          return {
            patch: {},
            events: [
              { at: now, actorId: actor.id, type: 'rated', to: String(score), data: { score, comment } },
            ],
          };
        },
        now,
      );
    },
  };
}
