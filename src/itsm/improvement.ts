/**
 * The continual improvement (CSI) register worked as a queue: items (one per missed KPI target) move
 * open → in progress → done or dismissed (and can be reopened), each with an owner who is told when an
 * item becomes theirs or someone else moves it; the targets are evaluated on a schedule; managers get a
 * short view of the register. The same calls serve chat, CLI and REST.
 */
import { AppError } from '../errors.js';
import type { KpiService } from './kpis/service.js';
import type { ImprovementStore } from './ports.js';
import { IMPROVEMENT_STATES, type Improvement, type ImprovementState, type Person } from './types.js';

const NEXT: Record<ImprovementState, readonly ImprovementState[]> = {
  open: ['in_progress', 'done', 'dismissed'],
  in_progress: ['open', 'done', 'dismissed'],
  done: ['open'],
  dismissed: ['open'],
};

interface ImprovementDeps {
  store: ImprovementStore;
  kpis: Pick<KpiService, 'report' | 'breaches'>;
  personById(id: number): Promise<Person | null>;
  personByEmail(email: string): Promise<Person | null>;
  /** A DM to a person (chat, else e-mail); `key` makes it once per event. */
  notify(personId: number, text: string, key: string): Promise<boolean>;
  /** Evaluation period, e.g. "30d". */
  since?: string;
}

const LABEL: Record<string, string> = {
  open: 'open',
  in_progress: 'in progress',
  done: 'done',
  dismissed: 'dismissed',
};

/** Managers and admins work any item; an agent only the items they own. */
function assertCanWork(actor: Person, item: Improvement): void {
  if (actor.role === 'manager' || actor.role === 'admin') return;
  if (actor.role === 'agent' && item.ownerId === actor.id) return;
  throw new AppError(
    'forbidden',
    `Only managers, admins or the owner of improvement #${item.id} can change it.`,
  );
}

function assertManager(actor: Person, what: string): void {
  if (actor.role !== 'manager' && actor.role !== 'admin')
    throw new AppError('forbidden', `Only managers and admins can ${what}.`);
}

export function parseImprovementState(text: string): ImprovementState {
  const s = text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  const state =
    s === 'start' || s === 'started'
      ? 'in_progress'
      : s === 'dismiss'
        ? 'dismissed'
        : s === 'reopen'
          ? 'open'
          : s;
  if ((IMPROVEMENT_STATES as readonly string[]).includes(state)) return state as ImprovementState;
  throw new AppError(
    'validation_failed',
    `"${text}" is not a state: use open, in_progress, done or dismissed.`,
    {
      field: 'status',
    },
  );
}

/**
 * The evaluation schedule, driven by the periodic sweep: runs `evaluate` on the first tick and then once
 * every `everyHours` (0 = never; evaluation is on demand only). Returns whether this tick ran it.
 */
export function evaluationSchedule(everyHours: number, evaluate: (at: string) => Promise<unknown>) {
  const everyMs = everyHours * 3_600_000;
  let last: number | null = null;
  return async (at: string): Promise<boolean> => {
    const t = Date.parse(at);
    if (everyMs === 0 || (last !== null && t - last < everyMs)) return false;
    last = t;
    await evaluate(at);
    return true;
  };
}

export function createImprovementService(deps: ImprovementDeps) {
  const { store } = deps;

  async function must(id: number): Promise<Improvement> {
    const item = await store.improvementItem(id);
    if (!item)
      throw new AppError('not_found', `There is no improvement item #${id}. "improvements" lists them.`, {
        field: 'id',
      });
    return item;
  }

  const line = async (i: Improvement): Promise<string> => {
    const owner = i.ownerId === null ? null : await deps.personById(i.ownerId);
    return `#${i.id} [${LABEL[i.status] ?? i.status}] ${i.title}${owner ? ` · owner ${owner.displayName}` : ' · no owner'}`;
  };

  return {
    async list(actor: Person, status?: ImprovementState): Promise<Improvement[]> {
      if (actor.role === 'employee')
        throw new AppError('forbidden', 'The improvement register is for the service desk.');
      return store.improvementItems(status ? { status } : {});
    },

    async move(
      id: number,
      to: ImprovementState,
      actor: Person,
      note: string | null,
      now: string,
    ): Promise<Improvement> {
      const item = await must(id);
      assertCanWork(actor, item);
      const from = item.status as ImprovementState;
      if (from === to) return item;
      if (!NEXT[from]?.includes(to))
        throw new AppError(
          'illegal_transition',
          `Improvement #${id} is ${LABEL[from]}; it can go to ${NEXT[from].map((s) => LABEL[s]).join(', ')}.`,
          {
            details: { from, to },
          },
        );
      const closed = to === 'done' || to === 'dismissed';
      const ok = await store.updateImprovement(
        id,
        from,
        { status: to, closedAt: closed ? now : null },
        { actorId: actor.id, field: 'status', from, to, note },
        now,
      );
      if (!ok)
        throw new AppError('conflict', `Improvement #${id} was changed meanwhile; look again and retry.`);
      if (item.ownerId !== null && item.ownerId !== actor.id)
        await deps.notify(
          item.ownerId,
          `${actor.displayName} moved your improvement #${id} "${item.title}" to ${LABEL[to]}${note ? `: ${note}` : ''}.`,
          `csi:${id}:status:${to}:${now}`,
        );
      return must(id);
    },

    async assign(
      id: number,
      ownerEmail: string,
      actor: Person,
      note: string | null,
      now: string,
    ): Promise<Improvement> {
      assertManager(actor, 'hand improvement items over');
      const item = await must(id);
      const owner = await deps.personByEmail(ownerEmail.trim().toLowerCase());
      if (!owner || owner.role === 'employee' || owner.active === false)
        throw new AppError(
          'validation_failed',
          `${ownerEmail} is not an active member of the service desk.`,
          {
            field: 'owner',
          },
        );
      const ok = await store.updateImprovement(
        id,
        item.status,
        { ownerId: owner.id },
        {
          actorId: actor.id,
          field: 'owner',
          from: item.ownerId === null ? null : String(item.ownerId),
          to: String(owner.id),
          note,
        },
        now,
      );
      if (!ok)
        throw new AppError('conflict', `Improvement #${id} was changed meanwhile; look again and retry.`);
      await deps.notify(
        owner.id,
        `${actor.displayName} made you the owner of improvement #${id} "${item.title}"${note ? `: ${note}` : ''}. Say "improvement ${id} in progress" when you start.`,
        `csi:${id}:owner:${owner.id}:${now}`,
      );
      return must(id);
    },

    /**
     * Evaluates the KPI targets and records misses; the owner of every item opened (or reopened) by this
     * run is told once. Returns what changed.
     */
    async evaluate(now: string): Promise<{ opened: number; updated: number; notified: number }> {
      const report = await deps.kpis.report({ since: deps.since ?? '30d' });
      const r = await store.recordBreaches(deps.kpis.breaches(report), now, {
        knowledgeGaps: report.knowledgeGaps.slice(0, 5),
      });
      let notified = 0;
      for (const item of await store.improvementItems({ status: 'open' })) {
        if (item.openedAt !== now || item.ownerId === null) continue;
        if (
          await deps.notify(
            item.ownerId,
            `New improvement item #${item.id} for you: ${item.title}. Say "improvement ${item.id} in progress" when you take it on, or "improvement ${item.id} dismissed: <why>".`,
            `csi:${item.id}:opened:${now}`,
          )
        )
          notified++;
      }
      return { ...r, notified };
    },

    /** The manager's view: counts by state and the items still to work, oldest first. */
    async view(actor: Person): Promise<string> {
      if (actor.role === 'employee')
        throw new AppError('forbidden', 'The improvement register is for the service desk.');
      const all = await store.improvementItems({});
      const count = (s: string) => all.filter((i) => i.status === s).length;
      const working = all.filter((i) => i.status === 'open' || i.status === 'in_progress');
      const mine = actor.role === 'agent' ? working.filter((i) => i.ownerId === actor.id) : working;
      const lines = [
        `Improvement register: ${count('open')} open, ${count('in_progress')} in progress, ${count('done')} done, ${count('dismissed')} dismissed.`,
        ...(await Promise.all(mine.slice(0, 10).map(line))),
      ];
      if (mine.length > 10) lines.push(`… and ${mine.length - 10} more (GET /api/v1/kpis/improvements).`);
      if (mine.length === 0) lines.push('Nothing to work on.');
      return lines.join('\n');
    },
  };
}

export type ImprovementService = ReturnType<typeof createImprovementService>;
