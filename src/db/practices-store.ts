import type { Kysely, Selectable } from 'kysely';
import type {
  Approval,
  ApprovalPurpose,
  Asset,
  AssetStatus,
  ChangeRecord,
  Criticality,
  ItilStore,
  ProblemRecord,
  RelationType,
} from '../itsm/practices-port.js';
import { OPEN_STATES } from '../itsm/types.js';
import { parseJsonColumn } from './json.js';
import type { ApprovalsTable, AssetsTable, ChangesTable, DB, ProblemsTable } from './schema.js';
import { toTicket } from './ticket-store.js';

function toAsset(r: Selectable<AssetsTable>): Asset {
  return {
    id: r.id,
    tag: r.tag,
    type: r.type,
    name: r.name,
    ownerId: r.owner_id,
    status: r.status as AssetStatus,
    location: r.location,
    warrantyEnd: r.warranty_end,
    criticality: r.criticality as Criticality,
  };
}

function toApproval(r: Selectable<ApprovalsTable>): Approval {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    approverId: r.approver_id,
    purpose: r.purpose,
    policy: r.policy,
    state: r.state,
    comment: r.comment,
    requestedAt: r.requested_at,
    decidedAt: r.decided_at,
    reminders: r.reminders,
  };
}

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

export function createItilStore(db: Kysely<DB>): ItilStore {
  return {
    async claimNotification(n) {
      const r = await db
        .insertInto('sla_notifications')
        .values({
          key: n.key,
          ticket_id: n.ticketId,
          kind: n.kind,
          clock: n.clock,
          due_at: n.dueAt,
          created_at: n.createdAt,
        })
        .onConflict((oc) => oc.column('key').doNothing())
        .returning('key')
        .executeTakeFirst();
      return r !== undefined;
    },
    async openTickets(kinds, afterId, limit) {
      const rows = await db
        .selectFrom('tickets')
        .selectAll()
        .where('kind', 'in', [...kinds])
        .where('state', 'in', [...OPEN_STATES])
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toTicket);
    },
    async recentOpenIncidents(since, limit) {
      const rows = await db
        .selectFrom('tickets')
        .selectAll()
        .where('kind', '=', 'incident')
        .where('state', 'in', [...OPEN_STATES])
        .where('created_at', '>=', since)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toTicket);
    },
    async requestsWithoutApprovals(templateIds, limit) {
      if (templateIds.length === 0) return [];
      const rows = await db
        .selectFrom('tickets as t')
        .selectAll('t')
        .where('t.kind', '=', 'service_request')
        .where('t.state', 'in', [...OPEN_STATES])
        .where('t.template_id', 'in', [...templateIds])
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('approvals as a')
                .select('a.id')
                .whereRef('a.ticket_id', '=', 't.id')
                .where('a.purpose', '=', 'request'),
            ),
          ),
        )
        .orderBy('t.id')
        .limit(limit)
        .execute();
      return rows.map(toTicket);
    },
    async ticketsByIds(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('tickets')
        .selectAll()
        .where('id', 'in', [...ids])
        .orderBy('id')
        .execute();
      return rows.map(toTicket);
    },

    async addApprovals(rows) {
      if (rows.length === 0) return;
      await db
        .insertInto('approvals')
        .values(
          rows.map((r) => ({
            ticket_id: r.ticketId,
            approver_id: r.approverId,
            purpose: r.purpose,
            policy: r.policy,
            state: 'pending' as const,
            requested_at: r.requestedAt,
          })),
        )
        .onConflict((oc) => oc.columns(['ticket_id', 'approver_id', 'purpose']).doNothing())
        .execute();
    },
    async approvalsOf(ticketId, purpose: ApprovalPurpose) {
      const rows = await db
        .selectFrom('approvals')
        .selectAll()
        .where('ticket_id', '=', ticketId)
        .where('purpose', '=', purpose)
        .orderBy('id')
        .execute();
      return rows.map(toApproval);
    },
    async decideApproval(ticketId, approverId, purpose, state, comment, at) {
      const r = await db
        .updateTable('approvals')
        .set({ state, comment, decided_at: at })
        .where('ticket_id', '=', ticketId)
        .where('approver_id', '=', approverId)
        .where('purpose', '=', purpose)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async withdrawPending(ticketId, purpose, at) {
      await db
        .updateTable('approvals')
        .set({ state: 'withdrawn', decided_at: at })
        .where('ticket_id', '=', ticketId)
        .where('purpose', '=', purpose)
        .where('state', '=', 'pending')
        .execute();
    },
    async pendingApprovalsRequestedBefore(before, limit) {
      const rows = await db
        .selectFrom('approvals')
        .selectAll()
        .where('state', '=', 'pending')
        .where('requested_at', '<=', before)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toApproval);
    },
    async bumpReminders(id) {
      const r = await db.selectFrom('approvals').select('reminders').where('id', '=', id).executeTakeFirst();
      if (r)
        await db
          .updateTable('approvals')
          .set({ reminders: r.reminders + 1 })
          .where('id', '=', id)
          .execute();
    },

    async link(from, to, type, actorId, at) {
      const r = await db
        .insertInto('ticket_links')
        .values({ from_ticket_id: from, to_ticket_id: to, type, actor_id: actorId, created_at: at })
        .onConflict((oc) => oc.columns(['from_ticket_id', 'to_ticket_id', 'type']).doNothing())
        .returning('from_ticket_id')
        .executeTakeFirst();
      return r !== undefined;
    },
    async linkedFrom(toTicketId, type) {
      const rows = await db
        .selectFrom('ticket_links')
        .select('from_ticket_id')
        .where('to_ticket_id', '=', toTicketId)
        .where('type', '=', type)
        .orderBy('from_ticket_id')
        .execute();
      return rows.map((r) => r.from_ticket_id);
    },
    async linkedTo(fromTicketId, type) {
      const rows = await db
        .selectFrom('ticket_links')
        .select('to_ticket_id')
        .where('from_ticket_id', '=', fromTicketId)
        .where('type', '=', type)
        .orderBy('to_ticket_id')
        .execute();
      return rows.map((r) => r.to_ticket_id);
    },

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

    async upsertAsset(a) {
      const row = {
        type: a.type,
        name: a.name,
        owner_id: a.ownerId,
        status: a.status,
        location: a.location,
        warranty_end: a.warrantyEnd,
        criticality: a.criticality,
      };
      const existing = await db.selectFrom('assets').select('id').where('tag', '=', a.tag).executeTakeFirst();
      const r = await db
        .insertInto('assets')
        .values({ tag: a.tag, data: '{}', ...row })
        .onConflict((oc) => oc.column('tag').doUpdateSet(row))
        .returningAll()
        .executeTakeFirstOrThrow();
      return { asset: toAsset(r), created: existing === undefined };
    },
    async assetByTag(tag) {
      const r = await db.selectFrom('assets').selectAll().where('tag', '=', tag).executeTakeFirst();
      return r ? toAsset(r) : null;
    },
    async assetsByIds(ids) {
      if (ids.length === 0) return [];
      return (
        await db
          .selectFrom('assets')
          .selectAll()
          .where('id', 'in', [...ids])
          .orderBy('id')
          .execute()
      ).map(toAsset);
    },
    async assetsOwnedBy(personId) {
      return (
        await db.selectFrom('assets').selectAll().where('owner_id', '=', personId).orderBy('id').execute()
      ).map(toAsset);
    },
    async listAssets(f) {
      let q = db.selectFrom('assets').selectAll();
      if (f.type !== undefined) q = q.where('type', '=', f.type);
      if (f.ownerId !== undefined) q = q.where('owner_id', '=', f.ownerId);
      if (f.status !== undefined) q = q.where('status', '=', f.status);
      return (
        await q
          .orderBy('tag')
          .limit(f.limit ?? 500)
          .execute()
      ).map(toAsset);
    },
    async setRelations(fromId, relations: Array<{ toId: number; type: RelationType }>) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('asset_relations').where('from_asset_id', '=', fromId).execute();
        if (relations.length > 0) {
          await trx
            .insertInto('asset_relations')
            .values(relations.map((r) => ({ from_asset_id: fromId, to_asset_id: r.toId, type: r.type })))
            .onConflict((oc) => oc.columns(['from_asset_id', 'to_asset_id', 'type']).doNothing())
            .execute();
        }
      });
    },
    async relations() {
      const rows = await db.selectFrom('asset_relations').selectAll().execute();
      return rows.map((r) => ({
        fromId: r.from_asset_id,
        toId: r.to_asset_id,
        type: r.type as RelationType,
      }));
    },
    async linkAsset(ticketId, assetId) {
      const r = await db
        .insertInto('ticket_assets')
        .values({ ticket_id: ticketId, asset_id: assetId })
        .onConflict((oc) => oc.columns(['ticket_id', 'asset_id']).doNothing())
        .returning('asset_id')
        .executeTakeFirst();
      return r !== undefined;
    },
    async assetsOfTicket(ticketId) {
      const rows = await db
        .selectFrom('ticket_assets as ta')
        .innerJoin('assets as a', 'a.id', 'ta.asset_id')
        .selectAll('a')
        .where('ta.ticket_id', '=', ticketId)
        .orderBy('a.id')
        .execute();
      return rows.map(toAsset);
    },
    async ticketIdsOfAsset(assetId) {
      const rows = await db
        .selectFrom('ticket_assets')
        .select('ticket_id')
        .where('asset_id', '=', assetId)
        .orderBy('ticket_id')
        .execute();
      return rows.map((r) => r.ticket_id);
    },

    async setAway(personId, away) {
      await db
        .updateTable('people')
        .set({ away: away ? 1 : 0 })
        .where('id', '=', personId)
        .execute();
    },
    async groupMemberIds(groupId) {
      const rows = await db
        .selectFrom('group_members')
        .select('person_id')
        .where('group_id', '=', groupId)
        .orderBy('person_id')
        .execute();
      return rows.map((r) => r.person_id);
    },
  };
}
