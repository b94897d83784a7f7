/**
 * Typed commands of service desk staff, read before the NLU so that `priority INC0000003 P1` never
 * becomes a new incident. In any chat with the bot the ticket is named; in a ticket's agent thread
 * it may be left out.
 *
 *   queue | my queue | my tickets            the agent's queue, each row with buttons
 *   priority [INC…] P1 [: reason]            set the priority
 *   reassign [INC…] to judy@example.com      to a person (in the ticket's group, else theirs)
 *   reassign [INC…] to group network         to a group; dispatch picks an agent
 *   pending [INC…] vendor|requester|change|approval [: note]
 *   duplicate [INC…] of INC…                 link as a duplicate
 *   merge [INC…] into INC…                   link, copy the report over, resolve the duplicate
 *   child [INC…] of INC…                     parent/child
 *   resolve [INC…] [: what fixed it]          resolve; the requester is told and asked for a rating
 */
import type { AgentDesk, AgentQueue, QueueRow } from '../itsm/agent-desk.js';
import {
  PENDING_REASONS,
  type PendingReason,
  type Person,
  type Priority,
  type Ticket,
} from '../itsm/types.js';
import type { Choice, Reply } from './message.js';
import { formatLocal, STATE_LABEL } from './render.js';

const NUM = '((?:INC|REQ|PRB|CHG)\\d{7})';
const OPT_NUM = `(?:${NUM}\\s+)?`;
const REASON = '(?:\\s*[:\\-–]\\s*(.+))?';

export type AgentCommand =
  | { kind: 'queue' }
  | { kind: 'priority'; ticket: string | null; priority: Priority; reason: string | null }
  | { kind: 'reassign'; ticket: string | null; email?: string; group?: string; reason: string | null }
  | { kind: 'pending'; ticket: string | null; why: PendingReason; note: string | null }
  | { kind: 'duplicate'; ticket: string | null; of: string; merge: boolean }
  | { kind: 'child'; ticket: string | null; parent: string }
  | { kind: 'resolve'; ticket: string | null; note: string | null };

/**
 * The agent's own queue, however it is asked for: "queue", "my tickets", "what's assigned to me?",
 * "anything urgent for me?" (the queue shows what is close to breaching first).
 */
const QUEUE =
  /^(?:show (?:me )?)?(?:my )?queue[.!?]?$|^(?:show (?:me )?)?my (?:tickets|work|open tickets)[.!?]?$|^what(?:'s| is) (?:assigned to|on) me[.!?]?$|^what do i have(?: on)?[.!?]?$|^(?:is there )?anything (?:urgent )?for me[.!?]?$|^(?:show (?:me )?)?(?:the |my )?urgent (?:ones|tickets)[.!?]?$/i;

const up = (s: string | undefined): string | null => (s ? s.toUpperCase() : null);
const trimmed = (s: string | undefined): string | null => s?.trim() || null;

/** The command a message is, or null (then the message goes on to the dialogs). */
export function parseAgentCommand(text: string): AgentCommand | null {
  const t = text.trim().replace(/\s+/g, ' ');
  if (QUEUE.test(t)) return { kind: 'queue' };
  // Incidents and requests only: "resolve PRB…" is the problem's own command (itil-commands.ts).
  const done = new RegExp(
    `^(?:resolve|mark (?:it )?(?:as )?resolved)(?:\\s+((?:INC|REQ)\\d{7}))?${REASON}$`,
    'i',
  ).exec(t);
  if (done) return { kind: 'resolve', ticket: up(done[1]), note: trimmed(done[2]) };
  let m = new RegExp(`^(?:set )?priority ${OPT_NUM}(?:to )?(P[1-4])${REASON}$`, 'i').exec(t);
  if (m?.[2])
    return {
      kind: 'priority',
      ticket: up(m[1]),
      priority: m[2].toUpperCase() as Priority,
      reason: trimmed(m[3]),
    };
  m = new RegExp(`^(?:re)?assign ${OPT_NUM}to group ([a-z0-9-]+)${REASON}$`, 'i').exec(t);
  if (m?.[2]) return { kind: 'reassign', ticket: up(m[1]), group: m[2].toLowerCase(), reason: trimmed(m[3]) };
  m = new RegExp(
    `^(?:re)?assign ${OPT_NUM}to @?([^\\s@:]+@[^\\s:]+)(?: in ([a-z0-9-]+))?${REASON}$`,
    'i',
  ).exec(t);
  if (m?.[2])
    return {
      kind: 'reassign',
      ticket: up(m[1]),
      email: m[2].toLowerCase(),
      ...(m[3] ? { group: m[3].toLowerCase() } : {}),
      reason: trimmed(m[4]),
    };
  m = new RegExp(
    `^(?:pending|pend|waiting) ${OPT_NUM}(?:on |for )?(${PENDING_REASONS.join('|')})${REASON}$`,
    'i',
  ).exec(t);
  if (m?.[2])
    return {
      kind: 'pending',
      ticket: up(m[1]),
      why: m[2].toLowerCase() as PendingReason,
      note: trimmed(m[3]),
    };
  m = new RegExp(`^(?:link )?(duplicate|merge) ${OPT_NUM}(?:of|into|with) ${NUM}$`, 'i').exec(t);
  if (m?.[1] && m[3])
    return {
      kind: 'duplicate',
      ticket: up(m[2]),
      of: m[3].toUpperCase(),
      merge: m[1].toLowerCase() === 'merge',
    };
  m = new RegExp(`^child ${OPT_NUM}of ${NUM}$`, 'i').exec(t);
  if (m?.[2]) return { kind: 'child', ticket: up(m[1]), parent: m[2].toUpperCase() };
  return null;
}

export function rowLine(r: QueueRow, person: Person, now: string): string {
  const t = r.ticket;
  const due = r.due
    ? r.due.breached
      ? ` · ${r.due.clock} overdue since ${formatLocal(r.due.dueAt, person.timeZone, now)}`
      : ` · ${r.due.clock} due ${formatLocal(r.due.dueAt, person.timeZone, now)}`
    : '';
  return `• ${t.number} ${t.priority} · ${STATE_LABEL[t.state]} · ${t.title}${due}`;
}

/** The queue as one message: three sections, Claim buttons for unassigned rows, Open thread for the rest. */
function queueReply(q: AgentQueue, person: Person, now: string): Reply {
  const section = (title: string, rows: QueueRow[], empty: string) => [
    `*${title}* (${rows.length})`,
    ...(rows.length === 0 ? [empty] : rows.map((r) => rowLine(r, person, now))),
  ];
  const text = [
    ...section('My open tickets', q.mine, 'Nothing assigned to you.'),
    ...section("My groups' unassigned queue", q.unassigned, 'Nobody is waiting.'),
    ...section('Breaching soon', q.breaching, 'No clock is close to breaching.'),
  ].join('\n');
  const choices: Choice[] = [];
  const seen = new Set<string>();
  for (const r of [...q.breaching, ...q.unassigned, ...q.mine]) {
    const n = r.ticket.number;
    if (seen.has(n) || seen.size >= 8) continue;
    seen.add(n);
    choices.push(
      r.ticket.assigneeId === person.id
        ? { label: `Open ${n}`, actionId: 'desk.open', value: { ticket: n } }
        : { label: `Claim ${n}`, actionId: 'agent.claim', value: { ticket: n }, style: 'primary' },
    );
  }
  return { text, ...(choices.length > 0 ? { choices } : {}) };
}

interface AgentCommandResult {
  replies: Reply[];
  /** The requester is told about changes that concern them. */
  tellRequester?: { ticket: Ticket; text: string; key: string };
  /** Moved to another group: its agents get the card. */
  moved?: Ticket;
}

/** Runs a parsed command for `person`; `threadTicket` is the ticket of the agent thread it was typed in. */
export async function runAgentCommand(
  desk: AgentDesk,
  // Resolving goes through the hand-off (agent-desk-chat.ts): the conversation may be with a person.
  cmd: Exclude<AgentCommand, { kind: 'resolve' }>,
  person: Person,
  threadTicket: string | null,
  now: string,
): Promise<AgentCommandResult | null> {
  if (cmd.kind === 'queue') return { replies: [queueReply(await desk.queueFor(person, now), person, now)] };
  const number = cmd.ticket ?? threadTicket;
  if (!number)
    return {
      replies: [
        { text: 'Which ticket? Name it (e.g. INC0000003), or type the command in its agent thread.' },
      ],
    };
  const say = (text: string): Reply[] => [{ text }];
  switch (cmd.kind) {
    case 'priority': {
      const t = await desk.setPriority(
        number,
        person,
        cmd.priority,
        cmd.reason ?? `set by ${person.displayName}`,
        now,
      );
      return {
        replies: say(`${t.number} is ${t.priority} now.`),
        tellRequester: {
          ticket: t,
          text: `The service desk set ${t.number} to ${t.priority}.`,
          key: `priority:${now}`,
        },
      };
    }
    case 'reassign': {
      const t = await desk.reassign(
        number,
        person,
        { ...(cmd.email ? { email: cmd.email } : {}), ...(cmd.group ? { group: cmd.group } : {}) },
        cmd.reason,
        now,
      );
      return {
        replies: say(`${t.number} reassigned${cmd.email ? ` to ${cmd.email}` : ` to ${cmd.group}`}.`),
        ...(cmd.email ? {} : { moved: t }),
      };
    }
    case 'pending': {
      const t = await desk.pend(number, person, cmd.why, cmd.note, now);
      return {
        replies: say(`${t.number} is pending (${cmd.why})${cmd.note ? `: ${cmd.note}` : ''}.`),
        tellRequester: {
          ticket: t,
          text:
            cmd.why === 'requester'
              ? `${t.number} is waiting for you${cmd.note ? `: ${cmd.note}` : ''}. Reply here to continue.`
              : `${t.number} is on hold, waiting for ${cmd.why === 'vendor' ? 'a supplier' : `a ${cmd.why}`}${cmd.note ? `: ${cmd.note}` : ''}.`,
          key: `pending:${now}`,
        },
      };
    }
    case 'duplicate': {
      const r = await desk.markDuplicate(number, cmd.of, person, cmd.merge, now);
      return {
        replies: say(
          cmd.merge
            ? `Merged ${r.duplicate.number} into ${r.of.number}; ${r.duplicate.number} is ${STATE_LABEL[r.duplicate.state].toLowerCase()}.`
            : r.linked
              ? `Linked ${r.duplicate.number} as a duplicate of ${r.of.number}.`
              : `${r.duplicate.number} was already linked to ${r.of.number}.`,
        ),
        ...(cmd.merge
          ? {
              tellRequester: {
                ticket: r.duplicate,
                text: `${r.duplicate.number} is the same issue as ${r.of.number}, which the service desk is working on; we'll follow up there.`,
                key: `merged:${r.of.number}`,
              },
            }
          : {}),
      };
    }
    case 'child': {
      const r = await desk.setParent(number, cmd.parent, person, now);
      return {
        replies: say(
          r.linked
            ? `${r.child.number} is now a child of ${r.parent.number}.`
            : `${r.child.number} already is a child of ${r.parent.number}.`,
        ),
      };
    }
  }
}
