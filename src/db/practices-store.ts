/**
 * The ITIL practices' storage port (itsm/ports.ts ItilStore), assembled from one module per
 * record kind under src/db/practices/. Same SQL on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { ItilStore } from '../itsm/ports.js';
import { agentAvailability } from './practices/agent-availability.js';
import { approvalRows } from './practices/approvals.js';
import { assetRecords } from './practices/assets.js';
import { changeRecords } from './practices/changes.js';
import { problemRecords } from './practices/problems.js';
import { sweepTicketQueries } from './practices/sweep-tickets.js';
import { ticketLinks } from './practices/ticket-links.js';
import type { DB } from './schema.js';

export function createItilStore(db: Kysely<DB>): ItilStore {
  return {
    ...sweepTicketQueries(db),
    ...approvalRows(db),
    ...ticketLinks(db),
    ...problemRecords(db),
    ...changeRecords(db),
    ...assetRecords(db),
    ...agentAvailability(db),
  };
}
