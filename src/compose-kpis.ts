/**
 * Composition: the KPI report and its store (which also holds the CSI register), and the Prometheus
 * metrics: gauges read from that store, the classifier's confidence, the dead letters.
 */
import { join } from 'node:path';
import type { ChatStore } from './chat/store.js';
import type { Config } from './config.js';
import type { Database } from './db/connect.js';
import { createKpiStore } from './db/kpi-store.js';
import { openTicketGauges } from './itsm/kpis/open-tickets.js';
import { createKpiService } from './itsm/kpis/service.js';
import { loadKpiTargetsIfPresent } from './itsm/kpis/targets.js';
import type { SlaConfig } from './itsm/sla.js';
import type { Nlu } from './nlu/types.js';
import { observeDeadLetters } from './observability/dead-letters.js';
import { createChatdeskMetrics, observeClassifier } from './observability/metrics.js';

/** Returns the NLU wrapped so its confidence is measured: the rest of the app uses that one. */
export async function composeKpis(d: {
  database: Database;
  config: Pick<Config, 'DATA_DIR' | 'KPI_DEFLECTION_WINDOW_DAYS'>;
  sla: SlaConfig;
  chatStore: ChatStore;
  nlu: Nlu;
  now: () => Date;
}) {
  const { sla, now } = d;
  const kpiStore = createKpiStore(d.database.db);
  const kpis = createKpiService({
    source: kpiStore,
    sla,
    targets: await loadKpiTargetsIfPresent(join(d.config.DATA_DIR, 'kpi-targets.json')),
    now,
    deflectionWindowDays: d.config.KPI_DEFLECTION_WINDOW_DAYS,
  });
  const metrics = createChatdeskMetrics(async () => {
    const at = now().toISOString();
    const { open, ...counts } = await kpiStore.operationalCounts(at);
    return { ...counts, ...openTicketGauges(sla, open, at) };
  });
  const nlu = observeClassifier(d.nlu, metrics.classifierConfidence);
  observeDeadLetters(metrics.registry, d.chatStore);
  return { kpiStore, kpis, metrics, nlu };
}
