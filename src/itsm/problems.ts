/**
 * Problem management: problems are tickets of kind 'problem' linked to their incidents; root cause and
 * known error (workaround + match keywords) live in the problems table. New reports that match a known
 * error get the workaround at once and are linked; resolving a problem tells every linked requester;
 * bursts of similar incidents are flagged to the group as a possible problem.
 */
import { AppError } from '../errors.js';
import { assertTransition } from './lifecycle.js';
import type { DirectoryStore, Person, TicketStore } from './ports.js';
import type { ItilConfig } from './practices-config.js';
import type { ItilNotifier, ItilStore, ProblemRecord } from './practices-port.js';
import {
  applyToTicket,
  assertStaff,
  jaccard,
  mustTicket,
  openStaffTicket,
  recordEvents,
  tokens,
} from './service-helpers.js';
import { LEVELS, type Level, OPEN_STATES, type Ticket } from './types.js';

/** The NLU's sentence similarity, as the problem service needs it (src/nlu/types.ts implements it). */
export interface TextSimilarity {
  scores(query: string, candidates: readonly string[]): Promise<number[]>;
}

// ---------------------------------------------------------------------------------------------
// Pure rules

export interface ClusterInput {
  id: number;
  text: string;
  createdAt: string;
}

/**
 * Groups reports that look alike (word overlap ≥ `similarity` with any member, single link) and arrived
 * within `windowMinutes` of the cluster's first report. Returns clusters of at least `minSize`, largest first.
 */
export function findClusters(
  items: readonly ClusterInput[],
  opts: { minSize: number; windowMinutes: number; similarity: number },
): number[][] {
  const sorted = [...items].sort((a, b) =>
    a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id - b.id,
  );
  const toks = new Map(sorted.map((i) => [i.id, tokens(i.text)]));
  const clusters: Array<{ ids: number[]; start: number }> = [];
  const windowMs = opts.windowMinutes * 60_000;
  for (const it of sorted) {
    const at = Date.parse(it.createdAt);
    const mine = toks.get(it.id) as Set<string>;
    let best: { ids: number[]; start: number } | null = null;
    let bestSim = 0;
    for (const c of clusters) {
      if (at - c.start > windowMs) continue;
      for (const id of c.ids) {
        const s = jaccard(mine, toks.get(id) as Set<string>);
        if (s >= opts.similarity && s > bestSim) {
          best = c;
          bestSim = s;
        }
      }
    }
    if (best) best.ids.push(it.id);
    else clusters.push({ ids: [it.id], start: at });
  }
  return clusters
    .filter((c) => c.ids.length >= opts.minSize)
    .map((c) => c.ids)
    .sort((a, b) => b.length - a.length);
}

/** Share of a known error's keywords found in a message (0 when it has none). */
export function knownErrorScore(keywords: readonly string[], text: string): number {
  if (keywords.length === 0) return 0;
  const t = tokens(text);
  const kw = [...tokens(keywords.join(' '))];
  if (kw.length === 0) return 0;
  return kw.filter((k) => t.has(k)).length / kw.length;
}

/** Default match keywords of a known error: the distinctive words of the problem's title. */
export function defaultKeywords(title: string): string[] {
  return [...tokens(title)].slice(0, 6);
}

// ---------------------------------------------------------------------------------------------
// Service

export interface ProblemServiceDeps {
  tickets: TicketStore;
  directory: DirectoryStore;
  itil: ItilStore;
  notifier: ItilNotifier;
  config: ItilConfig['problems'];
  /** Closeness in meaning (sentence embeddings, src/nlu); without it known errors match by keywords. */
  similarity?: TextSimilarity | undefined;
}

export interface ProblemView {
  problem: Ticket;
  record: ProblemRecord;
  incidents: Array<Pick<Ticket, 'number' | 'title' | 'state' | 'requesterId'>>;
}

const OPEN = new Set<string>(OPEN_STATES);

export function createProblemService(deps: ProblemServiceDeps) {
  const { tickets, itil, notifier } = deps;

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

  async function mustProblem(number: string): Promise<Ticket> {
    return mustTicket(tickets, number, 'problem');
  }

  return {
    /** An agent opens a problem from one or more incidents; priority is the worst of theirs unless given. */
    async create(
      actor: Person,
      input: { title: string; description?: string; incidents: string[]; impact?: Level; urgency?: Level },
      now: string,
    ): Promise<Ticket> {
      assertStaff(actor, 'create problems');
      const title = input.title.trim();
      if (!title)
        throw new AppError('validation_failed', 'A problem needs a title: what keeps going wrong?', {
          field: 'title',
        });
      const incidents: Ticket[] = [];
      for (const n of input.incidents) incidents.push(await mustTicket(tickets, n, 'incident'));
      const worst = (pick: (t: Ticket) => Level): Level =>
        LEVELS.find((l) => incidents.some((t) => pick(t) === l)) ?? 'medium';
      const impact = input.impact ?? worst((t) => t.impact);
      const urgency = input.urgency ?? worst((t) => t.urgency);
      const problem = await openStaffTicket(
        tickets,
        actor,
        {
          kind: 'problem',
          title,
          description: input.description ?? title,
          impact,
          urgency,
          category: incidents[0]?.category ?? null,
          fields: {},
          groupId: incidents[0]?.groupId ?? null,
        },
        { reason: `problem opened from ${incidents.map((t) => t.number).join(', ') || 'no incident'}` },
        now,
      );
      await itil.saveProblem({
        ticketId: problem.id,
        rootCause: null,
        workaround: null,
        knownError: false,
        keywords: [],
        updatedAt: now,
      });
      for (const inc of incidents)
        await linkOne(problem, inc, actor.id, `linked when ${problem.number} was opened`, now);
      return (await tickets.byId(problem.id)) ?? problem;
    },

    async link(problemNumber: string, incidentNumber: string, actor: Person, now: string): Promise<boolean> {
      assertStaff(actor, 'link incidents to problems');
      const problem = await mustProblem(problemNumber);
      return linkOne(
        problem,
        await mustTicket(tickets, incidentNumber, 'incident'),
        actor.id,
        `linked by ${actor.displayName}`,
        now,
      );
    },

    async setRootCause(
      problemNumber: string,
      actor: Person,
      rootCause: string,
      now: string,
    ): Promise<ProblemRecord> {
      assertStaff(actor, 'record a root cause');
      const problem = await mustProblem(problemNumber);
      const rec = { ...(await record(problem)), rootCause: rootCause.trim(), updatedAt: now };
      await itil.saveProblem(rec);
      await recordEvents(
        tickets,
        problem.id,
        [
          {
            at: now,
            actorId: actor.id,
            type: 'field_changed',
            to: rec.rootCause,
            reason: 'root cause recorded',
            data: { field: 'root_cause' },
          },
        ],
        now,
      );
      return rec;
    },

    /** Publishes the workaround as a known error: from now on matching reports get it at once. */
    async publishKnownError(
      problemNumber: string,
      actor: Person,
      input: { workaround: string; keywords?: string[] },
      now: string,
    ): Promise<ProblemRecord> {
      assertStaff(actor, 'publish known errors');
      const problem = await mustProblem(problemNumber);
      const workaround = input.workaround.trim();
      if (!workaround)
        throw new AppError('validation_failed', 'A known error needs a workaround people can apply.', {
          field: 'workaround',
        });
      const keywords = (
        input.keywords && input.keywords.length > 0 ? input.keywords : defaultKeywords(problem.title)
      ).map((k) => k.toLowerCase());
      const rec = { ...(await record(problem)), workaround, knownError: true, keywords, updatedAt: now };
      await itil.saveProblem(rec);
      await recordEvents(
        tickets,
        problem.id,
        [
          {
            at: now,
            actorId: actor.id,
            type: 'field_changed',
            to: 'known_error',
            reason: 'known error published',
            data: { field: 'known_error', workaround, keywords },
          },
        ],
        now,
      );
      return rec;
    },

    /** The best known error for a message, if it matches well enough. */
    async matchKnownError(
      text: string,
    ): Promise<{ problem: Ticket; record: ProblemRecord; score: number } | null> {
      let best: { record: ProblemRecord; score: number } | null = null;
      const known = await itil.knownErrors();
      // By meaning first: "cannot receive any mail in outlook" is "Outlook is down" with no word in common
      // but one. Keywords still match when no encoder is loaded or the title says too little.
      const titles = deps.similarity
        ? await itil.ticketsByIds(known.map((k) => k.ticketId)).catch(() => [])
        : [];
      const meaning =
        deps.similarity && titles.length > 0
          ? await deps.similarity.scores(
              text,
              known.map((k) => titles.find((t) => t.id === k.ticketId)?.title ?? k.keywords.join(' ')),
            )
          : [];
      for (const [i, rec] of known.entries()) {
        const byWords = knownErrorScore(rec.keywords, text);
        const byMeaning = meaning[i] ?? 0;
        const score = byMeaning >= deps.config.knownErrorMeaning ? Math.max(byMeaning, byWords) : byWords;
        if (
          (byWords >= deps.config.knownErrorMatch || byMeaning >= deps.config.knownErrorMeaning) &&
          (!best || score > best.score)
        )
          best = { record: rec, score };
      }
      if (!best) return null;
      const problem = await tickets.byId(best.record.ticketId);
      return problem ? { problem, record: best.record, score: best.score } : null;
    },

    /**
     * For a freshly opened incident: when its text matches a known error, links it to the problem and
     * returns the workaround for the bot to offer. Null when nothing matches.
     */
    async offerWorkaround(
      incident: Ticket,
      text: string,
      now: string,
    ): Promise<{ problem: string; workaround: string; reply: string } | null> {
      if (incident.kind !== 'incident') return null;
      const m = await this.matchKnownError(text);
      if (!m?.record.workaround) return null;
      // Linked already (by the chat hook or the sweep): the workaround was offered then.
      const linked = await linkOne(
        m.problem,
        incident,
        null,
        `matched known error ${m.problem.number} (score ${m.score.toFixed(2)})`,
        now,
      );
      if (!linked) return null;
      return {
        problem: m.problem.number,
        workaround: m.record.workaround,
        reply: `This looks like a known issue we are working on (${m.problem.number}: ${m.problem.title}). Until it is fixed, this should help: ${m.record.workaround}. I've linked ${incident.number} so you'll hear when it is resolved.`,
      };
    },

    async view(problemNumber: string, viewer: Person): Promise<ProblemView> {
      assertStaff(viewer, 'view problems');
      const problem = await mustProblem(problemNumber);
      const incidents = await itil.ticketsByIds(await itil.linkedFrom(problem.id, 'problem'));
      return {
        problem,
        record: await record(problem),
        incidents: incidents.map((t) => ({
          number: t.number,
          title: t.title,
          state: t.state,
          requesterId: t.requesterId,
        })),
      };
    },

    /** Moves the problem; resolving it tells every requester of a linked incident. */
    async transition(
      problemNumber: string,
      to: Ticket['state'],
      actor: Person,
      reason: string | null,
      now: string,
    ): Promise<{ problem: Ticket; notified: number; openIncidents: string[] }> {
      assertStaff(actor, 'work on problems');
      const current = await mustProblem(problemNumber);
      const problem = await applyToTicket(
        tickets,
        current.id,
        (t) => {
          assertTransition(t.state, to, {
            now,
            resolvedAt: t.resolvedAt,
            pendingReason: to === 'pending' ? 'vendor' : null,
            ticketNumber: t.number,
          });
          return {
            patch: {
              state: to,
              pendingReason: to === 'pending' ? 'vendor' : null,
              ...(to === 'resolved' ? { resolvedAt: now } : {}),
              ...(to === 'closed' || to === 'cancelled' ? { closedAt: now } : {}),
            },
            events: [{ at: now, actorId: actor.id, type: 'state_changed', from: t.state, to, reason }],
          };
        },
        now,
      );
      let notified = 0;
      const openIncidents: string[] = [];
      if (to === 'resolved') {
        const linked = await itil.ticketsByIds(await itil.linkedFrom(problem.id, 'problem'));
        for (const inc of linked) {
          // Still open: the agent is offered to resolve it (resolveIncidents), which asks its requester
          // to confirm; telling them "fixed" now would leave an open ticket behind the good news.
          if (OPEN.has(inc.state)) {
            openIncidents.push(inc.number);
            continue;
          }
          await notifier.notifyRequester(
            inc,
            `Good news: the underlying problem behind ${inc.number} (${problem.number}: ${problem.title}) is fixed${reason ? `: ${reason}` : ''}. If ${inc.number} still happens, reply here.`,
            `problem-resolved:${problem.number}`,
          );
          notified++;
        }
      }
      return { problem, notified, openIncidents };
    },
  };
}

export type ProblemService = ReturnType<typeof createProblemService>;
