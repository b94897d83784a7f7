/**
 * Composition: the ITIL and KPI features the dialogs reach through DialogHooks (approvals and known
 * errors after a ticket opens, staff commands, changes started in chat, knowledge drafts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DialogHooks } from './chat/dialogs/index.js';
import { runImprovementCommand } from './chat/improvement-commands.js';
import { openChangeFromForm, runApprovalCommand, runItilCommand } from './chat/itil-commands.js';
import type { ImprovementService } from './itsm/improvement.js';
import { draftArticleFromTicket } from './itsm/kpis/knowledge-draft.js';
import type { KpiService } from './itsm/kpis/service.js';
import type { Itil } from './itsm/practices.js';
import type { TicketService } from './itsm/tickets.js';

export function itilDialogHooks(d: {
  itil: Itil;
  improvements: ImprovementService;
  kpis: KpiService;
  tickets: TicketService;
  dataDir: string;
  now: () => Date;
}): DialogHooks {
  const { itil } = d;
  return {
    onTicketOpened: async (ticket, requester, text, approval, at) =>
      (await itil.onTicketOpened(ticket, requester, text, approval ?? null, at)).replies,
    setAway: (agent, away) => itil.setAway(agent, away),
    managerReport: () => d.kpis.summary({ since: '30d' }),
    staffCommand: async (text, person, at) =>
      (await runItilCommand(itil, text, person, at)) ??
      (await runImprovementCommand(d.improvements, text, person, at)),
    approvalCommand: (text, person, at) => runApprovalCommand(itil, text, person, at),
    openChange: (requester, values, at) => openChangeFromForm(itil, requester, values, at),
    changes: itil.changes,
    draftArticle: async (number, agent) => {
      const view = await d.tickets.view(number, agent, d.now().toISOString());
      const draft = draftArticleFromTicket(view.ticket, view.comments);
      // Drafts wait in a sub-folder the knowledge loader does not read, until a person reviews and moves them.
      const dir = join(d.dataDir, 'knowledge', 'drafts');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${draft.id}.md`), draft.markdown);
      return `Draft saved as data/knowledge/drafts/${draft.id}.md. Review it, then move it to data/knowledge/ to publish:\n\n${draft.markdown}`;
    },
  };
}
