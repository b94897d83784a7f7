/**
 * Triage: category and assignment group from ticket text (two TF-IDF softmax models), impact and
 * urgency from cue phrases, with the terms and similar past tickets that explain the choice.
 */
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { LinearTextClassifier, type SerializedLinearText } from '../model/linear-text-classifier.js';
import type { SoftmaxConfig } from '../model/softmax.js';
import type { SparseVector } from '../text/tfidf.js';
import type { NearestExample, PredictOptions, TriageModel, TriagePrediction } from '../types.js';
import { PriorityCueMatcher } from './priority-cues.js';

export const triageTicketSchema = z.object({
  text: z.string().trim().min(1, 'text must not be empty'),
  category: z.string().trim().min(1, 'category must not be empty'),
  group: z.string().trim().min(1, 'group must not be empty').optional(),
});
export type TriageTicket = z.infer<typeof triageTicketSchema>;

export interface SerializedTriage {
  category: SerializedLinearText;
  group: SerializedLinearText | null;
  /** A bounded sample of training tickets, for "similar tickets" explanations. */
  examples: Array<{ text: string; category: string }>;
}

interface TriageTrainOptions {
  charNgrams?: boolean;
  minDf?: number;
  softmax?: Partial<SoftmaxConfig>;
}

const MAX_EXPLAIN_EXAMPLES = 2000;

const norm = (v: SparseVector): number => {
  let n = 0;
  for (const x of v.val) n += x * x;
  return Math.sqrt(n);
};

/** Dot product of two sparse vectors with sorted indices. */
function sparseDot(a: SparseVector, b: SparseVector): number {
  let s = 0;
  let i = 0;
  let j = 0;
  while (i < a.idx.length && j < b.idx.length) {
    const ai = a.idx[i] as number;
    const bj = b.idx[j] as number;
    if (ai === bj) s += (a.val[i++] as number) * (b.val[j++] as number);
    else if (ai < bj) i++;
    else j++;
  }
  return s;
}

export class TicketTriage implements TriageModel {
  /** Computed on first use: loading must stay fast, and explanations are not needed until then. */
  private exampleVecs: Array<{ vec: SparseVector; norm: number }> | null = null;

  constructor(
    readonly category: LinearTextClassifier,
    readonly group: LinearTextClassifier | null,
    private readonly examples: Array<{ text: string; category: string }>,
    private readonly cues: PriorityCueMatcher = new PriorityCueMatcher(),
  ) {}

  static train(
    tickets: readonly TriageTicket[],
    opts: TriageTrainOptions = {},
    cues?: PriorityCueMatcher,
  ): TicketTriage {
    if (new Set(tickets.map((t) => t.category)).size < 2) {
      throw new AppError(
        'data_invalid',
        'Triage needs tickets of at least two categories (data/triage/tickets.jsonl).',
      );
    }
    const tfidf = {
      charNgrams: opts.charNgrams ?? true,
      minDf: opts.minDf ?? (tickets.length > 5000 ? 3 : 1),
    };
    const category = LinearTextClassifier.fit(
      tickets.map((t) => ({ text: t.text, label: t.category })),
      { tfidf, ...(opts.softmax === undefined ? {} : { softmax: opts.softmax }) },
    );
    const withGroup = tickets.filter((t): t is TriageTicket & { group: string } => t.group !== undefined);
    const group =
      new Set(withGroup.map((t) => t.group)).size >= 2
        ? LinearTextClassifier.fit(
            withGroup.map((t) => ({ text: t.text, label: t.group })),
            { tfidf, ...(opts.softmax === undefined ? {} : { softmax: opts.softmax }) },
          )
        : null;
    const step = Math.max(1, Math.ceil(tickets.length / MAX_EXPLAIN_EXAMPLES));
    const examples = tickets
      .filter((_, i) => i % step === 0)
      .map((t) => ({ text: t.text, category: t.category }));
    return new TicketTriage(category, group, examples, cues);
  }

  serialize(): SerializedTriage {
    return {
      category: this.category.serialize(),
      group: this.group?.serialize() ?? null,
      examples: this.examples,
    };
  }

  static deserialize(s: SerializedTriage, cues?: PriorityCueMatcher): TicketTriage {
    return new TicketTriage(
      LinearTextClassifier.deserialize(s.category),
      s.group === null ? null : LinearTextClassifier.deserialize(s.group),
      s.examples,
      cues,
    );
  }

  predictCategory(text: string): string {
    return this.category.predict(text).label;
  }

  async predict(text: string, opts: PredictOptions = {}): Promise<TriagePrediction> {
    const cat = this.category.predict(text);
    const grp = this.group?.predict(text) ?? null;
    const cues = this.cues.match(text);
    const prediction = {
      category: cat.label,
      group: grp?.label ?? null,
      confidence: cat.confidence,
      impact: cues.impact,
      urgency: cues.urgency,
      priorityReasons: cues.reasons,
    };
    const terms = this.category.topTerms(cat.x, cat.label);
    if (opts.nearest === false) return { ...prediction, explanation: { terms, nearest: [] } };
    this.exampleVecs ??= this.examples.map((e) => {
      const vec = this.category.tfidf.transform(e.text);
      return { vec, norm: norm(vec) };
    });
    // The three most similar past tickets (cosine), kept in order while scanning: this runs for every
    // ticket opened, over up to 2,000 examples, so neither a full sort nor per-pair norms.
    const qn = norm(cat.x);
    const top: Array<{ i: number; sim: number }> = [];
    for (const [i, ex] of this.exampleVecs.entries()) {
      const sim = qn > 0 && ex.norm > 0 ? sparseDot(cat.x, ex.vec) / (qn * ex.norm) : 0;
      if (top.length === 3 && sim <= (top[2] as { sim: number }).sim) continue;
      let k = top.length;
      while (k > 0 && (top[k - 1] as { sim: number }).sim < sim) k--;
      top.splice(k, 0, { i, sim });
      if (top.length > 3) top.pop();
    }
    const nearest: NearestExample[] = top.map(({ i, sim }) => {
      const e = this.examples[i] as { text: string; category: string };
      return { text: e.text, intent: e.category, similarity: Number(sim.toFixed(4)) };
    });
    return { ...prediction, explanation: { terms, nearest } };
  }
}
