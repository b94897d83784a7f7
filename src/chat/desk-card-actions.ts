/**
 * Ticket edits as card buttons (issue 18 item 3): **Priority…** and **Pending…** on the agent thread's
 * card answer with the choices (P1–P4; requester, vendor, change, approval), whose click makes the
 * edit; **Take** on a queue row reassigns a colleague's ticket to the clicker. Each runs the same
 * command as the typed one (agent-commands.ts), so the group rule, the events and the requester's
 * notice are the same.
 */
import {
  PENDING_REASONS,
  type PendingReason,
  type Person,
  PRIORITIES,
  type Priority,
} from '../itsm/types.js';
import type { ActionHandler } from './adapter-api.js';
import type { AgentCommand } from './agent-commands.js';
import type { Reply } from './message.js';

type ApplyCommand = (
  cmd: AgentCommand,
  person: Person,
  threadNumber: string | null,
  now: string,
) => Promise<Reply[] | null>;

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const replies = (rs: Reply[] | null) => (rs ?? []).map((reply) => ({ reply }));

export function deskCardActions(apply: ApplyCommand): Record<'priority' | 'pending' | 'take', ActionHandler> {
  return {
    async priority({ action, person, now }) {
      const ticket = str(action.value.ticket);
      const priority = str(action.value.priority);
      if (!ticket) return [];
      if (!priority || !(PRIORITIES as readonly string[]).includes(priority))
        return [
          {
            reply: {
              text: `Which priority for ${ticket}?`,
              choices: PRIORITIES.map((p) => ({
                label: p,
                actionId: 'desk.priority' as const,
                value: { ticket, priority: p },
              })),
            },
          },
        ];
      const cmd: AgentCommand = {
        kind: 'priority',
        ticket,
        priority: priority as Priority,
        reason: `set by ${person.displayName} from the card`,
      };
      return replies(await apply(cmd, person, null, now));
    },

    async pending({ action, person, now }) {
      const ticket = str(action.value.ticket);
      const why = str(action.value.reason);
      if (!ticket) return [];
      if (!why || !(PENDING_REASONS as readonly string[]).includes(why))
        return [
          {
            reply: {
              text: `${ticket} waits for whom?`,
              choices: PENDING_REASONS.map((r) => ({
                label: r === 'vendor' ? 'a supplier' : `the ${r}`,
                actionId: 'desk.pending' as const,
                value: { ticket, reason: r },
              })),
            },
          },
        ];
      const cmd: AgentCommand = { kind: 'pending', ticket, why: why as PendingReason, note: null };
      return replies(await apply(cmd, person, null, now));
    },

    async take({ action, person, now }) {
      const ticket = str(action.value.ticket);
      if (!ticket) return [];
      const cmd: AgentCommand = { kind: 'reassign', ticket, email: person.email, reason: null };
      return replies(await apply(cmd, person, null, now));
    },
  };
}
