/** Approval rows (request approvals and CAB votes): asked, decided, withdrawn, reminded. */
import type { Kysely, Selectable } from 'kysely';
import type { ItilStore } from '../../itsm/ports.js';
import type { Approval, ApprovalPurpose } from '../../itsm/types.js';
import type { ApprovalsTable, DB } from '../schema.js';

function toApproval(r: Selectable<ApprovalsTable>): Approval {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    approverId: r.approver_id,
    purpose: r.purpose,
    policy: r.policy,
    state: r.state,
    comment: r.comment,
    requestedAt: r.requested_at,
    decidedAt: r.decided_at,
    reminders: r.reminders,
  };
}

export function approvalRows(
  db: Kysely<DB>,
): Pick<
  ItilStore,
  | 'addApprovals'
  | 'approvalsOf'
  | 'decideApproval'
  | 'withdrawPending'
  | 'pendingApprovalsRequestedBefore'
  | 'bumpReminders'
> {
  return {
    async addApprovals(rows) {
      if (rows.length === 0) return;
      await db
        .insertInto('approvals')
        .values(
          rows.map((r) => ({
            ticket_id: r.ticketId,
            approver_id: r.approverId,
            purpose: r.purpose,
            policy: r.policy,
            state: 'pending' as const,
            requested_at: r.requestedAt,
          })),
        )
        .onConflict((oc) => oc.columns(['ticket_id', 'approver_id', 'purpose']).doNothing())
        .execute();
    },
    async approvalsOf(ticketId, purpose: ApprovalPurpose) {
      const rows = await db
        .selectFrom('approvals')
        .selectAll()
        .where('ticket_id', '=', ticketId)
        .where('purpose', '=', purpose)
        .orderBy('id')
        .execute();
      return rows.map(toApproval);
    },
    async decideApproval(ticketId, approverId, purpose, state, comment, at) {
      const r = await db
        .updateTable('approvals')
        .set({ state, comment, decided_at: at })
        .where('ticket_id', '=', ticketId)
        .where('approver_id', '=', approverId)
        .where('purpose', '=', purpose)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async withdrawPending(ticketId, purpose, at) {
      await db
        .updateTable('approvals')
        .set({ state: 'withdrawn', decided_at: at })
        .where('ticket_id', '=', ticketId)
        .where('purpose', '=', purpose)
        .where('state', '=', 'pending')
        .execute();
    },
    async pendingApprovalsRequestedBefore(before, limit) {
      const rows = await db
        .selectFrom('approvals')
        .selectAll()
        .where('state', '=', 'pending')
        .where('requested_at', '<=', before)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toApproval);
    },
    async bumpReminders(id) {
      const r = await db.selectFrom('approvals').select('reminders').where('id', '=', id).executeTakeFirst();
      if (r)
        await db
          .updateTable('approvals')
          .set({ reminders: r.reminders + 1 })
          .where('id', '=', id)
          .execute();
    },
  };
}
