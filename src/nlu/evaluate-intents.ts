/**
 * Trains the production intent classifier on labelled texts and measures it on a test set:
 * the one code path behind `chatdesk eval` and the CLINC150 benchmark.
 */
import type { Embedder } from './embeddings/embedder.js';
import { IntentModel } from './intents/intent-model.js';
import {
  type HeldOutReport,
  type IntentTrainOptions,
  type LabeledText,
  trainIntentModel,
} from './intents/train-intents.js';
import { type OosMetrics, oosMetrics, percentile, round4 } from './metrics.js';
import { expectedCalibrationError } from './model/calibration.js';
import { embeddingInput } from './text/normalize.js';
import { OUT_OF_SCOPE } from './types.js';

interface IntentEvalResult extends OosMetrics {
  n_train: number;
  n_test: number;
  train_ms: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
  ece: number;
  /** In-scope accuracy of the argmax alone (no out-of-scope rule), to separate the two effects. */
  in_scope_accuracy_argmax: number;
  held_out: HeldOutReport;
}

interface IntentEvalOptions extends Omit<IntentTrainOptions, 'embedder' | 'validation'> {
  /** Encoder used for batch training/testing (usually a cache around `latencyEmbedder`). */
  embedder: Embedder | null;
  /** Uncached encoder for the single-query latency measurement, so latency includes real embedding. */
  latencyEmbedder?: Embedder | null;
  latencySamples?: number;
}

const mapOos = (rows: readonly LabeledText[], oosLabel: string): LabeledText[] =>
  rows.map((r) => (r.label === oosLabel ? { text: r.text, label: OUT_OF_SCOPE } : r));

export async function evaluateIntents(
  train: readonly LabeledText[],
  test: readonly LabeledText[],
  val: readonly LabeledText[] | undefined,
  oosLabel: string,
  opts: IntentEvalOptions,
): Promise<IntentEvalResult> {
  const trainRows = mapOos(train, oosLabel);
  const trained = await trainIntentModel(trainRows, {
    ...opts,
    embedder: opts.embedder,
    ...(val === undefined ? {} : { validation: mapOos(val, oosLabel) }),
  });
  const testRows = mapOos(test, oosLabel);
  const emb =
    opts.embedder === null
      ? testRows.map(() => null)
      : await opts.embedder.embed(testRows.map((r) => embeddingInput(r.text)));
  const gold: string[] = [];
  const pred: string[] = [];
  const confs: number[] = [];
  const correct: boolean[] = [];
  testRows.forEach((r, i) => {
    const s = trained.model.score(r.text, emb[i] ?? null);
    const label = s.outOfScope ? OUT_OF_SCOPE : (trained.model.labels[s.top] as string);
    gold.push(r.label);
    pred.push(label);
    if (r.label !== OUT_OF_SCOPE) {
      confs.push(s.prob);
      correct.push(trained.model.labels[s.top] === r.label);
    }
  });

  // Single-query latency through the public classify(), with the real (uncached) encoder.
  const latModel =
    opts.latencyEmbedder === undefined
      ? trained.model
      : new IntentModel(
          trained.state,
          opts.latencyEmbedder,
          opts.embedder === null
            ? null
            : await opts.embedder.embed(trained.state.examples.map((e) => embeddingInput(e.text))),
        );
  const samples = testRows.slice(0, opts.latencySamples ?? 300);
  const times: number[] = [];
  for (const r of samples) {
    const t = performance.now();
    await latModel.classify(r.text);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const m = oosMetrics(gold, pred, OUT_OF_SCOPE);
  return {
    accuracy: round4(m.accuracy),
    in_scope_accuracy: round4(m.in_scope_accuracy),
    oos_recall: round4(m.oos_recall),
    oos_precision: round4(m.oos_precision),
    macro_f1: round4(m.macro_f1),
    n_train: train.length,
    n_test: test.length,
    train_ms: Math.round(trained.trainMs),
    latency_p50_ms: round4(percentile(times, 0.5)),
    latency_p99_ms: round4(percentile(times, 0.99)),
    ece: round4(expectedCalibrationError(confs, correct)),
    in_scope_accuracy_argmax: round4(correct.filter(Boolean).length / Math.max(1, correct.length)),
    held_out: trained.heldOut,
  };
}
