/** The change service's inputs, views and dependencies (re-exported by ../changes.ts). */
import type { DirectoryStore, ItilNotifier, ItilStore, TicketStore } from '../ports.js';
import type { ItilConfig } from '../practices-config.js';
import type { Asset, ChangeRecord, ChangeType, Level, Ticket } from '../types.js';

export interface ChangeInput {
  title: string;
  description?: string;
  type: ChangeType;
  /** Default medium; a standard change takes its catalogue template's. */
  impact?: Level;
  urgency?: Level;
  /** A standard change's entry in `changes.standardCatalogue` (required for standard changes). */
  template?: string | null;
  assets?: string[];
  plannedStart?: string | null;
  plannedEnd?: string | null;
  group?: string | null;
}

export interface ChangeView {
  ticket: Ticket;
  change: ChangeRecord;
  assets: Asset[];
  votes: Array<{ approverId: number; state: string; comment: string | null }>;
  causedIncidents: string[];
}

export interface ChangeServiceDeps {
  tickets: TicketStore;
  directory: DirectoryStore;
  itil: ItilStore;
  notifier: ItilNotifier;
  config: ItilConfig['changes'];
}
