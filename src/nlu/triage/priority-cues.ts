/**
 * Impact and urgency from what people write ("the whole team", "I can't work", "no rush"):
 * phrase lists (authored in data/triage/cues.json), because a priority that changes an SLA clock
 * must be explainable in one sentence.
 */
import { z } from 'zod';
import { normalizeText } from '../text/normalize.js';
import type { Level } from '../types.js';

const levelLists = z
  .object({
    high: z.array(z.string().trim().min(1, 'a cue phrase must not be empty')).optional(),
    medium: z.array(z.string().trim().min(1, 'a cue phrase must not be empty')).optional(),
    low: z.array(z.string().trim().min(1, 'a cue phrase must not be empty')).optional(),
  })
  .strict();

export const cueFileSchema = z.object({ impact: levelLists, urgency: levelLists }).strict();
export type CueFile = z.infer<typeof cueFileSchema>;

/** Used when data/triage/cues.json is absent. */
export const DEFAULT_CUES: CueFile = {
  impact: {
    high: [
      'whole company',
      'whole office',
      'whole floor',
      'whole team',
      'whole department',
      'everyone',
      'everybody',
      'all users',
      'nobody can',
      'no one can',
      'outage',
      'production is down',
    ],
    medium: [
      'my team',
      'our team',
      'several people',
      'several colleagues',
      'multiple users',
      'a few of us',
      'my department',
    ],
  },
  urgency: {
    high: [
      'urgent',
      'asap',
      'as soon as possible',
      'immediately',
      'right now',
      'emergency',
      'critical',
      "can't work",
      'cannot work',
      'blocked',
      'deadline today',
    ],
    medium: ['today', 'soon', 'this week', 'by end of day', 'tomorrow', 'getting worse'],
    low: [
      'no rush',
      'not urgent',
      'no hurry',
      'low priority',
      'when you have time',
      'whenever',
      'i can still work',
    ],
  },
};

const RANK: Record<Level, number> = { high: 3, medium: 2, low: 1 };

interface CompiledCue {
  phrase: string;
  pattern: RegExp;
  level: Level;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(lists: CueFile['impact']): CompiledCue[] {
  const out: CompiledCue[] = [];
  for (const level of ['high', 'medium', 'low'] as const) {
    for (const phrase of lists[level] ?? []) {
      // Phrases go through the same normalisation as the text ("can't" → "cant").
      const norm = normalizeText(phrase);
      if (norm.length > 0)
        out.push({
          phrase,
          pattern: new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(norm)}(?![\\p{L}\\p{N}])`, 'u'),
          level,
        });
    }
  }
  return out;
}

interface PriorityCues {
  impact: Level;
  urgency: Level;
  reasons: string[];
}

export class PriorityCueMatcher {
  private readonly impact: CompiledCue[];
  private readonly urgency: CompiledCue[];

  constructor(cues: CueFile = DEFAULT_CUES) {
    this.impact = compile(cues.impact);
    this.urgency = compile(cues.urgency);
  }

  /**
   * A cue inside a longer matching cue does not count ("urgent" inside "not urgent"); among the
   * rest the highest level wins. Nothing matched → low.
   */
  private pick(cues: CompiledCue[], text: string): { level: Level; cue: CompiledCue | null } {
    const hits: Array<{ cue: CompiledCue; start: number; end: number }> = [];
    for (const cue of cues) {
      const m = cue.pattern.exec(text);
      if (m !== null) hits.push({ cue, start: m.index, end: m.index + m[0].length });
    }
    const kept = hits.filter(
      (h) =>
        !hits.some(
          (o) => o !== h && o.start <= h.start && o.end >= h.end && o.end - o.start > h.end - h.start,
        ),
    );
    let best: (typeof kept)[number] | null = null;
    for (const h of kept) if (best === null || RANK[h.cue.level] > RANK[best.cue.level]) best = h;
    return best === null ? { level: 'low', cue: null } : { level: best.cue.level, cue: best.cue };
  }

  match(text: string): PriorityCues {
    const norm = normalizeText(text);
    const impact = this.pick(this.impact, norm);
    const urgency = this.pick(this.urgency, norm);
    const reasons: string[] = [];
    reasons.push(
      impact.cue === null ? 'no impact cue → impact low' : `'${impact.cue.phrase}' → impact ${impact.level}`,
    );
    reasons.push(
      urgency.cue === null
        ? 'no urgency cue → urgency low'
        : `'${urgency.cue.phrase}' → urgency ${urgency.level}`,
    );
    return { impact: impact.level, urgency: urgency.level, reasons };
  }
}
