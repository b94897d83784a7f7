/** The cluster service's dependencies and results (re-exported by ../problem-clustering.ts). */
import type { DirectoryStore, ItilNotifier, ItilStore, TicketStore } from '../ports.js';
import type { ItilConfig } from '../practices-config.js';
import type { ProblemService } from '../problems.js';
import type { Ticket } from '../types.js';

export interface ClusterServiceDeps {
  tickets: TicketStore;
  directory: DirectoryStore;
  itil: ItilStore;
  notifier: ItilNotifier;
  config: ItilConfig['problems'];
  problems: ProblemService;
}

export interface FromCluster {
  problem: Ticket;
  /** False when the reports were already linked to this problem (a second click, another agent). */
  created: boolean;
  linked: string[];
  major: boolean;
  reportersTold: number;
}
