/**
 * Composition: the ITIL practices (SLA sweep, approvals, problems, changes, CMDB), the improvement (CSI)
 * register with its evaluation schedule, the timer that runs both, the agents' desk, and the dialog hooks
 * that reach them.
 */
import type { DialogHooks } from './chat/dialogs/index.js';
import type { DataFiles } from './compose-data.js';
import type { Config } from './config.js';
import type { Database } from './db/connect.js';
import type { KpiStore } from './db/kpi-store.js';
import { createItilStore } from './db/practices-store.js';
import { createTicketStore } from './db/ticket-store.js';
import { itilDialogHooks } from './dialog-hooks.js';
import { createAgentDesk } from './itsm/agent-desk.js';
import { createImprovementService, evaluationSchedule } from './itsm/improvement.js';
import type { KpiService } from './itsm/kpis/service.js';
import type { DirectoryStore, ItilNotifier } from './itsm/ports.js';
import { createItil } from './itsm/practices.js';
import type { TicketService } from './itsm/tickets.js';
import type { Ticket } from './itsm/types.js';
import { createSlaSweeper } from './jobs/sla-timer.js';
import type { Logger } from './log.js';
import type { Nlu } from './nlu/types.js';

export function composeItil(d: {
  database: Database;
  config: Config;
  files: Pick<DataFiles, 'sla' | 'itilConfig' | 'templates'>;
  directory: DirectoryStore;
  tickets: TicketService;
  /** Where ITIL tells people (chat, with e-mail first when the e-mail channel is on). */
  notifier: ItilNotifier;
  nlu: Nlu;
  kpiStore: KpiStore;
  kpis: KpiService;
  /** After the desk gave a ticket to an agent: tell them. */
  onAssigned: (t: Ticket, at: string) => Promise<void>;
  log: Logger;
  now: () => Date;
}) {
  const { db } = d.database;
  const { directory, tickets, notifier, log, now } = d;
  const itilStore = createItilStore(db);
  const itil = createItil({
    tickets: createTicketStore(db),
    directory,
    itil: itilStore,
    sla: d.files.sla,
    config: d.files.itilConfig,
    notifier,
    approvalsByTemplate: new Map(
      d.files.templates.flatMap((t) => (t.approval ? [[t.id, t.approval] as const] : [])),
    ),
    similarity: d.nlu.similarity,
  });
  const improvements = createImprovementService({
    store: d.kpiStore,
    kpis: d.kpis,
    personById: (id) => directory.personById(id),
    personByEmail: (e) => directory.personByEmail(e),
    notify: (personId, text, key) => notifier.notifyPerson(personId, text, key),
  });
  // Daily by default: the sweep runs every minute, the evaluation when its period has passed.
  const csiSchedule = evaluationSchedule(d.config.CSI_EVALUATE_HOURS, async (at) => {
    const r = await improvements.evaluate(at);
    if (r.opened > 0) log.info('improvement register evaluated', { ...r });
  });
  const evaluateIfDue = (at: string) =>
    csiSchedule(at).catch((error: unknown) =>
      log.warn('improvement register evaluation failed; retrying at the next period', { error }),
    );
  const slaSweeper = createSlaSweeper({
    run: async (at) => {
      const r = await itil.sweep(at);
      await evaluateIfDue(at);
      return r;
    },
    log: log.child({ component: 'sla' }),
    now,
    intervalMs: d.files.itilConfig.sla.sweepSeconds * 1000,
  });
  const agentDesk = createAgentDesk({
    tickets: createTicketStore(db),
    service: tickets,
    directory,
    links: itilStore,
    onAssigned: d.onAssigned,
  });
  const hooks: DialogHooks = {
    ...itilDialogHooks({ itil, improvements, kpis: d.kpis, tickets, dataDir: d.config.DATA_DIR, now }),
    setAway: async (agent, away) => {
      const said = await itil.setAway(agent, away);
      if (away) return said;
      // Tickets that arrived while everyone was away get their agents now.
      const assigned = await agentDesk.dispatchGroupsOf(agent, now().toISOString());
      return assigned.length === 0
        ? said
        : `${said} ${assigned.length} ticket(s) that waited were assigned: ${assigned.map((t) => t.number).join(', ')}.`;
    },
  };
  return { itilStore, itil, improvements, slaSweeper, agentDesk, hooks };
}
