/**
 * Change management: requests for change are tickets of kind 'change'; their type, phase, risk and
 * window live in the changes table. Flow: draft → cab (votes) → scheduled → implementing → review →
 * closed; standard changes are pre-approved and skip the CAB. The ticket state mirrors the phase so
 * lists and KPIs treat changes like any other ticket.
 */

import { AppError } from '../errors.js';
import {
  approvalChoices,
  type Outcome,
  outcomeOf,
  tallyLine,
  tallyOf,
  type VotePolicy,
} from './approvals.js';
import { canSeeTicket, unknownTicket } from './authorization.js';
import { cmdbDependents, standardLevels, standardNeedsCab, standardTemplate } from './change-risk.js';
import type { ChatChannel } from './directory-data.js';
import type { DirectoryStore, Person, TicketPatch, TicketStore } from './ports.js';
import type { BoardConfig, ItilConfig } from './practices-config.js';
import type {
  Asset,
  ChangePhase,
  ChangeRecord,
  ChangeType,
  ItilNotifier,
  ItilStore,
} from './practices-port.js';
import { priorityOf } from './priority.js';
import { blackoutClash, type Risk, riskScore } from './risk.js';
import { applyToTicket, assertStaff, mustTicket, recordEvents } from './service-helpers.js';
import { COMMENT_MAX } from './tickets.js';
import type { Level, PendingReason, Ticket, TicketState } from './types.js';

const STATE_OF: Record<ChangePhase, { state: TicketState; pendingReason: PendingReason | null }> = {
  draft: { state: 'new', pendingReason: null },
  cab: { state: 'pending', pendingReason: 'approval' },
  scheduled: { state: 'assigned', pendingReason: null },
  implementing: { state: 'in_progress', pendingReason: null },
  review: { state: 'resolved', pendingReason: null },
  closed: { state: 'closed', pendingReason: null },
  rejected: { state: 'cancelled', pendingReason: null },
  cancelled: { state: 'cancelled', pendingReason: null },
};

export interface ChangeInput {
  title: string;
  description?: string;
  type: ChangeType;
  /** Default medium; a standard change takes its catalogue template's. */
  impact?: Level;
  urgency?: Level;
  /** A standard change's entry in `changes.standardCatalogue` (required for standard changes). */
  template?: string | null;
  assets?: string[];
  plannedStart?: string | null;
  plannedEnd?: string | null;
  group?: string | null;
}

export interface ChangeView {
  ticket: Ticket;
  change: ChangeRecord;
  assets: Asset[];
  votes: Array<{ approverId: number; state: string; comment: string | null }>;
  causedIncidents: string[];
}

export interface ChangeServiceDeps {
  tickets: TicketStore;
  directory: DirectoryStore;
  itil: ItilStore;
  notifier: ItilNotifier;
  config: ItilConfig['changes'];
}

function checkWindow(start: string, end: string): void {
  const s = Date.parse(start);
  const e = Date.parse(end);
  if (Number.isNaN(s))
    throw new AppError(
      'validation_failed',
      'plannedStart must be an ISO date-time like 2026-05-02T20:00:00Z.',
      { field: 'plannedStart' },
    );
  if (Number.isNaN(e))
    throw new AppError(
      'validation_failed',
      'plannedEnd must be an ISO date-time like 2026-05-02T22:00:00Z.',
      { field: 'plannedEnd' },
    );
  if (e <= s)
    throw new AppError('validation_failed', 'plannedEnd must be after plannedStart.', {
      field: 'plannedEnd',
    });
}

export function createChangeService(deps: ChangeServiceDeps) {
  const { tickets, directory, itil, notifier, config } = deps;

  async function mustChange(number: string): Promise<{ ticket: Ticket; change: ChangeRecord }> {
    const ticket = await mustTicket(tickets, number, 'change');
    const change = await itil.change(ticket.id);
    if (!change)
      throw new AppError(
        'internal',
        `${ticket.number} has no change record; it was not created through the change service.`,
      );
    return { ticket, change };
  }

  function refuseBlackout(start: string, end: string, type: ChangeType): void {
    const b = blackoutClash(start, end, type, config.blackouts);
    if (b) {
      throw new AppError(
        'conflict',
        `The window ${start} – ${end} falls in the blackout "${b.name}" (${b.start} – ${b.end})${b.reason ? `: ${b.reason}` : ''}. Pick another window${b.allow.length > 0 ? ` (only ${b.allow.join('/')} changes are allowed then)` : ''}.`,
        { field: 'plannedStart', details: { blackout: b.name } },
      );
    }
  }

  async function assess(
    ticketId: number,
    type: ChangeType,
    impact: Level,
    urgency: Level,
    assets: Asset[],
    start: string | null,
    end: string | null,
  ): Promise<Risk> {
    const collisions: Array<{ number: string; sharedAssets: string[] }> = [];
    if (start && end) {
      const mine = new Set(assets.map((a) => a.tag));
      for (const other of await itil.changesOverlapping(start, end, ticketId)) {
        const [t] = await itil.ticketsByIds([other.ticketId]);
        if (!t) continue;
        const theirs = await itil.assetsOfTicket(other.ticketId);
        collisions.push({
          number: t.number,
          sharedAssets: theirs.filter((a) => mine.has(a.tag)).map((a) => a.tag),
        });
      }
    }
    const dependents =
      assets.length === 0
        ? []
        : cmdbDependents(assets, await itil.listAssets({ limit: 100_000 }), await itil.relations());
    return riskScore({
      type,
      impact,
      urgency,
      assets: assets.map((a) => ({ tag: a.tag, criticality: a.criticality })),
      collisions,
      dependents,
    });
  }

  async function move(
    ticket: Ticket,
    change: ChangeRecord,
    phase: ChangePhase,
    actor: Person | null,
    reason: string,
    now: string,
    extra: Partial<ChangeRecord> = {},
  ): Promise<{ ticket: Ticket; change: ChangeRecord }> {
    const next: ChangeRecord = { ...change, ...extra, phase, updatedAt: now };
    const target = STATE_OF[phase];
    const updated = await applyToTicket(
      tickets,
      ticket.id,
      (t) => {
        const patch: Omit<TicketPatch, 'updatedAt'> = {
          state: target.state,
          pendingReason: target.pendingReason,
        };
        if (target.state === 'resolved') patch.resolvedAt = now;
        if (target.state === 'closed' || target.state === 'cancelled') patch.closedAt = now;
        return {
          patch,
          events: [
            {
              at: now,
              actorId: actor?.id ?? null,
              type: 'field_changed',
              from: change.phase,
              to: phase,
              reason,
              data: { field: 'change_phase' },
            },
            ...(t.state === target.state
              ? []
              : [
                  {
                    at: now,
                    actorId: actor?.id ?? null,
                    type: 'state_changed' as const,
                    from: t.state,
                    to: target.state,
                    reason,
                    data: target.pendingReason ? { pendingReason: target.pendingReason } : {},
                  },
                ]),
          ],
        };
      },
      now,
    );
    await itil.saveChange(next);
    return { ticket: updated, change: next };
  }

  function expectPhase(ticket: Ticket, change: ChangeRecord, allowed: ChangePhase[], what: string): void {
    if (!allowed.includes(change.phase)) {
      throw new AppError(
        'illegal_transition',
        `Cannot ${what} ${ticket.number}: it is ${change.phase}; that needs it to be ${allowed.join(' or ')}.`,
        { details: { phase: change.phase, allowed } },
      );
    }
  }

  function boardOf(type: ChangeType): { board: BoardConfig; field: string } {
    return type === 'emergency'
      ? { board: config.emergencyCab, field: 'changes.emergencyCab' }
      : { board: config.cab, field: 'changes.cab' };
  }

  async function cabMembers(
    type: ChangeType,
  ): Promise<{ members: Person[]; policy: VotePolicy; channel: ChatChannel | null }> {
    const { board, field } = boardOf(type);
    const members: Person[] = [];
    for (const email of board.members) {
      const p = await directory.personByEmail(email);
      if (!p)
        throw new AppError(
          'data_invalid',
          `CAB member ${email} (itil.json ${field}.members) is not in the directory.`,
          { field: 'changes.cab.members' },
        );
      members.push(p);
    }
    if (members.length === 0)
      throw new AppError(
        'data_invalid',
        `No ${type === 'emergency' ? 'emergency ' : ''}CAB members are configured: add emails to ${field}.members in data/itil.json.`,
        { field: 'changes.cab.members' },
      );
    return { members, policy: board.policy, channel: board.channel ?? null };
  }

  /** The board's vote thread, when its channel is configured (votes are echoed there). */
  const cabChannelOf = (change: ChangeRecord): ChatChannel | null =>
    boardOf(change.changeType).board.channel ?? null;

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
      const priority = priorityOf(impact, urgency);
      const ticket = await tickets.create(
        {
          kind: 'change',
          title: title.slice(0, 200),
          description: input.description ?? title,
          state: 'new',
          impact,
          urgency,
          priority,
          category: 'change',
          templateId: null,
          fields: { changeType: input.type, ...(std ? { standardTemplate: std.id } : {}) },
          requesterId: actor.id,
          groupId: group?.id ?? null,
          assigneeId: actor.id,
          channel: 'api',
          createdAt: now,
          sourceKey: null,
        },
        [
          {
            at: now,
            actorId: actor.id,
            type: 'created',
            to: 'new',
            reason: `${input.type} change requested`,
            data: {
              priority,
              impact,
              urgency,
              changeType: input.type,
              ...(std ? { standardTemplate: std.id } : {}),
            },
          },
        ],
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

    /** Sends the change for approval: standard ones are pre-approved, others go to the (emergency) CAB. */
    async submit(
      number: string,
      actor: Person,
      now: string,
    ): Promise<{ ticket: Ticket; change: ChangeRecord; voters: number[] }> {
      assertStaff(actor, 'submit changes');
      const { ticket, change } = await mustChange(number);
      expectPhase(ticket, change, ['draft'], 'submit');
      if (!change.plannedStart || !change.plannedEnd)
        throw new AppError(
          'validation_failed',
          `${ticket.number} has no window yet: schedule it (plannedStart, plannedEnd) before submitting.`,
          { field: 'plannedStart' },
        );
      const cabWhy =
        change.changeType === 'standard' ? standardNeedsCab(ticket, change, config.standardCatalogue) : null;
      if (change.changeType === 'standard' && cabWhy === null) {
        const r = await move(ticket, change, 'scheduled', actor, 'standard change: pre-approved', now);
        return { ...r, voters: [] };
      }
      const { members, policy, channel } = await cabMembers(change.changeType);
      const ids = members.map((m) => m.id);
      await itil.addApprovals(
        ids.map((approverId) => ({
          ticketId: ticket.id,
          approverId,
          purpose: 'cab' as const,
          policy,
          requestedAt: now,
        })),
      );
      const r = await move(
        ticket,
        change,
        'cab',
        actor,
        cabWhy ?? `${change.changeType === 'emergency' ? 'emergency ' : ''}CAB vote (${policy})`,
        now,
        { cabPolicy: policy },
      );
      await recordEvents(
        tickets,
        ticket.id,
        [
          {
            at: now,
            actorId: actor.id,
            type: 'approval',
            to: 'requested',
            reason: `CAB vote (${policy})`,
            data: { approvers: ids, policy, purpose: 'cab', thread: channel !== null },
          },
        ],
        now,
      );
      const summary = `${ticket.number} "${ticket.title}" (${change.changeType}, risk ${change.riskLevel} ${change.riskScore}: ${change.riskReasons.join('; ')}). Window ${change.plannedStart} – ${change.plannedEnd}. Policy: ${policy}`;
      const choices = approvalChoices(ticket.number, 'cab');
      const inThread =
        channel !== null &&
        (await notifier.openCabThread(
          r.ticket,
          channel,
          [
            `CAB vote needed: ${summary} of ${ids.length} (${members.map((m) => m.displayName).join(', ')}).`,
            'Vote with the buttons or reply in this thread with "approve: <comment>" or "reject: <comment>"; anything else said here is kept on the change as discussion.',
          ].join('\n'),
          choices,
          'card',
        ));
      for (const id of ids) {
        if (inThread)
          await notifier.notifyPerson(
            id,
            `CAB vote on ${ticket.number} "${ticket.title}" is open in its thread in the CAB channel: vote and discuss there (or reply here: approve ${ticket.number}: <comment>).`,
            `cab:${ticket.number}`,
          );
        else await notifier.notifyPerson(id, `CAB vote needed: ${summary}.`, `cab:${ticket.number}`, choices);
      }
      return { ...r, voters: ids };
    },

    /** A CAB member votes; the board's policy (any / all / majority) decides when the vote is over. */
    async vote(
      number: string,
      voter: Person,
      vote: 'approve' | 'reject',
      comment: string | null,
      now: string,
    ): Promise<{ ticket: Ticket; change: ChangeRecord; outcome: Outcome }> {
      const { ticket, change } = await mustChange(number);
      const rows = await itil.approvalsOf(ticket.id, 'cab');
      const mine = rows.find((r) => r.approverId === voter.id);
      if (!mine) {
        if (!canSeeTicket(voter, ticket)) throw unknownTicket(ticket.number);
        throw new AppError('forbidden', `You are not on the CAB for ${ticket.number}.`);
      }
      if (change.phase !== 'cab' || mine.state !== 'pending')
        throw new AppError(
          'conflict',
          `${ticket.number} needs no vote from you any more (${mine.state === 'pending' ? `it is ${change.phase}` : `you voted ${mine.state === 'approved' ? 'approve' : mine.state === 'rejected' ? 'reject' : 'after the decision'}`}).`,
        );
      const text = comment?.trim() ? comment.trim().slice(0, 2000) : null;
      const state = vote === 'approve' ? 'approved' : 'rejected';
      if (!(await itil.decideApproval(ticket.id, voter.id, 'cab', state, text, now)))
        throw new AppError('conflict', `${ticket.number} needs no vote from you any more.`);
      await recordEvents(
        tickets,
        ticket.id,
        [
          {
            at: now,
            actorId: voter.id,
            type: 'voted',
            to: vote,
            reason: text,
            data: { voterId: voter.id },
          },
        ],
        now,
      );
      const after = await itil.approvalsOf(ticket.id, 'cab');
      const outcome = outcomeOf(after, change.cabPolicy);
      const tally = tallyLine(tallyOf(after), change.cabPolicy);
      const channel = cabChannelOf(change);
      if (channel)
        await notifier.notifyCabThread(
          ticket,
          channel,
          `${voter.displayName} votes ${vote}${text ? `: ${text}` : ''}. ${tally}.`,
          `vote:${voter.id}`,
        );
      const current = async () => ({
        ticket: (await tickets.byId(ticket.id)) ?? ticket,
        change: (await itil.change(ticket.id)) ?? change,
        outcome,
      });
      if (outcome === 'pending') return current();
      // The vote that decides closes it, once: two deciding votes at the same moment (maybe in two
      // processes) both see the outcome, only the one whose claim wins moves the change and tells people.
      const won = await itil.claimNotification({
        key: `cab-outcome:${ticket.number}`,
        ticketId: ticket.id,
        kind: 'cab_outcome',
        clock: 'cab',
        dueAt: null,
        createdAt: now,
      });
      if (!won) return current();
      await itil.withdrawPending(ticket.id, 'cab', now);
      const r = await move(
        ticket,
        change,
        outcome === 'approved' ? 'scheduled' : 'rejected',
        voter,
        `CAB ${outcome} (${change.cabPolicy})`,
        now,
      );
      const result =
        outcome === 'approved'
          ? `it is scheduled for ${change.plannedStart} – ${change.plannedEnd}`
          : 'it will not be implemented';
      const told = await notifier.notifyPerson(
        ticket.requesterId,
        `CAB ${outcome} ${ticket.number} "${ticket.title}"${outcome === 'approved' ? `; ${result}` : ''}.`,
        `cab-outcome:${ticket.number}`,
      );
      if (channel)
        await notifier.notifyCabThread(
          r.ticket,
          channel,
          `CAB ${outcome} ${ticket.number} "${ticket.title}" (${tally}); ${result}.${told ? ' The requester has been told.' : ''}`,
          'outcome',
        );
      return { ...r, outcome };
    },

    /**
     * Something said in the change's CAB thread that is not a vote: kept on the change as a comment
     * (with who said it), so the decision's reasoning stays with the record.
     */
    async discuss(
      number: string,
      author: Person,
      body: string,
      platform: string | null,
      now: string,
    ): Promise<void> {
      const { ticket } = await mustChange(number);
      const text = body.trim().slice(0, COMMENT_MAX);
      if (!text) return;
      await recordEvents(
        tickets,
        ticket.id,
        [
          {
            at: now,
            actorId: author.id,
            type: 'commented',
            data: { internal: true, byAgent: false, length: text.length, cab: true },
          },
        ],
        now,
      );
      await tickets.addComment({
        ticketId: ticket.id,
        authorId: author.id,
        body: text,
        internal: true,
        platform,
        createdAt: now,
      });
    },

    /** The change a CAB thread belongs to (threads are bound to the ticket id). */
    async numberOf(ticketId: number): Promise<string> {
      const t = await tickets.byId(ticketId);
      if (!t || t.kind !== 'change')
        throw new AppError('not_found', 'This thread is not linked to a change.');
      return t.number;
    },

    async implement(
      number: string,
      actor: Person,
      now: string,
    ): Promise<{ ticket: Ticket; change: ChangeRecord }> {
      assertStaff(actor, 'implement changes');
      const { ticket, change } = await mustChange(number);
      expectPhase(ticket, change, ['scheduled'], 'start implementing');
      if (change.plannedStart && change.plannedEnd) {
        // Starting outside the approved window is allowed (early/late), but never inside a blackout.
        const end = new Date(Math.max(Date.parse(now) + 60_000, Date.parse(change.plannedEnd))).toISOString();
        refuseBlackout(now, end, change.changeType);
      }
      return move(ticket, change, 'implementing', actor, 'implementation started', now);
    },

    async complete(
      number: string,
      actor: Person,
      notes: string | null,
      now: string,
    ): Promise<{ ticket: Ticket; change: ChangeRecord }> {
      assertStaff(actor, 'complete changes');
      const { ticket, change } = await mustChange(number);
      expectPhase(ticket, change, ['implementing'], 'complete');
      return move(ticket, change, 'review', actor, notes ?? 'implemented; awaiting review', now);
    },

    async review(
      number: string,
      actor: Person,
      input: { successful: boolean; notes?: string | null },
      now: string,
    ): Promise<{ ticket: Ticket; change: ChangeRecord }> {
      assertStaff(actor, 'review changes');
      const { ticket, change } = await mustChange(number);
      expectPhase(ticket, change, ['review'], 'review');
      const review = `${input.successful ? 'successful' : 'unsuccessful'}${input.notes ? `: ${input.notes}` : ''}`;
      return move(ticket, change, 'closed', actor, `post-implementation review: ${review}`, now, { review });
    },

    async cancel(
      number: string,
      actor: Person,
      reason: string | null,
      now: string,
    ): Promise<{ ticket: Ticket; change: ChangeRecord }> {
      assertStaff(actor, 'cancel changes');
      const { ticket, change } = await mustChange(number);
      expectPhase(ticket, change, ['draft', 'cab', 'scheduled'], 'cancel');
      await itil.withdrawPending(ticket.id, 'cab', now);
      return move(ticket, change, 'cancelled', actor, reason ?? 'cancelled', now);
    },

    /** Records that an incident was caused by this change (for change success KPIs and review). */
    async linkIncident(number: string, incidentNumber: string, actor: Person, now: string): Promise<boolean> {
      assertStaff(actor, 'link incidents to changes');
      const { ticket } = await mustChange(number);
      const incident = await mustTicket(tickets, incidentNumber, 'incident');
      const added = await itil.link(incident.id, ticket.id, 'caused_by_change', actor.id, now);
      if (!added) return false;
      await recordEvents(
        tickets,
        incident.id,
        [
          {
            at: now,
            actorId: actor.id,
            type: 'linked',
            to: ticket.number,
            reason: 'caused by change',
            data: { kind: 'caused_by_change', change: ticket.number },
          },
        ],
        now,
      );
      await recordEvents(
        tickets,
        ticket.id,
        [
          {
            at: now,
            actorId: actor.id,
            type: 'linked',
            to: incident.number,
            reason: 'incident caused by this change',
            data: { kind: 'caused_incident', incident: incident.number },
          },
        ],
        now,
      );
      return true;
    },

    async view(number: string, viewer: Person): Promise<ChangeView> {
      assertStaff(viewer, 'view changes');
      const { ticket, change } = await mustChange(number);
      const votes = await itil.approvalsOf(ticket.id, 'cab');
      const caused = await itil.ticketsByIds(await itil.linkedFrom(ticket.id, 'caused_by_change'));
      return {
        ticket,
        change,
        assets: await itil.assetsOfTicket(ticket.id),
        votes: votes.map((v) => ({ approverId: v.approverId, state: v.state, comment: v.comment })),
        causedIncidents: caused.map((t) => t.number),
      };
    },
  };
}

export type ChangeService = ReturnType<typeof createChangeService>;
