/**
 * The agent queue as rows for surfaces that lay out one row per ticket (the Slack App Home): the same
 * three sections as the typed `queue` reply, each row with its one action — **Claim** when the ticket is
 * not the viewer's, **Open** (its agent thread) when it is.
 */
import type { AgentQueue, QueueRow } from '../itsm/agent-desk.js';
import type { Person } from '../itsm/types.js';
import { rowLine } from './agent-commands.js';
import type { Choice } from './message.js';

interface QueueViewRow {
  number: string;
  /** One line: number, priority, state, title and the closest clock. */
  text: string;
  choice: Choice;
}

export interface QueueView {
  sections: Array<{ title: string; empty: string; rows: QueueViewRow[] }>;
}

/** The row's action: Claim an unassigned ticket, Take a colleague's, Open the viewer's own. */
function rowChoice(r: QueueRow, person: Person): Choice {
  const n = r.ticket.number;
  if (r.ticket.assigneeId === person.id)
    return { label: `Open ${n}`, actionId: 'desk.open', value: { ticket: n } };
  // A colleague's ticket (breaching soon): reassigned to the clicker, not claimed from under them.
  if (r.ticket.assigneeId !== null)
    return { label: `Take ${n}`, actionId: 'desk.take', value: { ticket: n } };
  return { label: `Claim ${n}`, actionId: 'agent.claim', value: { ticket: n }, style: 'primary' };
}

export function queueView(q: AgentQueue, person: Person, now: string): QueueView {
  const rows = (list: QueueRow[]): QueueViewRow[] =>
    list.map((r) => ({
      number: r.ticket.number,
      text: rowLine(r, person, now).replace(/^• /, ''),
      choice: rowChoice(r, person),
    }));
  return {
    sections: [
      { title: 'My open tickets', empty: 'Nothing assigned to you.', rows: rows(q.mine) },
      { title: "My groups' unassigned queue", empty: 'Nobody is waiting.', rows: rows(q.unassigned) },
      { title: 'Breaching soon', empty: 'No clock is close to breaching.', rows: rows(q.breaching) },
    ],
  };
}
