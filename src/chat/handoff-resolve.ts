/**
 * An agent resolves a handed-off ticket from outside its card (a typed "resolve" in a DM): what the
 * card's Resolve does, with its messages queued at once, as the timeout sweep queues its own.
 */
import type { Person, Ticket } from '../itsm/types.js';
import type { Handoff } from './handoff/index.js';
import { collectInto } from './outgoing.js';
import type { ChatStore, NewOutgoing } from './store.js';

/** False: the bot owns the conversation, so there is no hand-off to end. */
export async function resolveHandedOff(
  deps: { handoff: Handoff; store: ChatStore; onOutgoing: () => void },
  t: Ticket,
  agent: Person,
  note: string | null,
  now: string,
): Promise<boolean> {
  const primary = await deps.handoff.primaryOf(t.id);
  if (!primary || primary.owner === 'bot') return false;
  const out: NewOutgoing[] = [];
  const thread = (await deps.handoff.agentThreads(t.id)).at(-1)?.ref ?? null;
  await deps.handoff.resolve(
    t,
    agent,
    note,
    collectInto(out, `agent-resolve:${t.number}:${now}`),
    thread,
    now,
  );
  await deps.store.enqueue(out, now);
  deps.onOutgoing();
  return true;
}
