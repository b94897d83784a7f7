/**
 * Training of the intent classifier: TF-IDF + embedding softmax, temperature and out-of-scope
 * rule fitted on held-out predictions (the validation set when given, else cross-validation
 * folds or a holdout slice), then a final fit on all training data.
 */
import { AppError } from '../../errors.js';
import type { Embedder } from '../embeddings/embedder.js';
import { expectedCalibrationError, fitTemperature } from '../model/calibration.js';
import {
  DEFAULT_SOFTMAX,
  type Example,
  mulberry32,
  type SoftmaxConfig,
  trainSoftmax,
} from '../model/softmax.js';
import { embeddingInput } from '../text/normalize.js';
import { Tfidf } from '../text/tfidf.js';
import { type IntentAction, OUT_OF_SCOPE } from '../types.js';
import { actionsFor, decideTwoStep } from './actions.js';
import {
  CONTEXT_FEATURES,
  contextInputs,
  DEFAULT_CONTEXT_WEIGHT,
  denseInput,
  type KnowledgeScorer,
} from './decision-context.js';
import { IntentModel, type IntentModelState } from './intent-model.js';
import { fitOosRule, type HeldOutScore } from './oos-rule.js';

/**
 * Held-out OOS recall the out-of-scope rule must reach. On CLINC150 the validation OOS texts are
 * easier than the test ones (0.8 on val ≈ 0.6 on test), hence a target above the recall we want.
 */
export const DEFAULT_OOS_RECALL_TARGET = 0.8;

export interface LabeledText {
  text: string;
  label: string;
}

export interface IntentTrainOptions {
  embedder: Embedder | null;
  /** The action of each intent (data/intents "action"); intents not named get "other". */
  actions?: ReadonlyMap<string, IntentAction>;
  /**
   * Examples that only train the weights (weak labels from public datasets): never held out, never
   * stored in the model (its nearest-example set and explanations are our own texts only).
   */
  extra?: readonly LabeledText[];
  /** Held-out data for calibration and the OOS threshold; labels must be known or OUT_OF_SCOPE. */
  validation?: readonly LabeledText[];
  softmax?: Partial<SoftmaxConfig>;
  charNgrams?: boolean;
  minDf?: number;
  embeddingWeight?: number;
  /**
   * Learn from the knowledge-search score and the presence of a ticket number too (two extra
   * softmax inputs). `knowledge: null` keeps the ticket input and reads the score as 0.
   */
  context?: { knowledge: KnowledgeScorer | null; weight?: number };
  /** Held-out OOS recall the out-of-scope rule must reach (null: balance recall and accuracy). */
  oosRecallTarget?: number | null;
  folds?: number;
  /** Fit once on everything without held-out calibration (a first-pass model that only ranks). */
  skipHeldOut?: boolean;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export interface HeldOutReport {
  source: 'validation' | 'cross-validation' | 'holdout';
  n: number;
  /** Accuracy of the argmax before the OOS rule, over in-scope held-out texts. */
  accuracy: number;
  ece: number;
  temperature: number;
}

export interface TrainedIntents {
  model: IntentModel;
  state: IntentModelState;
  heldOut: HeldOutReport;
  trainMs: number;
}

interface Prepared {
  text: string;
  y: number;
  e: Float32Array | null;
  /** The context inputs (already scaled), when the model learns from them. */
  c: readonly number[] | null;
}

function stratifiedFolds(ys: readonly number[], k: number, seed: number): number[] {
  const rand = mulberry32(seed);
  const fold = new Array<number>(ys.length).fill(0);
  const byClass = new Map<number, number[]>();
  ys.forEach((y, i) => {
    byClass.set(y, [...(byClass.get(y) ?? []), i]);
  });
  for (const idx of byClass.values()) {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
    }
    idx.forEach((i, r) => {
      fold[i] = r % k;
    });
  }
  return fold;
}

export async function trainIntentModel(
  data: readonly LabeledText[],
  opts: IntentTrainOptions,
): Promise<TrainedIntents> {
  const t0 = performance.now();
  if (data.length === 0) throw new AppError('data_invalid', 'No intent training examples were found.');
  const labels = [...new Set(data.map((d) => d.label))].sort();
  if (labels.filter((l) => l !== OUT_OF_SCOPE).length < 2) {
    throw new AppError(
      'data_invalid',
      'At least two intents (besides out_of_scope) are needed to train a classifier.',
    );
  }
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const embedder = opts.embedder;
  const embedAll = async (texts: string[]): Promise<Array<Float32Array | null>> =>
    embedder === null ? texts.map(() => null) : embedder.embed(texts.map(embeddingInput));

  const context = opts.context === undefined ? null : { weight: DEFAULT_CONTEXT_WEIGHT, ...opts.context };
  const prepare = async (rows: readonly LabeledText[]): Promise<Prepared[]> => {
    const emb = await embedAll(rows.map((d) => d.text));
    return rows.map((d, i) => {
      const e = emb[i] ?? null;
      return {
        text: d.text,
        y: labelIndex.get(d.label) ?? -1,
        e,
        c: context === null ? null : contextInputs(d.text, e, context.knowledge, context.weight),
      };
    });
  };
  const train = await prepare(data);
  const extra = await prepare((opts.extra ?? []).filter((d) => labelIndex.has(d.label)));

  const cfg: SoftmaxConfig = { ...DEFAULT_SOFTMAX, ...opts.softmax };
  const charNgrams = opts.charNgrams ?? true;
  const minDf = opts.minDf ?? (data.length + (opts.extra?.length ?? 0) > 5000 ? 2 : 1);
  const embeddingWeight = opts.embeddingWeight ?? 1;

  const fitRows = (rows: readonly Prepared[]): IntentModel => {
    const fitOn = extra.length === 0 ? rows : [...rows, ...extra];
    const tfidf = Tfidf.fit(
      fitOn.map((r) => r.text),
      { charNgrams, minDf },
    );
    const examples: Example[] = fitOn.map((r) => ({
      x: tfidf.transform(r.text),
      e: denseInput(r.e, embeddingWeight, r.c),
      y: r.y,
    }));
    const denseDim = (embedder?.dim ?? 0) + (context === null ? 0 : CONTEXT_FEATURES.length);
    const softmax = trainSoftmax(examples, { classes: labels.length, sparseDim: tfidf.size, denseDim }, cfg);
    const state: IntentModelState = {
      format: 'chatdesk-intent-model',
      version: 1,
      labels,
      actions: actionsFor(labels, opts.actions ?? new Map()),
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
  };

  // Held-out predictions (with temperature 1) for calibration and the OOS rule.
  const held: Array<{ logits: Float32Array; gold: number; goldOos: boolean; similarity: number }> = [];
  let source: HeldOutReport['source'];
  let finalModel: IntentModel | null = null;
  const collect = (
    model: IntentModel,
    rows: readonly Prepared[],
    golds: ReadonlyArray<{ y: number; oos: boolean }>,
  ) => {
    rows.forEach((row, i) => {
      const s = model.score(row.text, row.e);
      // score() applies temperature 1 here, so log-probabilities are the logits up to a constant.
      held.push({
        logits: s.probs.map((p) => Math.log(Math.max(p, 1e-30))),
        gold: golds[i]?.y ?? -1,
        goldOos: golds[i]?.oos ?? false,
        // Temperature does not move the argmax, so this is the similarity serving will see.
        similarity: s.similarity,
      });
    });
  };

  if (opts.skipHeldOut === true) {
    const model = fitRows(train);
    return {
      model,
      state: model.state,
      heldOut: { source: 'holdout', n: 0, accuracy: 0, ece: 0, temperature: 1 },
      trainMs: performance.now() - t0,
    };
  }
  if (opts.validation !== undefined && opts.validation.length > 0) {
    source = 'validation';
    const val = opts.validation;
    const unknown = val.find((v) => v.label !== OUT_OF_SCOPE && !labelIndex.has(v.label));
    if (unknown !== undefined) {
      throw new AppError(
        'data_invalid',
        `Validation label "${unknown.label}" does not occur in the training data.`,
        {
          field: 'label',
        },
      );
    }
    const rows = await prepare(val);
    finalModel = fitRows(train);
    collect(
      finalModel,
      rows,
      val.map((v) => ({ y: labelIndex.get(v.label) ?? -1, oos: v.label === OUT_OF_SCOPE })),
    );
  } else {
    const k = opts.folds ?? 5;
    const folds =
      data.length <= 5000
        ? stratifiedFolds(
            train.map((r) => r.y),
            k,
            cfg.seed,
          )
        : null;
    source = folds === null ? 'holdout' : 'cross-validation';
    const rounds = folds === null ? [0] : [...Array(k).keys()];
    const holdoutOf =
      folds ??
      stratifiedFolds(
        train.map((r) => r.y),
        7,
        cfg.seed,
      );
    for (const f of rounds) {
      const foldTrain = train.filter((_, i) => holdoutOf[i] !== f);
      const testRows = train.filter((_, i) => holdoutOf[i] === f);
      const m = fitRows(foldTrain);
      collect(
        m,
        testRows,
        testRows.map((r) => ({ y: r.y, oos: labels[r.y] === OUT_OF_SCOPE })),
      );
    }
    opts.log?.('intent held-out predictions collected', { source, rounds: rounds.length });
  }

  const calib = held.filter((h) => h.gold >= 0);
  const temperature = fitTemperature(
    calib.map((h) => h.logits),
    calib.map((h) => h.gold),
  );
  const oosIdx = labels.indexOf(OUT_OF_SCOPE);
  const actionOfLabel = actionsFor(labels, opts.actions ?? new Map());
  const scores: HeldOutScore[] = [];
  const confs: number[] = [];
  const corrects: boolean[] = [];
  let inScope = 0;
  let inScopeCorrect = 0;
  for (const h of held) {
    const p = Float32Array.from(h.logits);
    // Recompute calibrated probabilities exactly as serving does.
    let max = -Infinity;
    for (const v of p) max = Math.max(max, v / temperature);
    let sum = 0;
    for (let i = 0; i < p.length; i++) {
      p[i] = Math.exp((p[i] as number) / temperature - max);
      sum += p[i] as number;
    }
    for (let c = 0; c < p.length; c++) p[c] = (p[c] as number) / sum;
    const { top } = decideTwoStep(p, actionOfLabel);
    const prob = p[top] as number;
    const predictedOos = top === oosIdx;
    const similarity = predictedOos ? 0 : h.similarity;
    const correct = !h.goldOos && top === h.gold;
    scores.push({ prob, similarity, gold: h.goldOos ? 'oos' : 'in', correct, predictedOos });
    confs.push(prob);
    corrects.push(top === h.gold);
    if (!h.goldOos) {
      inScope++;
      if (correct) inScopeCorrect++;
    }
  }
  const oos = fitOosRule(
    scores,
    opts.oosRecallTarget === undefined ? DEFAULT_OOS_RECALL_TARGET : opts.oosRecallTarget,
  );
  if (finalModel === null) finalModel = fitRows(train);
  const state: IntentModelState = { ...finalModel.state, temperature, oos };
  const model = new IntentModel(
    state,
    embedder,
    embedder === null ? null : train.map((r) => r.e as Float32Array),
    context?.knowledge ?? null,
  );
  const heldOut: HeldOutReport = {
    source,
    n: held.length,
    accuracy: inScope > 0 ? inScopeCorrect / inScope : 0,
    ece: expectedCalibrationError(confs, corrects),
    temperature,
  };
  return { model, state, heldOut, trainMs: performance.now() - t0 };
}
