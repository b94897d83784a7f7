/** The interpreter's ticket effects: open, comment, move, reprioritize, rate, show, hand over, tell agents. */

import type { RunContext, RunDeps, RunTools } from './run-tools.js';
import type { Effect, Shown, Step } from './types.js';

type TicketEffect = Extract<
  Effect,
  {
    do:
      | 'open_ticket'
      | 'comment'
      | 'transition'
      | 'reprioritize'
      | 'rate'
      | 'handoff'
      | 'cards'
      | 'tell_agents';
  }
>;

export function createTicketEffects(deps: RunDeps, tools: RunTools) {
  const { tickets, store, handoff, hooks } = deps;
  const { show, attempt, bind } = tools;

  /** The ticket goes to its group's triage channel; the conversation follows it (owner `queue`). */
  async function handOver(
    rc: RunContext,
    e: Extract<Effect, { do: 'handoff' }>,
  ): Promise<{ shown: Shown; alreadyWithPerson: boolean }> {
    const { person, now } = rc.facts;
    const t = await tickets.get(e.ticket, person);
    if (rc.conversation.owner === 'bot') await bind(rc, t);
    const found = await handoff.primaryOf(t.id);
    const primary = found ?? rc.conversation;
    // primaryOf read the row just now; this conversation's row was read at the start of the turn.
    const owner = found ? found.owner : ((await store.conversation(primary.ref))?.owner ?? primary.owner);
    let moved = false;
    if (owner === 'bot') {
      moved = await store.compareAndSetOwner(primary.id, ['bot'], 'queue', now);
      if (moved) await tickets.recordOwner(t.number, 'bot', 'queue', null, e.reason, now);
    }
    // A claim that lost the race leaves the owner unknown: the card reads it again.
    if (moved || owner !== 'bot') rc.owners.set(t.id, moved ? 'queue' : owner);
    else rc.owners.delete(t.id);
    if (moved)
      await handoff.postToAgents(
        t,
        { reason: e.reason, confidence: e.confidence, tried: e.tried, summary: e.summary },
        rc.platform,
        rc.emit,
        now,
      );
    else if (owner !== 'bot')
      for (const c of await store.conversationsOfTicket(t.id))
        if (c.role === 'agents') rc.emit(c.ref, { text: `${person.displayName}: ${e.summary}` });
    return {
      shown: await show(rc, (await tickets.byIdForSystem(t.id)) ?? t),
      alreadyWithPerson: owner !== 'bot',
    };
  }

  return async function ticketEffect(rc: RunContext, e: TicketEffect): Promise<Step | null> {
    const { person, now } = rc.facts;
    switch (e.do) {
      case 'open_ticket': {
        rc.opened += 1;
        const t = await tickets.open(
          {
            ...e.input,
            requester: person,
            channel: rc.platform,
            sourceKey: rc.opened === 1 ? rc.sourceKey : `${rc.sourceKey}:${rc.opened}`,
          },
          now,
        );
        // Bound here, a new ticket's conversation is this one: its owner is this conversation's.
        if (e.bind) {
          await bind(rc, t);
          rc.owners.set(t.id, rc.conversation.owner);
        }
        const approval = e.input.templateId
          ? (rc.facts.templates.get(e.input.templateId)?.approval ?? null)
          : null;
        const notes = (await hooks.onTicketOpened?.(t, person, e.text, approval, now)) ?? [];
        // A hook that changed it (waiting for approval) said so: the card shows where it is now.
        const fresh = notes.length > 0 ? ((await tickets.byIdForSystem(t.id)) ?? t) : t;
        return e.next({ shown: await show(rc, fresh), notes });
      }
      case 'comment': {
        const r = await attempt(
          () => tickets.comment(e.ticket, person, e.text, { platform: rc.platform }, now),
          e.refused,
        );
        if ('step' in r) return r.step;
        return e.next ? e.next() : null;
      }
      case 'transition': {
        const r = await attempt(
          () => tickets.transition(e.ticket, e.to, person, { reason: e.reason }, now),
          e.refused,
        );
        return 'step' in r ? r.step : e.next(await show(rc, r.ok));
      }
      case 'reprioritize': {
        const r = await attempt(async () => {
          const before = await tickets.get(e.ticket, person);
          const after = await tickets.reprioritize(e.ticket, person, e.impact, e.urgency, e.reason, now);
          return { before, after };
        }, e.refused);
        return 'step' in r ? r.step : e.next({ before: r.ok.before, after: await show(rc, r.ok.after) });
      }
      case 'rate':
        await tickets.rate(e.ticket, person, e.score, e.comment, now);
        return e.next();
      case 'handoff':
        return e.next(await handOver(rc, e));
      case 'cards': {
        // The requester's open tickets were read with the turn's facts.
        const known = (n: string) => rc.facts.openTickets.find((t) => t.number === n.toUpperCase());
        const shown = await Promise.all(
          e.tickets.map(async (n) => show(rc, known(n) ?? (await tickets.get(n, person)))),
        );
        return e.next(shown.map((s) => s.card));
      }
      case 'tell_agents': {
        const t = await tickets.get(e.ticket, person);
        for (const c of await store.conversationsOfTicket(t.id))
          if (c.role === 'agents') rc.emit(c.ref, { text: e.text });
        return null;
      }
    }
  };
}
