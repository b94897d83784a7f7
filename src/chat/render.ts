/**
 * Domain objects → the platform-neutral reply shapes. Wording lives here so every channel says
 * the same thing.
 */
import type { SlaResult } from '../itsm/sla.js';
import type { Template } from '../itsm/templates.js';
import type { Ticket, TicketState } from '../itsm/types.js';
import type { Choice, FormSpec, TicketCard } from './message.js';

const KIND_LABEL: Record<Ticket['kind'], string> = {
  incident: 'Incident',
  service_request: 'Request',
  problem: 'Problem',
  change: 'Change',
};

export const STATE_LABEL: Record<TicketState, string> = {
  new: 'New',
  assigned: 'Assigned',
  in_progress: 'In progress',
  pending: 'Waiting',
  resolved: 'Resolved',
  closed: 'Closed',
  cancelled: 'Cancelled',
};

/** "14:00 your time" for today, "Tue 25 Nov 09:30 your time" otherwise. */
export function formatLocal(iso: string, timeZone: string, now: string): string {
  const f = formattersFor(timeZone);
  const time = f.time.format(new Date(iso));
  if (f.day.format(new Date(iso)) === f.day.format(new Date(now))) return `${time} your time`;
  return `${f.date.format(new Date(iso))} ${time} your time`;
}

interface ZoneFormatters {
  day: Intl.DateTimeFormat;
  time: Intl.DateTimeFormat;
  date: Intl.DateTimeFormat;
}

// Building an Intl.DateTimeFormat costs far more than formatting with one, and every card and reply
// formats a time; people share a handful of zones, so the formatters are kept per zone.
const zoneFormatters = new Map<string, ZoneFormatters>();

function formattersFor(timeZone: string): ZoneFormatters {
  let f = zoneFormatters.get(timeZone);
  if (f === undefined) {
    const zone = safeZone(timeZone);
    f = {
      day: new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'short' }),
      time: new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        hour: '2-digit',
        minute: '2-digit',
        hour12: false,
      }),
      date: new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        weekday: 'short',
        day: 'numeric',
        month: 'short',
      }),
    };
    // Zones come from the directory and platform profiles: bounded in practice, capped to be sure.
    if (zoneFormatters.size >= 500) zoneFormatters.clear();
    zoneFormatters.set(timeZone, f);
  }
  return f;
}

function safeZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return tz;
  } catch {
    return 'UTC';
  }
}

const PENDING_LINE: Record<NonNullable<Ticket['pendingReason']>, string> = {
  requester: 'Waiting for your reply',
  vendor: 'On hold while we wait for a supplier',
  change: 'On hold until a planned change is done',
  approval: 'Waiting for approval',
};

/** The requester's ETA line: the next clock that matters, in their time zone. */
export function etaLine(t: Ticket, sla: SlaResult | null, timeZone: string, now: string): string | null {
  if (!sla) return null;
  if (t.state === 'resolved' || t.state === 'closed' || t.state === 'cancelled') return null;
  if (t.state === 'pending') return PENDING_LINE[t.pendingReason ?? 'vendor'];
  const r = sla.response;
  if (r.metAt === null && r.dueAt) return `First response by ${formatLocal(r.dueAt, timeZone, now)}`;
  const res = sla.resolution;
  if (res.dueAt) return `Target resolution by ${formatLocal(res.dueAt, timeZone, now)}`;
  return null;
}

/** Buttons valid in the ticket's state; no "Talk to a person" once a person has it. */
function cardActions(t: Ticket, handedOff = false): Choice[] {
  const v = { ticket: t.number };
  switch (t.state) {
    case 'resolved':
      return [
        { label: 'Confirm and close', actionId: 'ticket.close', value: v, style: 'primary' },
        { label: 'Still broken: reopen', actionId: 'ticket.reopen', value: v },
        { label: 'Rate', actionId: 'ticket.rate', value: v },
      ];
    case 'closed':
    case 'cancelled':
      return t.state === 'closed' ? [{ label: 'Rate', actionId: 'ticket.rate', value: v }] : [];
    default:
      return [
        { label: 'Add info', actionId: 'ticket.add_info', value: v },
        ...(handedOff ? [] : [{ label: 'Talk to a person', actionId: 'ticket.human' as const, value: v }]),
        {
          label: t.kind === 'incident' ? 'It works now: close' : 'Cancel request',
          actionId: t.kind === 'incident' ? 'ticket.close' : 'ticket.cancel',
          value: v,
          style: 'danger',
        },
      ];
  }
}

export function ticketCard(
  t: Ticket,
  ctx: {
    sla: SlaResult | null;
    group: string | null;
    assignee: string | null;
    timeZone: string;
    now: string;
    /** A person from the desk has the conversation (or it waits for one). */
    handedOff?: boolean;
  },
): TicketCard {
  return {
    number: t.number,
    kind: t.kind,
    title: t.title,
    state: t.state,
    priority: t.priority,
    impact: t.impact,
    urgency: t.urgency,
    group: ctx.group,
    assignee: ctx.assignee,
    eta: etaLine(t, ctx.sla, ctx.timeZone, ctx.now),
    actions: cardActions(t, ctx.handedOff === true),
  };
}

/** One line per ticket for plain-text channels and notifications. */
export function ticketLine(c: TicketCard): string {
  // Who has it answers "who is working on my ticket?" from the list itself, as the card does.
  const who = c.assignee === null ? c.group : c.group === null ? c.assignee : `${c.assignee} (${c.group})`;
  const head = `${c.number} · ${KIND_LABEL[c.kind]} · ${c.priority} · ${STATE_LABEL[c.state]}`;
  const parts = [who === null ? head : `${head} · ${who}`, c.title];
  if (c.eta) parts.push(c.eta);
  return parts.join(' — ');
}

export function templateForm(
  t: Template,
  values?: Record<string, unknown>,
  errors?: Record<string, string>,
): FormSpec {
  return {
    templateId: t.id,
    title: t.title,
    description: t.description,
    fields: t.fields.map((f) => ({
      id: f.id,
      label: f.label,
      type: f.type,
      required: f.required,
      ...(f.options ? { options: [...f.options] } : {}),
      ...(f.maxLength === undefined ? {} : { maxLength: f.maxLength }),
      ...(f.help === undefined ? {} : { help: f.help }),
    })),
    ...(values ? { values } : {}),
    ...(errors ? { errors } : {}),
  };
}
