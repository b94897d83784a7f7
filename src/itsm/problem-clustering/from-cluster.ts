/**
 * One click on the possible-problem card (or the automatic rule): the problem made from the reports,
 * raised to a major incident when asked, and each reporter told once.
 */
import { AppError } from '../../errors.js';
import { applyToTicket, assertStaff, mustTicket } from '../service-helpers.js';
import type { Person, Ticket } from '../types.js';
import type { ClusterServiceDeps, FromCluster } from './types.js';

export function createProblemFromCluster(
  deps: Pick<ClusterServiceDeps, 'tickets' | 'itil' | 'notifier' | 'problems'>,
) {
  const { tickets, itil, notifier, problems } = deps;

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

  return {
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
  };
}

export type ProblemFromCluster = ReturnType<typeof createProblemFromCluster>;
