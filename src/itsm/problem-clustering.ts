/**
 * From an outage to a problem: bursts of similar open incidents are offered to the group as their own
 * card ("Create problem" / "… and raise a major incident"), or, with `problems.autoCreateAt`, become a
 * problem at once. Creating it links the reports and tells every reporter once. Resolving a problem
 * offers to resolve its still-open incidents; their requesters are asked to confirm the fix.
 */
import { AppError } from '../errors.js';
import { assertTransition } from './lifecycle.js';
import type { DirectoryStore, Person, TicketStore } from './ports.js';
import type { ItilConfig } from './practices-config.js';
import type { ItilNotifier, ItilStore, NotifyChoice } from './practices-port.js';
import { findClusters, type ProblemService } from './problems.js';
import { applyToTicket, assertStaff, mustTicket, recordEvents } from './service-helpers.js';
import { OPEN_STATES, type Ticket } from './types.js';

export interface ClusterServiceDeps {
  tickets: TicketStore;
  directory: DirectoryStore;
  itil: ItilStore;
  notifier: ItilNotifier;
  config: ItilConfig['problems'];
  problems: ProblemService;
}

export interface FromCluster {
  problem: Ticket;
  /** False when the reports were already linked to this problem (a second click, another agent). */
  created: boolean;
  linked: string[];
  major: boolean;
  reportersTold: number;
}

/** The buttons of the possible-problem card. */
export function clusterChoices(incidents: readonly string[]): NotifyChoice[] {
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

export function createClusterService(deps: ClusterServiceDeps) {
  const { tickets, itil, notifier, directory, problems } = deps;

  async function raiseMajor(problem: Ticket, actor: Person, now: string): Promise<Ticket> {
    return applyToTicket(
      tickets,
      problem.id,
      (t) => ({
        patch: { impact: 'high', urgency: 'high', priority: 'P1' },
        events: [
          ...(t.priority === 'P1'
            ? []
            : [
                {
                  at: now,
                  actorId: actor.id,
                  type: 'priority_changed' as const,
                  from: t.priority,
                  to: 'P1',
                  reason: 'major incident',
                },
              ]),
          {
            at: now,
            actorId: actor.id,
            type: 'field_changed' as const,
            to: 'major',
            reason: 'raised to a major incident',
            data: { field: 'major_incident' },
          },
        ],
      }),
      now,
    );
  }

  /** Each reporter hears once, naming all of their reports, whatever the number of them. */
  async function tellReporters(problem: Ticket, incidents: readonly Ticket[]): Promise<number> {
    const byRequester = new Map<number, Ticket[]>();
    for (const t of incidents) byRequester.set(t.requesterId, [...(byRequester.get(t.requesterId) ?? []), t]);
    for (const mine of byRequester.values()) {
      const first = mine[0] as Ticket;
      await notifier.notifyRequester(
        first,
        `We are treating ${mine.map((t) => t.number).join(' and ')} as part of a wider issue (${problem.number}: ${problem.title}). You don't need to report it again; I'll tell you when it is fixed.`,
        `problem-linked:${problem.number}`,
      );
    }
    return byRequester.size;
  }

  const service = {
    /** One click on the card (or the automatic rule): the problem, its links, the reporters told. */
    async createFromCluster(
      actor: Person,
      numbers: readonly string[],
      opts: { title?: string; major?: boolean },
      now: string,
    ): Promise<FromCluster> {
      assertStaff(actor, 'create problems');
      if (numbers.length === 0)
        throw new AppError('validation_failed', 'Name the incidents the problem is made from.', {
          field: 'incidents',
        });
      const incidents: Ticket[] = [];
      for (const n of numbers) incidents.push(await mustTicket(tickets, n, 'incident'));
      const first = incidents[0] as Ticket;
      const existing = (await itil.linkedTo(first.id, 'problem'))[0];
      if (existing !== undefined) {
        const [problem] = await itil.ticketsByIds([existing]);
        if (problem)
          return { problem, created: false, linked: [], major: problem.priority === 'P1', reportersTold: 0 };
      }
      const unlinked: Ticket[] = [];
      for (const t of incidents) if ((await itil.linkedTo(t.id, 'problem')).length === 0) unlinked.push(t);
      let problem = await problems.create(
        actor,
        {
          title: opts.title ?? `${first.title} (${unlinked.length} reports)`,
          description: `Opened from ${unlinked.length} similar reports: ${unlinked.map((t) => `${t.number} "${t.title}"`).join(', ')}`,
          incidents: unlinked.map((t) => t.number),
        },
        now,
      );
      if (opts.major === true) problem = await raiseMajor(problem, actor, now);
      const reportersTold = await tellReporters(problem, unlinked);
      return {
        problem,
        created: true,
        linked: unlinked.map((t) => t.number),
        major: opts.major === true,
        reportersTold,
      };
    },

    /**
     * Resolves the problem's incidents that are still open and asks each requester to confirm the fix
     * (their ticket card carries "Confirm and close" and "Still broken: reopen").
     */
    async resolveIncidents(
      problemNumber: string,
      actor: Person,
      now: string,
    ): Promise<{ resolved: string[] }> {
      assertStaff(actor, 'resolve incidents');
      const problem = await mustTicket(tickets, problemNumber, 'problem');
      if (problem.state !== 'resolved' && problem.state !== 'closed')
        throw new AppError(
          'illegal_transition',
          `${problem.number} is ${problem.state}: resolve the problem first, then its incidents.`,
          { details: { state: problem.state } },
        );
      const resolved: string[] = [];
      for (const inc of await itil.ticketsByIds(await itil.linkedFrom(problem.id, 'problem'))) {
        if (!OPEN_STATES.includes(inc.state)) continue;
        const done = await applyToTicket(
          tickets,
          inc.id,
          (t) => {
            if (!OPEN_STATES.includes(t.state)) return null;
            assertTransition(t.state, 'resolved', {
              now,
              resolvedAt: t.resolvedAt,
              pendingReason: null,
              ticketNumber: t.number,
            });
            return {
              patch: { state: 'resolved', pendingReason: null, resolvedAt: now },
              events: [
                {
                  at: now,
                  actorId: actor.id,
                  type: 'state_changed',
                  from: t.state,
                  to: 'resolved',
                  reason: `fixed with ${problem.number}`,
                },
              ],
            };
          },
          now,
        );
        if (done.state !== 'resolved') continue;
        resolved.push(done.number);
        await notifier.notifyRequester(
          done,
          `${done.number} is resolved: the underlying problem (${problem.number}: ${problem.title}) is fixed. Does it work for you now? Confirm to close it, or reopen it if it still happens.`,
          `problem-resolved:${problem.number}`,
        );
      }
      if (resolved.length > 0)
        await recordEvents(
          tickets,
          problem.id,
          [
            {
              at: now,
              actorId: actor.id,
              type: 'field_changed',
              to: resolved.join(', '),
              reason: 'linked incidents resolved',
              data: { field: 'incidents_resolved' },
            },
          ],
          now,
        );
      return { resolved };
    },

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
          const r = await service.createFromCluster(manager, numbers, { major }, now);
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
  return service;
}

export type ClusterService = ReturnType<typeof createClusterService>;
