/** The typed commands of staff and approvers, carried out through the app's hooks. */
import type { TicketService } from '../../itsm/tickets.js';
import { OPEN_STATES } from '../../itsm/types.js';
import type { DialogHooks } from './hooks.js';
import type { Effect, Facts } from './types.js';

export async function runCommand(
  tickets: TicketService,
  hooks: DialogHooks,
  facts: Pick<Facts, 'person' | 'now'>,
  which: Extract<Effect, { do: 'command' }>['which'],
  text: string,
): Promise<string | null> {
  const { person, now } = facts;
  switch (which) {
    case 'approval':
      return (await hooks.approvalCommand?.(text, person, now)) ?? null;
    case 'staff':
      return (await hooks.staffCommand?.(text, person, now)) ?? null;
    case 'away':
    case 'back':
      return (await hooks.setAway?.(person, which === 'away')) ?? null;
    case 'draft': {
      const number = /((?:INC|REQ)\d{7})/i.exec(text)?.[1]?.toUpperCase();
      return number && hooks.draftArticle ? hooks.draftArticle(number, person) : null;
    }
    case 'report': {
      if (hooks.managerReport) return hooks.managerReport(person);
      const open = await tickets.listFor(person, { states: [...OPEN_STATES], limit: 500 });
      const by = new Map<string, number>();
      for (const t of open) by.set(t.priority, (by.get(t.priority) ?? 0) + 1);
      return `Open tickets: ${open.length}${open.length === 500 ? '+' : ''} (${['P1', 'P2', 'P3', 'P4'].map((p) => `${p}: ${by.get(p) ?? 0}`).join(', ')}).`;
    }
  }
}
