/** Problem records (root cause, workaround, known error) kept beside their problem tickets. */
import type { Kysely, Selectable } from 'kysely';
import type { ItilStore } from '../../itsm/ports.js';
import { OPEN_STATES, type ProblemRecord } from '../../itsm/types.js';
import { parseJsonColumn } from '../json.js';
import type { DB, ProblemsTable } from '../schema.js';

function toProblem(r: Selectable<ProblemsTable>): ProblemRecord {
  return {
    ticketId: r.ticket_id,
    rootCause: r.root_cause,
    workaround: r.workaround,
    knownError: r.known_error === 1,
    keywords: parseJsonColumn<string[]>(r.keywords, `problems.keywords #${r.ticket_id}`),
    updatedAt: r.updated_at,
  };
}

export function problemRecords(db: Kysely<DB>): Pick<ItilStore, 'saveProblem' | 'problem' | 'knownErrors'> {
  return {
    async saveProblem(p) {
      const row = {
        root_cause: p.rootCause,
        workaround: p.workaround,
        known_error: p.knownError ? 1 : 0,
        keywords: JSON.stringify(p.keywords),
        updated_at: p.updatedAt,
      };
      await db
        .insertInto('problems')
        .values({ ticket_id: p.ticketId, ...row })
        .onConflict((oc) => oc.column('ticket_id').doUpdateSet(row))
        .execute();
    },
    async problem(ticketId) {
      const r = await db
        .selectFrom('problems')
        .selectAll()
        .where('ticket_id', '=', ticketId)
        .executeTakeFirst();
      return r ? toProblem(r) : null;
    },
    async knownErrors() {
      const rows = await db
        .selectFrom('problems as p')
        .innerJoin('tickets as t', 't.id', 'p.ticket_id')
        .selectAll('p')
        .where('p.known_error', '=', 1)
        .where('t.state', 'in', [...OPEN_STATES])
        .orderBy('p.ticket_id')
        .execute();
      return rows.map(toProblem);
    },
  };
}
