/** The SLA sweep's result and dependencies (re-exported by ../sla-sweep.ts). */
import type { DirectoryStore, ItilNotifier, ItilStore, TicketStore } from '../ports.js';
import type { SlaConfig } from '../sla.js';
import type { TicketKind } from '../types.js';

export interface SweepResult {
  scanned: number;
  warnings: number;
  breaches: number;
  functionalEscalations: number;
  hierarchicalEscalations: number;
  /** Problems met on the way that did not stop the sweep (e.g. a template whose approvers are missing). */
  errors?: string[];
  /** Earliest instant a running clock changes status by itself: the sweeper may sleep until then. */
  nextDueAt: string | null;
}

export interface SlaSweepDeps {
  tickets: TicketStore;
  directory: DirectoryStore;
  itil: ItilStore;
  sla: SlaConfig;
  notifier: ItilNotifier;
  /** Ticket kinds that carry SLA clocks; problems and changes are planned work, not SLA-bound. */
  kinds?: readonly TicketKind[];
  pageSize?: number;
}
