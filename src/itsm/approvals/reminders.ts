/** Reminding approvers (of requests and of CAB votes) who have not answered. */
import type { ApprovalServiceDeps } from './types.js';
import { approvalChoices } from './voting.js';

export function createApprovalReminders(deps: Pick<ApprovalServiceDeps, 'itil' | 'notifier' | 'config'>) {
  const { itil, notifier } = deps;

  return {
    /** Reminds approvers who have not answered; each reminder goes out once (keyed), at most maxReminders. */
    async remind(now: string): Promise<number> {
      const hours = deps.config.remindAfterHours;
      const before = new Date(Date.parse(now) - hours * 3_600_000).toISOString();
      let sent = 0;
      for (const a of await itil.pendingApprovalsRequestedBefore(before, 500)) {
        if (a.reminders >= deps.config.maxReminders) continue;
        const dueAt = Date.parse(a.requestedAt) + (a.reminders + 1) * hours * 3_600_000;
        if (dueAt > Date.parse(now)) continue;
        const key = `approval-reminder:${a.id}:${a.reminders + 1}`;
        if (
          !(await itil.claimNotification({
            key,
            ticketId: a.ticketId,
            kind: 'approval_reminder',
            clock: a.purpose,
            dueAt: new Date(dueAt).toISOString(),
            createdAt: now,
          }))
        )
          continue;
        await itil.bumpReminders(a.id);
        const [t] = await itil.ticketsByIds([a.ticketId]);
        if (!t) continue;
        await notifier.notifyPerson(
          a.approverId,
          `Reminder: ${t.number} "${t.title}" is still waiting for your ${a.purpose === 'cab' ? 'CAB vote' : 'approval'} (asked ${a.requestedAt.slice(0, 16).replace('T', ' ')} UTC).`,
          key,
          approvalChoices(t.number, a.purpose),
        );
        sent++;
      }
      return sent;
    },
  };
}
