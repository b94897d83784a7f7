/**
 * Small pieces the ITIL services share: event-sourced writes with optimistic concurrency, and the
 * authorization checks every service repeats.
 */
import { AppError } from '../errors.js';
import { isStaff } from './authorization.js';
import type { NewEvent, NewTicket, TicketPatch, TicketStore } from './ports.js';
import { priorityOf } from './priority.js';
import type { Person, Ticket, TicketKind } from './types.js';

export function assertStaff(p: Person, what: string): void {
  if (!isStaff(p)) throw new AppError('forbidden', `Only service desk agents can ${what}.`);
}

export async function mustTicket(tickets: TicketStore, number: string, kind?: TicketKind): Promise<Ticket> {
  const t = await tickets.byNumber(number.trim());
  if (!t)
    throw new AppError(
      'not_found',
      `There is no ticket ${number.toUpperCase()}. Check the number (e.g. INC0000042).`,
      { field: 'ticket' },
    );
  if (kind && t.kind !== kind) {
    throw new AppError(
      'validation_failed',
      `${t.number} is a ${t.kind.replace('_', ' ')}, not a ${kind.replace('_', ' ')}.`,
      { field: 'ticket' },
    );
  }
  return t;
}

/**
 * Opens a ticket an agent raises through an ITIL service (a change, a problem): requested by and
 * assigned to them, over the API, priority from the matrix, with its `created` event (priority, impact
 * and urgency in its data, then the caller's own).
 */
export function openStaffTicket(
  tickets: TicketStore,
  actor: Person,
  input: Pick<
    NewTicket,
    'kind' | 'title' | 'description' | 'impact' | 'urgency' | 'category' | 'fields' | 'groupId'
  >,
  created: { reason: string; data?: Record<string, unknown> },
  now: string,
): Promise<Ticket> {
  const { impact, urgency } = input;
  const priority = priorityOf(impact, urgency);
  return tickets.create(
    {
      ...input,
      title: input.title.slice(0, 200),
      state: 'new',
      priority,
      templateId: null,
      requesterId: actor.id,
      assigneeId: actor.id,
      channel: 'api',
      createdAt: now,
      sourceKey: null,
    },
    [
      {
        at: now,
        actorId: actor.id,
        type: 'created',
        to: 'new',
        reason: created.reason,
        data: { priority, impact, urgency, ...created.data },
      },
    ],
  );
}

/**
 * Appends events (and a projection patch) to a ticket, re-reading and retrying when another writer won.
 * `build` returning null means nothing to do.
 */
export async function applyToTicket(
  tickets: TicketStore,
  ticketId: number,
  build: (t: Ticket) => { patch?: Omit<TicketPatch, 'updatedAt'>; events: NewEvent[] } | null,
  now: string,
): Promise<Ticket> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const t = await tickets.byId(ticketId);
    if (!t) throw new AppError('not_found', `Ticket #${ticketId} no longer exists.`);
    const version = await tickets.version(t.id);
    const plan = build(t);
    if (!plan) return t;
    const applied = await tickets.apply(
      t.id,
      version,
      { ...(plan.patch ?? {}), updatedAt: now },
      plan.events,
    );
    if (applied) return applied;
  }
  throw new AppError(
    'conflict',
    `Ticket #${ticketId} is being changed by someone else right now. Try again in a moment.`,
  );
}

/** Appends events to a ticket's history without changing its fields (the audit trail of ITIL actions). */
export async function recordEvents(
  tickets: TicketStore,
  ticketId: number,
  events: NewEvent[],
  now: string,
): Promise<Ticket> {
  const t = await tickets.append(ticketId, events, now);
  if (!t) throw new AppError('not_found', `Ticket #${ticketId} no longer exists.`);
  return t;
}

/** Lower-case word tokens of at least 3 letters without stop words: for matching reports to each other. */
const STOP = new Set(
  'the and for with that this not but have has are was were from you your our can cant cannot does doesnt dont any all its into when what who why how there their them they then than too very just also again still get got please every again help issue problem since today now been being will would could should about after before'.split(
    ' ',
  ),
);
export function tokens(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)) {
    if (w.length >= 3 && !STOP.has(w)) out.add(stem(w));
  }
  return out;
}

/** A deliberately light stemmer: "disconnects", "disconnecting" and "disconnected" meet at "disconnect". */
function stem(w: string): string {
  if (w.length > 5 && w.endsWith('ing')) return w.slice(0, -3);
  if (w.length > 4 && w.endsWith('ed')) return w.slice(0, -2);
  if (w.length > 4 && /(sh|ch|ss|x)es$/.test(w)) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}
