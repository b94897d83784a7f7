/** Requesting a change and setting its window: validation, affected assets, risk. */
import { AppError } from '../../errors.js';
import { standardLevels, standardTemplate } from '../change-risk.js';
import type { Risk } from '../risk.js';
import { assertStaff, openStaffTicket, recordEvents } from '../service-helpers.js';
import type { Asset, ChangeRecord, Person, Ticket } from '../types.js';
import { type ChangeCore, checkWindow } from './core.js';
import type { ChangeInput, ChangeServiceDeps } from './types.js';

export function createChangeRequests(deps: ChangeServiceDeps, core: ChangeCore) {
  const { tickets, directory, itil, config } = deps;
  const { mustChange, refuseBlackout, assess, expectPhase } = core;

  return {
    async create(
      actor: Person,
      input: ChangeInput,
      now: string,
    ): Promise<{ ticket: Ticket; change: ChangeRecord; risk: Risk }> {
      assertStaff(actor, 'request changes');
      const title = input.title.trim();
      if (!title)
        throw new AppError('validation_failed', 'A change needs a title: what will be changed?', {
          field: 'title',
        });
      const std =
        input.type === 'standard' ? standardTemplate(config.standardCatalogue, input.template) : null;
      const { impact, urgency } = std
        ? standardLevels(std, input)
        : { impact: input.impact ?? 'medium', urgency: input.urgency ?? 'medium' };
      const start = input.plannedStart ?? null;
      const end = input.plannedEnd ?? null;
      if ((start === null) !== (end === null))
        throw new AppError('validation_failed', 'Give both plannedStart and plannedEnd, or neither.', {
          field: start === null ? 'plannedStart' : 'plannedEnd',
        });
      if (start && end) {
        checkWindow(start, end);
        refuseBlackout(start, end, input.type);
      }
      const assets: Asset[] = [];
      for (const tag of input.assets ?? []) {
        const a = await itil.assetByTag(tag);
        if (!a)
          throw new AppError('not_found', `There is no asset "${tag}". Check the tag (e.g. SV-4001).`, {
            field: 'assets',
          });
        assets.push(a);
      }
      const group = input.group ? await directory.groupBySlug(input.group) : null;
      if (input.group && !group)
        throw new AppError('not_found', `There is no group "${input.group}".`, { field: 'group' });
      const ticket = await openStaffTicket(
        tickets,
        actor,
        {
          kind: 'change',
          title,
          description: input.description ?? title,
          impact,
          urgency,
          category: 'change',
          fields: { changeType: input.type, ...(std ? { standardTemplate: std.id } : {}) },
          groupId: group?.id ?? null,
        },
        {
          reason: `${input.type} change requested`,
          data: { changeType: input.type, ...(std ? { standardTemplate: std.id } : {}) },
        },
        now,
      );
      const risk = await assess(ticket.id, input.type, impact, urgency, assets, start, end);
      const change: ChangeRecord = {
        ticketId: ticket.id,
        changeType: input.type,
        phase: 'draft',
        riskScore: risk.score,
        riskLevel: risk.level,
        riskReasons: risk.reasons,
        plannedStart: start,
        plannedEnd: end,
        cabPolicy: input.type === 'emergency' ? config.emergencyCab.policy : config.cab.policy,
        review: null,
        updatedAt: now,
      };
      await itil.saveChange(change);
      for (const a of assets) await itil.linkAsset(ticket.id, a.id);
      const withRisk = await recordEvents(
        tickets,
        ticket.id,
        [
          ...assets.map((a) => ({
            at: now,
            actorId: actor.id,
            type: 'linked' as const,
            to: a.tag,
            reason: 'affected asset',
            data: { kind: 'asset', assetId: a.id, tag: a.tag },
          })),
          {
            at: now,
            actorId: actor.id,
            type: 'field_changed',
            to: `${risk.level} (${risk.score})`,
            reason: risk.reasons.join('; '),
            data: { field: 'risk', score: risk.score, level: risk.level, reasons: risk.reasons },
          },
        ],
        now,
      );
      return { ticket: withRisk, change, risk };
    },

    /** Sets or moves the window; refused inside a blackout; risk is re-assessed (collisions change). */
    async schedule(
      number: string,
      actor: Person,
      start: string,
      end: string,
      now: string,
    ): Promise<{ ticket: Ticket; change: ChangeRecord }> {
      assertStaff(actor, 'schedule changes');
      const { ticket, change } = await mustChange(number);
      expectPhase(ticket, change, ['draft', 'scheduled'], 'reschedule');
      checkWindow(start, end);
      refuseBlackout(start, end, change.changeType);
      const assets = await itil.assetsOfTicket(ticket.id);
      const risk = await assess(
        ticket.id,
        change.changeType,
        ticket.impact,
        ticket.urgency,
        assets,
        start,
        end,
      );
      const next: ChangeRecord = {
        ...change,
        plannedStart: start,
        plannedEnd: end,
        riskScore: risk.score,
        riskLevel: risk.level,
        riskReasons: risk.reasons,
        updatedAt: now,
      };
      await itil.saveChange(next);
      const t = await recordEvents(
        tickets,
        ticket.id,
        [
          {
            at: now,
            actorId: actor.id,
            type: 'field_changed',
            from: change.plannedStart ? `${change.plannedStart}/${change.plannedEnd}` : null,
            to: `${start}/${end}`,
            reason: 'window set',
            data: { field: 'schedule' },
          },
          {
            at: now,
            actorId: actor.id,
            type: 'field_changed',
            from: `${change.riskLevel} (${change.riskScore})`,
            to: `${risk.level} (${risk.score})`,
            reason: risk.reasons.join('; '),
            data: { field: 'risk', score: risk.score, level: risk.level, reasons: risk.reasons },
          },
        ],
        now,
      );
      return { ticket: t, change: next };
    },
  };
}
