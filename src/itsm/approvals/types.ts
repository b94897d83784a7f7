/** The approval service's dependencies (re-exported by ../approvals.ts). */
import type { DirectoryStore, ItilNotifier, ItilStore, TicketStore } from '../ports.js';
import type { ItilConfig } from '../practices-config.js';

export interface ApprovalServiceDeps {
  tickets: TicketStore;
  directory: DirectoryStore;
  itil: ItilStore;
  notifier: ItilNotifier;
  config: ItilConfig['approvals'];
}
