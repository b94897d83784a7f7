/**
 * Queued conversations nobody claimed within the response target: the requester is told the expected
 * time and the ticket escalated, once per level. After an escalation the next tier gets a full response
 * window of its own before the next one.
 */
import type { TicketService } from '../itsm/tickets.js';
import { OPEN_STATES } from '../itsm/types.js';
import type { Logger } from '../log.js';
import type { Handoff } from './handoff/index.js';
import type { Reply } from './message.js';
import { collectInto } from './outgoing.js';
import type { ChatStore, NewOutgoing } from './store.js';

interface HandoffSweepDeps {
  store: ChatStore;
  tickets: TicketService;
  handoff: Handoff;
  notifyPerson: (personId: number, reply: Reply, key: string) => Promise<boolean>;
  log: Logger;
  now: () => Date;
  onOutgoing?: () => void;
}

/** Returns how many tickets were escalated. */
export async function sweepHandoffs(deps: HandoffSweepDeps): Promise<number> {
  const { store, tickets } = deps;
  let escalated = 0;
  for (const conv of await store.queuedConversations(200)) {
    if (conv.ticketId === null) continue;
    const t = await tickets.byIdForSystem(conv.ticketId);
    if (!t || !OPEN_STATES.includes(t.state)) continue;
    const now = deps.now().toISOString();
    const sla = await tickets.sla(t, now);
    const due = sla.response.dueAt;
    if (sla.response.metAt !== null || due === null || now < due) continue;
    const last = (await tickets.eventsForSystem(t.id)).filter((e) => e.type === 'escalated').at(-1);
    if (last && Date.parse(now) - Date.parse(last.at) < sla.response.targetMinutes * 60_000) continue;
    const out: NewOutgoing[] = [];
    const emit = collectInto(out, `timeout:${t.number}:${due}`);
    try {
      const did = await deps.handoff.onClaimTimeout(t, sla.resolution.dueAt, emit, deps.notifyPerson, now);
      if (did) escalated++;
      await store.enqueue(out, now);
    } catch (e) {
      deps.log.error('handoff timeout sweep failed for a ticket', { ticket: t.number, error: e });
    }
  }
  if (escalated > 0) deps.onOutgoing?.();
  return escalated;
}
