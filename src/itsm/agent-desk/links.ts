/** Links between tickets an agent makes: duplicates (optionally merged) and parent/child. */
import { AppError } from '../../errors.js';
import type { NewEvent } from '../ports.js';
import { OPEN_STATES, type Person, type Ticket } from '../types.js';
import type { AgentDeskCore } from './core.js';
import type { AgentDeskDeps } from './types.js';

export function createTicketLinks(
  deps: Pick<AgentDeskDeps, 'service' | 'directory' | 'links'>,
  core: AgentDeskCore,
) {
  const { service, directory, links } = deps;
  const { working, record } = core;

  return {
    /**
     * Links `dupNumber` as a duplicate of `ofNumber`. With `merge`, the duplicate is also resolved and
     * its report copied to the surviving ticket as an internal note.
     */
    async markDuplicate(
      dupNumber: string,
      ofNumber: string,
      actor: Person,
      merge: boolean,
      now: string,
    ): Promise<{ duplicate: Ticket; of: Ticket; linked: boolean }> {
      const dup = await working(dupNumber, actor);
      const of = await service.get(ofNumber.toUpperCase(), actor);
      if (dup.id === of.id)
        throw new AppError('validation_failed', 'A ticket cannot be a duplicate of itself.', { field: 'of' });
      if ((await links.linkedTo(of.id, 'duplicate_of')).includes(dup.id))
        throw new AppError('validation_failed', `${of.number} is already a duplicate of ${dup.number}.`, {
          field: 'of',
        });
      const linked = await links.link(dup.id, of.id, 'duplicate_of', actor.id, now);
      if (linked) {
        await record(
          dup,
          {
            at: now,
            actorId: actor.id,
            type: 'linked',
            to: of.number,
            reason: `duplicate of ${of.number}`,
            data: { link: 'duplicate_of', ticket: of.number, merge },
          },
          now,
        );
        await record(
          of,
          {
            at: now,
            actorId: actor.id,
            type: 'linked',
            to: dup.number,
            reason: `${dup.number} is a duplicate`,
            data: { link: 'duplicate', ticket: dup.number, merge },
          },
          now,
        );
      }
      let duplicate = dup;
      if (merge) {
        const requester = await directory.personById(dup.requesterId);
        await service.comment(
          of.number,
          actor,
          `Merged ${dup.number} (${requester?.displayName ?? 'unknown requester'}): ${dup.title}\n${dup.description}`.slice(
            0,
            9_000,
          ),
          { internal: true },
          now,
        );
        if (OPEN_STATES.includes(dup.state))
          duplicate = await service.transition(
            dup.number,
            'resolved',
            actor,
            { reason: `merged into ${of.number}` },
            now,
          );
      }
      return { duplicate, of, linked };
    },

    /** Makes `childNumber` a child of `parentNumber` (one parent per child; no cycles). */
    async setParent(childNumber: string, parentNumber: string, actor: Person, now: string) {
      const child = await working(childNumber, actor);
      const parent = await service.get(parentNumber.toUpperCase(), actor);
      if (child.id === parent.id)
        throw new AppError('validation_failed', 'A ticket cannot be its own parent.', { field: 'parent' });
      const current = await links.linkedTo(child.id, 'child_of');
      if (current.includes(parent.id)) return { child, parent, linked: false };
      if (current.length > 0)
        throw new AppError('validation_failed', `${child.number} already has a parent ticket.`, {
          field: 'parent',
        });
      // Walking up from the parent must never reach the child.
      let up = parent.id;
      for (let depth = 0; depth < 50; depth++) {
        const next = (await links.linkedTo(up, 'child_of'))[0];
        if (next === undefined) break;
        if (next === child.id)
          throw new AppError(
            'validation_failed',
            `${parent.number} is below ${child.number}; that would make a loop.`,
            { field: 'parent' },
          );
        up = next;
      }
      const linked = await links.link(child.id, parent.id, 'child_of', actor.id, now);
      if (linked) {
        const ev = (to: string, reason: string, link: string): NewEvent => ({
          at: now,
          actorId: actor.id,
          type: 'linked',
          to,
          reason,
          data: { link, ticket: to },
        });
        await record(child, ev(parent.number, `child of ${parent.number}`, 'child_of'), now);
        await record(parent, ev(child.number, `parent of ${child.number}`, 'parent_of'), now);
      }
      return { child, parent, linked };
    },
  };
}
