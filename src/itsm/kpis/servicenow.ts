/**
 * Maps the UCI ServiceNow incident event log (../shared/datasets/itsm_incident_event_log: events.csv +
 * incidents.csv, see its README) to chatdesk tickets and events, so the KPI report runs on 25k real
 * incidents. Pure: parsing and mapping only; src/db/kpi-store.ts writes the result.
 *
 * Mapping (decisions, documented in the README):
 * - state: New → new, Active → in_progress, Awaiting User Info / Evidence → pending(requester),
 *   Awaiting Vendor → pending(vendor), Awaiting Problem → pending(change), Resolved → resolved,
 *   Closed → closed; rows with state -100 are skipped.
 * - priority 1..4 → P1..P4; impact/urgency 1..3 → high/medium/low; group `56` → `sn-56`; category
 *   `55` → `sn-55`; contact_type → channel (`Self service` → `self_service`).
 * - the first assignment group is automatic dispatch (`auto: true`, not a response); later group or
 *   assignee changes are manual reassignments by an agent; `assigned_to` set → an agent was named.
 * - every change after creation is made by one "ServiceNow agent" person, the ticket's creation by one
 *   "ServiceNow caller" (the log is anonymised; per-person identities add nothing to the KPIs).
 */
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { NewEvent } from '../ports.js';
import type { Level, PendingReason, Priority, TicketState } from '../types.js';

const STATE: Record<string, { state: TicketState; pending?: PendingReason }> = {
  New: { state: 'new' },
  Active: { state: 'in_progress' },
  'Awaiting User Info': { state: 'pending', pending: 'requester' },
  'Awaiting Evidence': { state: 'pending', pending: 'requester' },
  'Awaiting Vendor': { state: 'pending', pending: 'vendor' },
  'Awaiting Problem': { state: 'pending', pending: 'change' },
  Resolved: { state: 'resolved' },
  Closed: { state: 'closed' },
};
const PRIORITY: Record<string, Priority> = { '1': 'P1', '2': 'P2', '3': 'P3', '4': 'P4' };
const LEVEL: Record<string, Level> = { '1': 'high', '2': 'medium', '3': 'low' };

const EVENT_COLUMNS = [
  'number',
  'incident_state',
  'sys_updated_at',
  'priority',
  'category',
  'assignment_group',
  'assigned_to',
] as const;
const INCIDENT_COLUMNS = [
  'number',
  'opened_at',
  'resolved_at',
  'closed_at',
  'contact_type',
  'category_initial',
  'impact_initial',
  'urgency_initial',
  'priority_initial',
  'priority_final',
  'impact_final',
  'urgency_final',
  'category_final',
  'assignment_group_final',
  'assigned_to_final',
  'final_state',
  'last_update_at',
] as const;

const isoMinute = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'must be YYYY-MM-DDTHH:MM');

/** Splits a header + rows CSV without quoting (the data set has none) into records of the wanted columns. */
function parseCsv<K extends string>(text: string, wanted: readonly K[], file: string): Record<K, string>[] {
  const lines = text.split(/\r?\n/);
  const head = (lines[0] ?? '').split(',');
  const idx = wanted.map((w) => {
    const i = head.indexOf(w);
    if (i < 0)
      throw new AppError(
        'validation_failed',
        `${file}: column "${w}" is missing; is this the itsm_incident_event_log data set?`,
        { field: w },
      );
    return i;
  });
  const out: Record<K, string>[] = [];
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n];
    if (!line) continue;
    const cells = line.split(',');
    const rec = {} as Record<K, string>;
    wanted.forEach((w, j) => {
      rec[w] = cells[idx[j] as number] ?? '';
    });
    out.push(rec);
  }
  return out;
}

export const parseServiceNowEvents = (text: string) => parseCsv(text, EVENT_COLUMNS, 'events.csv');
export const parseServiceNowIncidents = (text: string) => parseCsv(text, INCIDENT_COLUMNS, 'incidents.csv');
type SnEventRow = ReturnType<typeof parseServiceNowEvents>[number];
type SnIncidentRow = ReturnType<typeof parseServiceNowIncidents>[number];

export interface ImportedTicket {
  number: string;
  title: string;
  state: TicketState;
  pendingReason: PendingReason | null;
  impact: Level;
  urgency: Level;
  priority: Priority;
  category: string | null;
  groupSlug: string | null;
  assigneeRef: string | null;
  channel: string;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
  events: NewEvent[];
}

const iso = (v: string, what: string): string => {
  const r = isoMinute.safeParse(v);
  if (!r.success)
    throw new AppError(
      'validation_failed',
      `${what}: timestamp "${v}" ${r.error.issues[0]?.message ?? 'is invalid'}`,
    );
  return `${v}:00.000Z`;
};
const isoOrNull = (v: string, what: string): string | null => (v === '' ? null : iso(v, what));
export const snGroupSlug = (g: string): string | null => (g === '' ? null : `sn-${g}`);
const category = (c: string): string | null => (c === '' ? null : `sn-${c}`);

interface SnPeople {
  callerId: number;
  agentId: number;
  /** Person id for an `assigned_to` value. */
  assignee(ref: string): number;
}

/** One incident and its event rows (in log order) → an ImportedTicket with chatdesk events. */
export function mapServiceNowIncident(
  inc: SnIncidentRow,
  rows: readonly SnEventRow[],
  people: SnPeople,
): ImportedTicket {
  const where = `incident ${inc.number}`;
  const createdAt = iso(inc.opened_at, where);
  const events: NewEvent[] = [];
  const pInit = PRIORITY[inc.priority_initial] ?? 'P3';
  events.push({
    at: createdAt,
    actorId: people.callerId,
    type: 'created',
    to: 'new',
    reason: 'imported from ServiceNow',
    data: {
      priority: pInit,
      impact: LEVEL[inc.impact_initial] ?? 'medium',
      urgency: LEVEL[inc.urgency_initial] ?? 'medium',
      category: category(inc.category_initial),
      channel: channelOf(inc.contact_type),
      source: 'servicenow',
    },
  });
  let state: TicketState = 'new';
  let pending: PendingReason | null = null;
  let group: string | null = null;
  let assignee = '';
  let priority: Priority = pInit;
  let cat = category(inc.category_initial);
  for (const r of rows) {
    const mapped = STATE[r.incident_state];
    if (!mapped) continue;
    const at = iso(r.sys_updated_at, where);
    const g = snGroupSlug(r.assignment_group);
    if (g !== null && g !== group) {
      const auto = group === null;
      events.push({
        at,
        actorId: auto ? null : people.agentId,
        type: 'assigned',
        to: r.assigned_to === '' ? null : String(people.assignee(r.assigned_to)),
        reason: auto ? 'initial assignment group' : 'reassigned',
        data: {
          group: g,
          auto,
          ...(r.assigned_to === '' ? {} : { assigneeId: people.assignee(r.assigned_to) }),
        },
      });
      group = g;
      assignee = r.assigned_to;
    } else if (r.assigned_to !== '' && r.assigned_to !== assignee) {
      const id = people.assignee(r.assigned_to);
      events.push({
        at,
        actorId: people.agentId,
        type: 'assigned',
        to: String(id),
        data: { group, assigneeId: id, auto: false },
      });
      assignee = r.assigned_to;
    }
    const p = PRIORITY[r.priority];
    if (p && p !== priority) {
      events.push({ at, actorId: people.agentId, type: 'priority_changed', from: priority, to: p });
      priority = p;
    }
    const c = category(r.category);
    if (c !== cat) {
      events.push({ at, actorId: people.agentId, type: 'categorized', from: cat, to: c });
      cat = c;
    }
    const nextPending = mapped.pending ?? null;
    if (mapped.state !== state || nextPending !== pending) {
      events.push({
        at,
        actorId: people.agentId,
        type: 'state_changed',
        from: state,
        to: mapped.state,
        data: mapped.state === 'pending' ? { pendingReason: nextPending } : {},
      });
      state = mapped.state;
      pending = nextPending;
    }
  }
  return {
    number: inc.number,
    title: `ServiceNow ${inc.number} (${inc.category_final ? `category ${inc.category_final}` : 'uncategorised'})`,
    state,
    pendingReason: pending,
    impact: LEVEL[inc.impact_final] ?? 'medium',
    urgency: LEVEL[inc.urgency_final] ?? 'medium',
    priority,
    category: cat,
    groupSlug: group,
    assigneeRef: assignee === '' ? null : assignee,
    channel: channelOf(inc.contact_type),
    createdAt,
    updatedAt: isoOrNull(inc.last_update_at, where) ?? createdAt,
    resolvedAt: isoOrNull(inc.resolved_at, where),
    closedAt: isoOrNull(inc.closed_at, where),
    events,
  };
}

function channelOf(contact: string): string {
  return contact === '' ? 'unknown' : contact.toLowerCase().replace(/\s+/g, '_');
}

/** Groups event rows by incident number, keeping log order (the file is per-incident chronological). */
export function groupEventRows(rows: readonly SnEventRow[]): Map<string, SnEventRow[]> {
  const by = new Map<string, SnEventRow[]>();
  for (const r of rows) {
    const l = by.get(r.number);
    if (l) l.push(r);
    else by.set(r.number, [r]);
  }
  return by;
}
