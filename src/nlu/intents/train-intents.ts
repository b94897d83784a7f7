/**
 * Training of the intent classifier: TF-IDF + embedding softmax, temperature and out-of-scope
 * rule fitted on held-out predictions (the validation set when given, else cross-validation
 * folds or a holdout slice), then a final fit on all training data.
 */
import { AppError } from '../../errors.js';
import type { Embedder } from '../embeddings/embedder.js';
import { DEFAULT_SOFTMAX, type SoftmaxConfig } from '../model/softmax.js';
import { embeddingInput } from '../text/normalize.js';
import { type IntentAction, OUT_OF_SCOPE } from '../types.js';
import { contextInputs, DEFAULT_CONTEXT_WEIGHT, type KnowledgeScorer } from './decision-context.js';
import { calibrate, collectPredictions, type HeldPrediction, stratifiedFolds } from './held-out.js';
import { type FitSettings, fitIntentRows, type Prepared } from './intent-fit.js';
import { IntentModel, type IntentModelState } from './intent-model.js';

/**
 * Held-out OOS recall the out-of-scope rule must reach. On CLINC150 the validation OOS texts are
 * easier than the test ones (0.8 on val ≈ 0.6 on test), hence a target above the recall we want.
 */
const DEFAULT_OOS_RECALL_TARGET = 0.8;

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

interface TrainedIntents {
  model: IntentModel;
  state: IntentModelState;
  heldOut: HeldOutReport;
  trainMs: number;
}

/** Held-out predictions from the validation set, or else from cross-validation folds or a holdout slice. */
async function heldOutRuns(
  train: readonly Prepared[],
  s: FitSettings,
  labelIndex: ReadonlyMap<string, number>,
  opts: IntentTrainOptions,
  prepare: (rows: readonly LabeledText[]) => Promise<Prepared[]>,
): Promise<{ source: HeldOutReport['source']; held: HeldPrediction[]; finalModel: IntentModel | null }> {
  const held: HeldPrediction[] = [];
  if (opts.validation !== undefined && opts.validation.length > 0) {
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
    const finalModel = fitIntentRows(train, s);
    collectPredictions(
      held,
      finalModel,
      rows,
      val.map((v) => ({ y: labelIndex.get(v.label) ?? -1, oos: v.label === OUT_OF_SCOPE })),
    );
    return { source: 'validation', held, finalModel };
  }
  const k = opts.folds ?? 5;
  const folds =
    train.length <= 5000
      ? stratifiedFolds(
          train.map((r) => r.y),
          k,
          s.softmax.seed,
        )
      : null;
  const source = folds === null ? 'holdout' : 'cross-validation';
  const rounds = folds === null ? [0] : [...Array(k).keys()];
  const holdoutOf =
    folds ??
    stratifiedFolds(
      train.map((r) => r.y),
      7,
      s.softmax.seed,
    );
  for (const f of rounds) {
    const foldTrain = train.filter((_, i) => holdoutOf[i] !== f);
    const testRows = train.filter((_, i) => holdoutOf[i] === f);
    const m = fitIntentRows(foldTrain, s);
    collectPredictions(
      held,
      m,
      testRows,
      testRows.map((r) => ({ y: r.y, oos: s.labels[r.y] === OUT_OF_SCOPE })),
    );
  }
  opts.log?.('intent held-out predictions collected', { source, rounds: rounds.length });
  return { source, held, finalModel: null };
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

  const settings: FitSettings = {
    labels,
    actions: opts.actions ?? new Map(),
    embedder,
    extra,
    softmax: { ...DEFAULT_SOFTMAX, ...opts.softmax },
    charNgrams: opts.charNgrams ?? true,
    minDf: opts.minDf ?? (data.length + (opts.extra?.length ?? 0) > 5000 ? 2 : 1),
    embeddingWeight: opts.embeddingWeight ?? 1,
    context,
  };

  if (opts.skipHeldOut === true) {
    const model = fitIntentRows(train, settings);
    return {
      model,
      state: model.state,
      heldOut: { source: 'holdout', n: 0, accuracy: 0, ece: 0, temperature: 1 },
      trainMs: performance.now() - t0,
    };
  }
  // Held-out predictions (with temperature 1) for calibration and the OOS rule.
  const { source, held, finalModel } = await heldOutRuns(train, settings, labelIndex, opts, prepare);
  const fitted = calibrate(
    held,
    labels,
    settings.actions,
    opts.oosRecallTarget === undefined ? DEFAULT_OOS_RECALL_TARGET : opts.oosRecallTarget,
  );
  const state: IntentModelState = {
    ...(finalModel ?? fitIntentRows(train, settings)).state,
    temperature: fitted.temperature,
    oos: fitted.oos,
  };
  const model = new IntentModel(
    state,
    embedder,
    embedder === null ? null : train.map((r) => r.e as Float32Array),
    context?.knowledge ?? null,
  );
  const heldOut: HeldOutReport = {
    source,
    n: held.length,
    accuracy: fitted.accuracy,
    ece: fitted.ece,
    temperature: fitted.temperature,
  };
  return { model, state, heldOut, trainMs: performance.now() - t0 };
}
