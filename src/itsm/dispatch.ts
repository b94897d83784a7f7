/**
 * Automatic dispatch: rules pick an assignment group (data/rules.json), then a strategy picks an agent
 * inside it. Every decision carries a sentence saying why, shown to agents and stored on the event.
 */
import { z } from 'zod';
import { loadDataFile, parseDataWith } from './data-file.js';
import type { TicketKind } from './types.js';

const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const slug = z.string().regex(SLUG_RE, 'expected a lowercase slug like "service-desk"');
const nonEmptyList = z.array(z.string().trim().min(1)).min(1);

const ruleSchema = z
  .object({
    /** Optional label used in reasons ("rule network"). */
    name: z.string().min(1).optional(),
    match: z
      .object({
        category: nonEmptyList.optional(),
        keywords: nonEmptyList.optional(),
        kind: z
          .array(z.enum(['incident', 'service_request', 'problem', 'change']))
          .min(1)
          .optional(),
      })
      .strict()
      .refine((m) => m.category !== undefined || m.keywords !== undefined || m.kind !== undefined, {
        message: 'a rule needs at least one of category, keywords, kind',
      }),
    group: slug,
  })
  .strict();

/** Schema of `data/rules.json`: rules are tried in order, the first match wins, else `defaultGroup`. */
const rulesConfigSchema = z
  .object({
    defaultGroup: slug,
    rules: z.array(ruleSchema).default([]),
  })
  .strict();

export type RulesConfig = z.output<typeof rulesConfigSchema>;

/** Validates parsed JSON as routing rules; `source` names the origin in errors. */
export function parseRulesConfig(json: unknown, source = 'rules.json'): RulesConfig {
  return parseDataWith(rulesConfigSchema, json, source);
}

/** Reads `data/rules.json`; a bad file throws AppError('data_invalid') naming file and field. */
export function loadRulesConfig(file: string): Promise<RulesConfig> {
  return loadDataFile(rulesConfigSchema, file);
}

/** What routing looks at. `text` is extra text (e.g. the chat message) searched with title and description. */
interface RoutableTicket {
  kind?: TicketKind | null;
  category?: string | null;
  title?: string | null;
  description?: string | null;
  text?: string | null;
}

interface RouteDecision {
  group: string;
  reason: string;
  /** Index of the matching rule, or null when the default group was used. */
  ruleIndex: number | null;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const keywordCache = new Map<string, RegExp>();
/**
 * Whole-word, case-insensitive; a trailing s/es is tolerated so "printer" matches "printers".
 * Why whole words: "vpn" must not fire on "vpnx", and "ad" must not fire on every "add".
 */
function keywordRe(keyword: string): RegExp {
  const key = keyword.toLowerCase();
  let re = keywordCache.get(key);
  if (!re) {
    const body = key.trim().split(/\s+/).map(escapeRe).join('\\s+');
    re = new RegExp(`(?<![\\p{L}\\p{N}])${body}(?:e?s)?(?![\\p{L}\\p{N}])`, 'iu');
    keywordCache.set(key, re);
  }
  return re;
}

/**
 * First rule whose every given condition holds (category: one of the listed, case-insensitive;
 * keywords: any appears in title/description/text; kind: one of the listed), else the default group.
 */
export function routeToGroup(ticket: RoutableTicket, config: RulesConfig): RouteDecision {
  const haystack = [ticket.title, ticket.description, ticket.text].filter((s): s is string => !!s).join('\n');
  const category = ticket.category?.trim().toLowerCase() ?? null;

  for (const [index, rule] of config.rules.entries()) {
    const why: string[] = [];
    const { match } = rule;
    if (match.kind) {
      if (!ticket.kind || !match.kind.includes(ticket.kind)) continue;
      why.push(`kind ${ticket.kind}`);
    }
    if (match.category) {
      const hit = category !== null ? match.category.find((c) => c.toLowerCase() === category) : undefined;
      if (hit === undefined) continue;
      why.push(`category "${hit}"`);
    }
    if (match.keywords) {
      const hit = match.keywords.find((k) => keywordRe(k).test(haystack));
      if (hit === undefined) continue;
      why.push(`keyword "${hit}"`);
    }
    const label = rule.name ? `rule "${rule.name}"` : `rule ${index + 1}`;
    return {
      group: rule.group,
      reason: `${label} matched ${why.join(' and ')} → ${rule.group}`,
      ruleIndex: index,
    };
  }
  return {
    group: config.defaultGroup,
    reason: `no rule matched → default group ${config.defaultGroup}`,
    ruleIndex: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Agent choice

type DispatchStrategy = 'least_load' | 'round_robin' | 'skills';

export interface AgentCandidate<Id extends string | number = number> {
  userId: Id;
  /** Open tickets currently assigned to the agent. */
  openCount: number;
  away: boolean;
  /** Most open tickets the agent takes; absent = unlimited. */
  capacity?: number | null;
  skills?: readonly string[];
  /** ISO time of the agent's last assignment; null/absent = never, which comes first in the rotation. */
  lastAssignedAt?: string | null;
}

interface ChooseAgentOptions {
  strategy: DispatchStrategy;
  /** For `skills`: the agent must have all of them (case-insensitive). */
  requiredSkills?: readonly string[];
}

type AgentChoice<Id extends string | number = number> =
  | { userId: Id; reason: string }
  | { userId: null; reason: string };

const compareIds = (a: string | number, b: string | number): number =>
  typeof a === 'number' && typeof b === 'number'
    ? a - b
    : String(a).localeCompare(String(b), 'en', { numeric: true });

/** Never-assigned first, then oldest assignment, then lowest id: a fair, deterministic rotation. */
function rotationOrder<Id extends string | number>(a: AgentCandidate<Id>, b: AgentCandidate<Id>): number {
  const la = a.lastAssignedAt ?? '';
  const lb = b.lastAssignedAt ?? '';
  if (la !== lb) return la < lb ? -1 : 1;
  return compareIds(a.userId, b.userId);
}

/**
 * Picks one agent. Away agents and agents at capacity are skipped; then
 * - `least_load`: fewest open tickets; ties by rotation (least recently assigned, then lowest id);
 * - `round_robin`: rotation only, load ignored;
 * - `skills`: only agents with every required skill, then as least_load.
 * Returns `{ userId: null, reason }` when nobody fits, so the ticket stays queued for the group.
 */
export function chooseAgent<Id extends string | number>(
  candidates: readonly AgentCandidate<Id>[],
  opts: ChooseAgentOptions,
): AgentChoice<Id> {
  if (candidates.length === 0) return { userId: null, reason: 'the group has no agents' };
  const skipped: string[] = [];
  let pool = candidates.filter((c) => {
    if (c.away) {
      skipped.push(`${c.userId} away`);
      return false;
    }
    if (c.capacity !== undefined && c.capacity !== null && c.openCount >= c.capacity) {
      skipped.push(`${c.userId} at capacity ${c.openCount}/${c.capacity}`);
      return false;
    }
    return true;
  });
  const skippedText = skipped.length > 0 ? ` (skipped: ${skipped.join(', ')})` : '';
  if (pool.length === 0)
    return { userId: null, reason: `no agent available: all are away or at capacity${skippedText}` };

  let skillText = '';
  if (opts.strategy === 'skills') {
    const required = (opts.requiredSkills ?? []).map((s) => s.toLowerCase());
    if (required.length > 0) {
      pool = pool.filter((c) => {
        const has = new Set((c.skills ?? []).map((s) => s.toLowerCase()));
        return required.every((s) => has.has(s));
      });
      if (pool.length === 0) {
        return {
          userId: null,
          reason: `no available agent has the skills ${required.join(', ')}${skippedText}`,
        };
      }
      skillText = ` with skills ${required.join(', ')}`;
    }
  }

  const sorted = [...pool].sort((a, b) =>
    opts.strategy === 'round_robin' ? rotationOrder(a, b) : a.openCount - b.openCount || rotationOrder(a, b),
  );
  const best = sorted[0];
  if (!best) return { userId: null, reason: `no agent available${skippedText}` };
  const tied = sorted.filter((c) => c.openCount === best.openCount).length;
  let why: string;
  if (opts.strategy === 'round_robin') {
    why = `next in rotation (${best.lastAssignedAt ? `last assigned ${best.lastAssignedAt}` : 'never assigned yet'})`;
  } else {
    why = `least open tickets (${best.openCount})${tied > 1 ? `, tie with ${tied - 1} other(s) broken by rotation` : ''}`;
  }
  return { userId: best.userId, reason: `${best.userId}${skillText}: ${why}${skippedText}` };
}
