/**
 * What the provisioning service depends on and what deactivating a person reports. The directory
 * records are in ../types.ts, the ProvisioningStore port in ../ports.ts.
 */
import type { ItilNotifier, ProvisioningStore, TicketStore } from '../ports.js';
import type { Person } from '../types.js';
import type { DirectoryMapping } from './mapping.js';

export interface ProvisioningDeps {
  store: ProvisioningStore;
  tickets: TicketStore;
  mapping: DirectoryMapping;
  /** Members groups.json gives each support group (slug → emails): a mapping never removes those. */
  staticMembers: ReadonlyMap<string, ReadonlySet<string>>;
  notifier?: Pick<ItilNotifier, 'notifyAgents'>;
  /** Hands the person's agent-owned conversations back to the queue (the chat side of deactivation). */
  releaseConversations?: (personId: number, now: string) => Promise<number>;
  personById: (id: number) => Promise<Person | null>;
}

export interface DeactivationResult {
  tickets: string[];
  conversations: number;
}
