/** Who approves a request: its template's approval spec resolved to people, and the policy that follows. */
import { AppError } from '../../errors.js';
import type { Ticket } from '../types.js';
import type { ApprovalServiceDeps } from './types.js';
import type { VotePolicy } from './voting.js';

export interface ApprovalSpec {
  type: 'manager' | 'users' | 'group';
  users?: string[] | undefined;
  group?: string | undefined;
}

/** Named approvers must all agree; a group needs any one member; a manager is one person. */
export const POLICY_OF: Record<ApprovalSpec['type'], VotePolicy> = {
  manager: 'all',
  users: 'all',
  group: 'any',
};

/** The people who approve `ticket` (never its requester), with a note when someone stood in. */
export async function approversFor(
  deps: Pick<ApprovalServiceDeps, 'directory' | 'itil'>,
  ticket: Ticket,
  spec: ApprovalSpec,
): Promise<{ ids: number[]; note: string | null }> {
  const { directory, itil } = deps;
  const requester = await directory.personById(ticket.requesterId);
  const manager = async (): Promise<number | null> => {
    if (requester?.managerId != null) return requester.managerId;
    // Nobody on record: the manager of the handling group decides rather than nobody.
    const g = ticket.groupId === null ? null : await directory.groupById(ticket.groupId);
    return g?.managerId ?? null;
  };
  let ids: number[] = [];
  let note: string | null = null;
  if (spec.type === 'manager') {
    const m = await manager();
    if (m !== null) ids = [m];
    if (requester?.managerId == null)
      note = "the requester has no manager on record; the handling group's manager approves";
  } else if (spec.type === 'users') {
    for (const u of spec.users ?? []) {
      const p = await directory.personByEmail(u);
      if (!p)
        throw new AppError(
          'data_invalid',
          `Approver ${u} of this request form is not in the directory; fix the template's approval.users.`,
          { field: 'approval.users' },
        );
      ids.push(p.id);
    }
  } else {
    const g = spec.group ? await directory.groupBySlug(spec.group) : null;
    if (!g)
      throw new AppError(
        'data_invalid',
        `Approval group "${spec.group ?? ''}" does not exist; fix the template's approval.group.`,
        { field: 'approval.group' },
      );
    ids = await itil.groupMemberIds(g.id);
  }
  // No one approves their own request.
  ids = [...new Set(ids)].filter((id) => id !== ticket.requesterId);
  if (ids.length === 0) {
    const m = await manager();
    if (m !== null && m !== ticket.requesterId) {
      ids = [m];
      note = 'no other approver available; the manager approves';
    }
  }
  if (ids.length === 0)
    throw new AppError(
      'validation_failed',
      `Nobody can approve ${ticket.number}: set a manager for the requester or approvers in the template.`,
      { field: 'approval' },
    );
  return { ids, note };
}
