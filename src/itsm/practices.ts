/**
 * The ITIL engine as one object for the composition root: SLA sweep, approvals, problems, changes,
 * CMDB and the dispatch extras, over the same stores and one notifier.
 */
import { AppError } from '../errors.js';
import { type ApprovalSpec, createApprovalService } from './approvals.js';
import { createAssetService, type WarrantyStatus, warrantyStatus } from './assets.js';
import { createChangeService } from './changes.js';
import type { DirectoryStore, ItilNotifier, ItilStore, TicketStore } from './ports.js';
import type { ItilConfig } from './practices-config.js';
import { createClusterService } from './problem-clustering.js';
import { createProblemService, type TextSimilarity } from './problems.js';
import type { SlaConfig } from './sla.js';
import { createSlaSweep, type SweepResult } from './sla-sweep.js';
import type { Person, Ticket } from './types.js';

interface ItilDeps {
  tickets: TicketStore;
  directory: DirectoryStore;
  itil: ItilStore;
  sla: SlaConfig;
  config: ItilConfig;
  notifier: ItilNotifier;
  /** Approval rules of the request templates that have one (template id → spec). */
  approvalsByTemplate?: ReadonlyMap<string, ApprovalSpec>;
  /** Sentence similarity of the NLU, for known-error matching by meaning. */
  similarity?: TextSimilarity | undefined;
}

interface OpenedResult {
  /** Lines for the bot to add to its reply to the requester, in order. */
  replies: string[];
  approvalRequested: boolean;
  knownError: string | null;
  asset: { tag: string; warranty: WarrantyStatus | null } | null;
}

export function createItil(deps: ItilDeps) {
  const base = { tickets: deps.tickets, directory: deps.directory, itil: deps.itil, notifier: deps.notifier };
  const slaSweep = createSlaSweep({ ...base, sla: deps.sla });
  const approvals = createApprovalService({ ...base, config: deps.config.approvals });
  const problems = createProblemService({
    ...base,
    config: deps.config.problems,
    similarity: deps.similarity,
  });
  const clusters = createClusterService({ ...base, config: deps.config.problems, problems });
  const changes = createChangeService({ ...base, config: deps.config.changes });
  const assets = createAssetService(base);

  /**
   * Does for tickets opened without the chat hook (REST, a dialog not yet calling onTicketOpened) what
   * the hook would have: asks for template approvals, links "my laptop", offers known-error workarounds.
   * Idempotent: approval rows and links are its memory.
   */
  async function catchUp(now: string, errors: string[]): Promise<number> {
    let n = 0;
    const specs = deps.approvalsByTemplate ?? new Map<string, ApprovalSpec>();
    for (const t of await deps.itil.requestsWithoutApprovals([...specs.keys()], 100)) {
      const spec = t.templateId ? specs.get(t.templateId) : undefined;
      if (!spec) continue;
      try {
        await approvals.request(t.number, spec, now);
        await deps.notifier.notifyRequester(
          t,
          `${t.number} needs approval first; I've asked for it and will tell you the decision.`,
          'approval:requested',
        );
        n++;
      } catch (error) {
        // One misconfigured template must not stop the sweep; the job logs it and agents still see the ticket.
        if (!(error instanceof AppError)) throw error;
        errors.push(`${t.number}: ${error.message}`);
      }
    }
    const since = new Date(
      Date.parse(now) - deps.config.problems.clusterWindowMinutes * 60_000,
    ).toISOString();
    for (const t of await deps.itil.recentOpenIncidents(since, 200)) {
      const text = `${t.title}\n${t.description}`;
      if ((await deps.itil.assetsOfTicket(t.id)).length === 0) {
        const requester = await deps.directory.personById(t.requesterId);
        if (requester && (await assets.linkMentionedAsset(t, requester, text, now))) n++;
      }
      if ((await deps.itil.linkedTo(t.id, 'problem')).length === 0) {
        const offer = await problems.offerWorkaround(t, text, now);
        if (offer) {
          await deps.notifier.notifyRequester(t, offer.reply, `known-error:${offer.problem}`);
          n++;
        }
      }
    }
    return n;
  }

  return {
    config: deps.config,
    slaSweep,
    approvals,
    problems,
    clusters,
    changes,
    assets,

    /** Everything periodic: SLA notices and escalations, approval reminders, possible-problem detection. */
    async sweep(
      now: string,
    ): Promise<
      SweepResult & { reminders: number; possibleProblems: number; caughtUp: number; errors: string[] }
    > {
      const errors: string[] = [];
      const caughtUp = await catchUp(now, errors);
      const r = await slaSweep.sweep(now);
      const reminders = await approvals.remind(now);
      const possible = await clusters.detect(now);
      return { ...r, reminders, possibleProblems: possible.length, caughtUp, errors };
    },

    /**
     * Call right after a ticket is opened from chat (hook for the dialogs): requests the template's
     * approval, links the requester's own device ("my laptop"), offers a known error's workaround.
     */
    async onTicketOpened(
      ticket: Ticket,
      requester: Person,
      text: string,
      approval: ApprovalSpec | null,
      now: string,
    ): Promise<OpenedResult> {
      const out: OpenedResult = { replies: [], approvalRequested: false, knownError: null, asset: null };
      if (approval) {
        const r = await approvals.request(ticket.number, approval, now);
        out.approvalRequested = true;
        out.replies.push(
          `${ticket.number} needs approval first; I've asked ${r.approvers.length === 1 ? 'your approver' : `${r.approvers.length} approvers`} and will tell you their decision.`,
        );
      }
      if (ticket.kind === 'incident') {
        const linked = await assets.linkMentionedAsset(ticket, requester, text, now);
        if (linked) {
          out.asset = { tag: linked.asset.tag, warranty: linked.warranty };
          out.replies.push(
            `I've linked your ${linked.asset.type} ${linked.asset.tag} (${linked.asset.name}) to ${ticket.number}.${linked.warranty ? ` Warranty: ${linked.warranty.text.replace(`${linked.asset.tag}: `, '')}.` : ''}`,
          );
        }
        const offer = await problems.offerWorkaround(ticket, text, now);
        if (offer) {
          out.knownError = offer.problem;
          out.replies.push(offer.reply);
        }
      }
      return out;
    },

    /** What a ticket is linked to, for the ticket view: assets (with warranty), problem, causing change, approvals. */
    async links(ticket: Ticket, now: string) {
      const [assetRows, problemIds, changeIds, approvalRows] = await Promise.all([
        deps.itil.assetsOfTicket(ticket.id),
        deps.itil.linkedTo(ticket.id, 'problem'),
        deps.itil.linkedTo(ticket.id, 'caused_by_change'),
        deps.itil.approvalsOf(ticket.id, 'request'),
      ]);
      const related = await deps.itil.ticketsByIds([...problemIds, ...changeIds]);
      const num = (id: number) => related.find((t) => t.id === id)?.number ?? null;
      return {
        assets: assetRows.map((a) => ({
          tag: a.tag,
          name: a.name,
          type: a.type,
          status: a.status,
          warranty: warrantyStatus(a, now),
        })),
        problem: problemIds.map(num).find((n) => n !== null) ?? null,
        causedByChange: changeIds.map(num).find((n) => n !== null) ?? null,
        approvals: approvalRows.map((a) => ({
          approverId: a.approverId,
          state: a.state,
          comment: a.comment,
          decidedAt: a.decidedAt,
        })),
      };
    },

    /** "I'm away" / "I'm back" from an agent: away agents get no automatic assignments. */
    async setAway(person: Person, away: boolean): Promise<string> {
      await deps.itil.setAway(person.id, away);
      return away
        ? "You're marked away: no new tickets will be assigned to you until you say you're back."
        : "Welcome back: you'll get new tickets again.";
    },
  };
}

export type Itil = ReturnType<typeof createItil>;
