/**
 * Finding bursts of similar open incidents not yet linked to a problem, and announcing each once (its
 * own card with the buttons below) or making it a problem at once (`problems.autoCreateAt`).
 */
import type { NotifyChoice } from '../ports.js';
import { findClusters } from '../problems/rules.js';
import { OPEN_STATES, type Ticket } from '../types.js';
import type { ProblemFromCluster } from './from-cluster.js';
import type { ClusterServiceDeps } from './types.js';

/** The buttons of the possible-problem card. */
function clusterChoices(incidents: readonly string[]): NotifyChoice[] {
  return [
    {
      label: 'Create problem',
      actionId: 'problem.create',
      value: { incidents: [...incidents] },
      style: 'primary',
    },
    {
      label: 'Create problem + major incident',
      actionId: 'problem.create',
      value: { incidents: [...incidents], major: true },
      style: 'danger',
    },
  ];
}

export function createClusterDetection(
  deps: Pick<ClusterServiceDeps, 'itil' | 'notifier' | 'directory' | 'config'>,
  fromCluster: ProblemFromCluster,
) {
  const { itil, notifier, directory } = deps;

  return {
    /**
     * Bursts of similar open incidents not yet linked to a problem: each is announced once to the group
     * (its own card in the triage channel, else the group manager), or made a problem at once when the
     * burst reaches `autoCreateAt` (owned by the group's manager; a major incident from `majorIncidentAt`).
     */
    async detect(now: string): Promise<Array<{ incidents: string[]; problem: string | null }>> {
      const cfg = deps.config;
      const since = new Date(Date.parse(now) - cfg.clusterWindowMinutes * 60_000).toISOString();
      const recent = (await itil.recentOpenIncidents(since, 500)).filter((t) =>
        OPEN_STATES.includes(t.state),
      );
      const unlinked: Ticket[] = [];
      for (const t of recent) if ((await itil.linkedTo(t.id, 'problem')).length === 0) unlinked.push(t);
      const texts = unlinked.map((t) => ({
        id: t.id,
        text: `${t.title} ${t.description}`,
        createdAt: t.createdAt,
      }));
      const clusters = findClusters(texts, {
        minSize: cfg.clusterMinIncidents,
        windowMinutes: cfg.clusterWindowMinutes,
        similarity: cfg.clusterSimilarity,
      });
      const byId = new Map(unlinked.map((t) => [t.id, t]));
      const out: Array<{ incidents: string[]; problem: string | null }> = [];
      for (const ids of clusters) {
        const members = ids.map((id) => byId.get(id)).filter((t): t is Ticket => t !== undefined);
        const first = members[0];
        if (!first) continue;
        const key = `possible-problem:${first.id}`;
        const claim = {
          key,
          ticketId: first.id,
          kind: 'possible_problem',
          clock: '-',
          dueAt: null,
          createdAt: now,
        };
        if (!(await itil.claimNotification(claim))) continue;
        const numbers = members.map((t) => t.number);
        const group = first.groupId === null ? null : await directory.groupById(first.groupId);
        const manager = group?.managerId == null ? null : await directory.personById(group.managerId);
        if (cfg.autoCreateAt !== null && members.length >= cfg.autoCreateAt && manager) {
          const major = cfg.majorIncidentAt !== null && members.length >= cfg.majorIncidentAt;
          const r = await fromCluster.createFromCluster(manager, numbers, { major }, now);
          const text = `🔎 ${r.problem.number} opened automatically from ${numbers.length} similar reports in ${cfg.clusterWindowMinutes} minutes ("${first.title}"): ${numbers.join(', ')}${major ? '. Raised to a major incident.' : '.'} ${r.reportersTold} reporter(s) told.`;
          if (!(await notifier.notifyAgents(first, text, key)))
            await notifier.notifyPerson(manager.id, text, key);
          out.push({ incidents: numbers, problem: r.problem.number });
          continue;
        }
        const text = `🔎 Possible problem: ${members.length} similar reports in ${cfg.clusterWindowMinutes} minutes ("${first.title}"): ${numbers.join(', ')}.`;
        const choices = clusterChoices(numbers);
        const carded = (await notifier.offerToAgents?.(first, text, choices, key)) ?? false;
        if (!carded && manager) await notifier.notifyPerson(manager.id, text, key, choices);
        out.push({ incidents: numbers, problem: null });
      }
      return out;
    },
  };
}
