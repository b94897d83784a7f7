/**
 * One fit of the intent classifier on a set of rows: TF-IDF fitted on them (and the weak extras), the
 * embeddings scaled, the softmax trained. Temperature and the out-of-scope rule are left neutral: they
 * are fitted afterwards on held-out predictions (train-intents.ts).
 */
import type { Embedder } from '../embeddings/embedder.js';
import { type Example, type SoftmaxConfig, trainSoftmax } from '../model/softmax.js';
import { Tfidf } from '../text/tfidf.js';
import type { IntentAction } from '../types.js';
import { actionsFor } from './actions.js';
import { CONTEXT_FEATURES, denseInput, type KnowledgeScorer } from './decision-context.js';
import { IntentModel, type IntentModelState } from './intent-model.js';

/** A training or held-out text with its label index and embedding (null without an embedder). */
export interface Prepared {
  text: string;
  y: number;
  e: Float32Array | null;
  /** The context inputs (already scaled), when the model learns from them. */
  c: readonly number[] | null;
}

export interface FitSettings {
  labels: string[];
  actions: ReadonlyMap<string, IntentAction>;
  embedder: Embedder | null;
  /** Weak examples that only train the weights: never stored in the model. */
  extra: readonly Prepared[];
  softmax: SoftmaxConfig;
  charNgrams: boolean;
  minDf: number;
  embeddingWeight: number;
  /** The knowledge-score and ticket-number inputs, when the model learns from them. */
  context: { knowledge: KnowledgeScorer | null; weight: number } | null;
}

export function fitIntentRows(rows: readonly Prepared[], s: FitSettings): IntentModel {
  const { labels, embedder, extra, embeddingWeight } = s;
  const fitOn = extra.length === 0 ? rows : [...rows, ...extra];
  const tfidf = Tfidf.fit(
    fitOn.map((r) => r.text),
    { charNgrams: s.charNgrams, minDf: s.minDf },
  );
  const { context } = s;
  const examples: Example[] = fitOn.map((r) => ({
    x: tfidf.transform(r.text),
    e: denseInput(r.e, embeddingWeight, r.c),
    y: r.y,
  }));
  const denseDim = (embedder?.dim ?? 0) + (context === null ? 0 : CONTEXT_FEATURES.length);
  const softmax = trainSoftmax(
    examples,
    { classes: labels.length, sparseDim: tfidf.size, denseDim },
    s.softmax,
  );
  const state: IntentModelState = {
    format: 'chatdesk-intent-model',
    version: 1,
    labels,
    actions: actionsFor(labels, s.actions),
    tfidf: tfidf.state,
    softmax,
    embeddingWeight,
    temperature: 1,
    oos: { alpha: 1, threshold: 0 },
    embedderId: embedder?.id ?? null,
    context: context === null ? null : { features: CONTEXT_FEATURES, weight: context.weight },
    examples: rows.map((r) => ({ text: r.text, label: r.y })),
  };
  return new IntentModel(
    state,
    embedder,
    embedder === null ? null : rows.map((r) => r.e as Float32Array),
    context?.knowledge ?? null,
  );
}
