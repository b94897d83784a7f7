/** The interpreter's change effects (through the ITIL hooks; refused when changes are not enabled). */
import type { RunContext, RunDeps, RunTools } from './run-tools.js';
import type { Effect, Step } from './types.js';

type ChangeEffect = Extract<Effect, { do: 'open_change' | 'schedule_change' | 'submit_change' }>;

const NOT_ENABLED = { code: 'not_found', message: 'Changes are not enabled on this desk.' } as const;

export function createChangeEffects(deps: Pick<RunDeps, 'hooks'>, tools: RunTools) {
  const { hooks } = deps;
  const { attempt, bind } = tools;
  return async function changeEffect(rc: RunContext, e: ChangeEffect): Promise<Step | null> {
    const { person, now } = rc.facts;
    switch (e.do) {
      case 'open_change': {
        const open = hooks.openChange;
        if (!open) return e.refused({ ...NOT_ENABLED });
        const r = await attempt(() => open(person, e.values, now), e.refused);
        if ('step' in r) return r.step;
        await bind(rc, r.ok.ticket);
        return e.next(r.ok);
      }
      case 'schedule_change': {
        const changes = hooks.changes;
        if (!changes) return e.refused({ ...NOT_ENABLED });
        const r = await attempt(
          () => changes.schedule(e.ticket, person, `${e.start}:00Z`, `${e.end}:00Z`, now),
          e.refused,
        );
        if ('step' in r) return r.step;
        return e.next({
          ticket: r.ok.ticket,
          risk: `${r.ok.change.riskLevel} (${r.ok.change.riskScore}/100)`,
        });
      }
      case 'submit_change': {
        const changes = hooks.changes;
        if (!changes) return e.refused({ ...NOT_ENABLED });
        const r = await attempt(() => changes.submit(e.ticket, person, now), e.refused);
        if ('step' in r) return r.step;
        return e.next({ ticket: r.ok.ticket, voters: r.ok.voters.length, phase: r.ok.change.phase });
      }
    }
  };
}
