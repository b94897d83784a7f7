/**
 * Triage: category and assignment group from ticket text (two TF-IDF softmax models), impact and
 * urgency from cue phrases, with the terms and similar past tickets that explain the choice.
 */
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { LinearTextClassifier, type SerializedLinearText } from '../model/linear-text-classifier.js';
import type { SoftmaxConfig } from '../model/softmax.js';
import type { SparseVector } from '../text/tfidf.js';
import type { NearestExample, TriageModel, TriagePrediction } from '../types.js';
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

export interface TriageTrainOptions {
  charNgrams?: boolean;
  minDf?: number;
  softmax?: Partial<SoftmaxConfig>;
}

const MAX_EXPLAIN_EXAMPLES = 2000;

function cosine(a: SparseVector, b: SparseVector): number {
  let s = 0;
  let na = 0;
  let nb = 0;
  for (const v of a.val) na += v * v;
  for (const v of b.val) nb += v * v;
  let i = 0;
  let j = 0;
  while (i < a.idx.length && j < b.idx.length) {
    const ai = a.idx[i] as number;
    const bj = b.idx[j] as number;
    if (ai === bj) s += (a.val[i++] as number) * (b.val[j++] as number);
    else if (ai < bj) i++;
    else j++;
  }
  return na > 0 && nb > 0 ? s / Math.sqrt(na * nb) : 0;
}

export class TicketTriage implements TriageModel {
  /** Computed on first use: loading must stay fast, and explanations are not needed until then. */
  private exampleVecs: SparseVector[] | null = null;

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

  async predict(text: string): Promise<TriagePrediction> {
    const cat = this.category.predict(text);
    const grp = this.group?.predict(text) ?? null;
    const cues = this.cues.match(text);
    this.exampleVecs ??= this.examples.map((e) => this.category.tfidf.transform(e.text));
    const vecs = this.exampleVecs;
    const nearest: NearestExample[] = this.examples
      .map((e, i) => ({
        text: e.text,
        intent: e.category,
        similarity: cosine(cat.x, vecs[i] as SparseVector),
      }))
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, 3)
      .map((n) => ({ ...n, similarity: Number(n.similarity.toFixed(4)) }));
    return {
      category: cat.label,
      group: grp?.label ?? null,
      confidence: cat.confidence,
      impact: cues.impact,
      urgency: cues.urgency,
      priorityReasons: cues.reasons,
      explanation: { terms: this.category.topTerms(cat.x, cat.label), nearest },
    };
  }
}
