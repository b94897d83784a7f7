/** The agent desk's queue rows and dependencies (re-exported by ../agent-desk.ts). */
import type { DirectoryStore, ItilStore, TicketStore } from '../ports.js';
import type { TicketService } from '../tickets.js';
import type { Ticket } from '../types.js';

export interface AgentDeskDeps {
  tickets: TicketStore;
  service: TicketService;
  directory: DirectoryStore;
  links: Pick<ItilStore, 'link' | 'linkedTo' | 'linkedFrom'>;
  /** A clock due within this many minutes is "breaching soon" (default 60). */
  breachingSoonMinutes?: number;
  /** Called after dispatch gave a ticket to an agent (tell them). */
  onAssigned?: (t: Ticket, now: string) => Promise<void>;
}

export interface QueueRow {
  ticket: Ticket;
  /** The clock that is closest to breaching, when one is running. */
  due: { clock: 'response' | 'resolution'; dueAt: string; breached: boolean } | null;
}

export interface AgentQueue {
  mine: QueueRow[];
  unassigned: QueueRow[];
  breaching: QueueRow[];
}
