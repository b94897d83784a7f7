/** Change records (type, phase, risk, schedule, CAB policy) kept beside their change tickets. */
import type { Kysely, Selectable } from 'kysely';
import type { ItilStore } from '../../itsm/ports.js';
import type { ChangeRecord } from '../../itsm/types.js';
import { parseJsonColumn } from '../json.js';
import type { ChangesTable, DB } from '../schema.js';

function toChange(r: Selectable<ChangesTable>): ChangeRecord {
  return {
    ticketId: r.ticket_id,
    changeType: r.change_type as ChangeRecord['changeType'],
    phase: r.phase as ChangeRecord['phase'],
    riskScore: r.risk_score,
    riskLevel: r.risk_level as ChangeRecord['riskLevel'],
    riskReasons: parseJsonColumn<string[]>(r.risk_reasons, `changes.risk_reasons #${r.ticket_id}`),
    plannedStart: r.planned_start,
    plannedEnd: r.planned_end,
    cabPolicy: r.cab_policy as ChangeRecord['cabPolicy'],
    review: r.review,
    updatedAt: r.updated_at,
  };
}

export function changeRecords(
  db: Kysely<DB>,
): Pick<ItilStore, 'saveChange' | 'change' | 'changesOverlapping'> {
  return {
    async saveChange(c) {
      const row = {
        change_type: c.changeType,
        phase: c.phase,
        risk_score: c.riskScore,
        risk_level: c.riskLevel,
        risk_reasons: JSON.stringify(c.riskReasons),
        planned_start: c.plannedStart,
        planned_end: c.plannedEnd,
        cab_policy: c.cabPolicy,
        review: c.review,
        updated_at: c.updatedAt,
      };
      await db
        .insertInto('changes')
        .values({ ticket_id: c.ticketId, ...row })
        .onConflict((oc) => oc.column('ticket_id').doUpdateSet(row))
        .execute();
    },
    async change(ticketId) {
      const r = await db
        .selectFrom('changes')
        .selectAll()
        .where('ticket_id', '=', ticketId)
        .executeTakeFirst();
      return r ? toChange(r) : null;
    },
    async changesOverlapping(start, end, exceptTicketId) {
      let q = db
        .selectFrom('changes')
        .selectAll()
        .where('phase', 'in', ['draft', 'cab', 'scheduled', 'implementing'])
        .where('planned_start', '<', end)
        .where('planned_end', '>', start);
      if (exceptTicketId !== null) q = q.where('ticket_id', '!=', exceptTicketId);
      return (await q.orderBy('ticket_id').execute()).map(toChange);
    },
  };
}
