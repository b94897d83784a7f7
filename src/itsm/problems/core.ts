/**
 * What every problem operation shares: reading a problem and its record, linking an incident to it (both
 * histories tell), and saving the record with its event.
 */
import { AppError } from '../../errors.js';
import { mustTicket, recordEvents } from '../service-helpers.js';
import type { ProblemRecord, Ticket } from '../types.js';
import type { ProblemServiceDeps } from './types.js';

export function createProblemCore(deps: Pick<ProblemServiceDeps, 'tickets' | 'itil'>) {
  const { tickets, itil } = deps;

  async function mustProblem(number: string): Promise<Ticket> {
    return mustTicket(tickets, number, 'problem');
  }

  async function record(t: Ticket): Promise<ProblemRecord> {
    return (
      (await itil.problem(t.id)) ?? {
        ticketId: t.id,
        rootCause: null,
        workaround: null,
        knownError: false,
        keywords: [],
        updatedAt: t.createdAt,
      }
    );
  }

  /** Saves the record and writes what changed to the problem's history. */
  async function saveRecord(
    problem: Ticket,
    rec: ProblemRecord,
    actorId: number,
    change: { to: string | null; reason: string; data: Record<string, unknown> },
    now: string,
  ): Promise<ProblemRecord> {
    await itil.saveProblem(rec);
    await recordEvents(tickets, problem.id, [{ at: now, actorId, type: 'field_changed', ...change }], now);
    return rec;
  }

  /** Links an incident to a problem; false when it was linked already (nothing written then). */
  async function linkOne(
    problem: Ticket,
    incident: Ticket,
    actorId: number | null,
    why: string,
    now: string,
  ): Promise<boolean> {
    if (incident.kind !== 'incident')
      throw new AppError(
        'validation_failed',
        `${incident.number} is not an incident; only incidents are linked to problems.`,
        { field: 'incidents' },
      );
    const added = await itil.link(incident.id, problem.id, 'problem', actorId, now);
    if (!added) return false;
    await recordEvents(
      tickets,
      incident.id,
      [
        {
          at: now,
          actorId,
          type: 'linked',
          to: problem.number,
          reason: why,
          data: { kind: 'problem', problem: problem.number },
        },
      ],
      now,
    );
    await recordEvents(
      tickets,
      problem.id,
      [
        {
          at: now,
          actorId,
          type: 'linked',
          to: incident.number,
          reason: why,
          data: { kind: 'incident', incident: incident.number },
        },
      ],
      now,
    );
    return true;
  }

  return { mustProblem, record, saveRecord, linkOne };
}

export type ProblemCore = ReturnType<typeof createProblemCore>;
