/**
 * What the KPI report needs from storage (src/db/kpi/load.ts: a period in three queries), the
 * /metrics counts, the CSI register and the bulk writer of imported event logs, assembled into one
 * store. Same SQL on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { ImportedTicket } from '../itsm/kpis/servicenow.js';
import type { TargetBreach } from '../itsm/kpis/targets.js';
import type { KpiInput } from '../itsm/kpis/types.js';
import { createImprovementRegisterStore } from './improvement-register-store.js';
import { recordBreaches } from './kpi/breaches.js';
import {
  type InsertImportedContext,
  insertImported,
  type PrepareImportOptions,
  prepareImport,
} from './kpi/event-log-import.js';
import { type KpiLoadOptions, loadKpiInput } from './kpi/load.js';
import { type OperationalCounts, operationalCounts } from './kpi/operational.js';
import type { DB } from './schema.js';

export type KpiStore = ReturnType<typeof createKpiStore>;

export function createKpiStore(db: Kysely<DB>) {
  return {
    ...createImprovementRegisterStore(db),
    load: (opts: KpiLoadOptions): Promise<KpiInput> => loadKpiInput(db, opts),
    operationalCounts: (now: string): Promise<OperationalCounts> => operationalCounts(db, now),
    async groupExists(slug: string): Promise<boolean> {
      return (
        (await db.selectFrom('groups').select('id').where('slug', '=', slug).executeTakeFirst()) !== undefined
      );
    },
    recordBreaches: (breaches: readonly TargetBreach[], now: string, links: Record<string, unknown> = {}) =>
      recordBreaches(db, breaches, now, links),
    prepareImport: (opts: PrepareImportOptions) => prepareImport(db, opts),
    insertImported: (tickets: readonly ImportedTicket[], ctx: InsertImportedContext) =>
      insertImported(db, tickets, ctx),
  };
}
