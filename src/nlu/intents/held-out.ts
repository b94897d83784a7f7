/**
 * Held-out predictions and what is fitted on them: the folds they come from, the temperature, the
 * out-of-scope rule, and the report (accuracy before the OOS rule, expected calibration error).
 */
import { expectedCalibrationError, fitTemperature } from '../model/calibration.js';
import { mulberry32 } from '../model/softmax.js';
import { type IntentAction, OUT_OF_SCOPE } from '../types.js';
import { actionsFor, decideTwoStep } from './actions.js';
import type { Prepared } from './intent-fit.js';
import type { IntentModel } from './intent-model.js';
import { fitOosRule, type HeldOutScore } from './oos-rule.js';

/** A held-out text's logits (temperature 1) with its gold label (-1 when out of scope or unknown). */
export interface HeldPrediction {
  logits: Float32Array;
  gold: number;
  goldOos: boolean;
  similarity: number;
}

export function stratifiedFolds(ys: readonly number[], k: number, seed: number): number[] {
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

/** Scores rows the model was not fitted on; appends one prediction per row to `held`. */
export function collectPredictions(
  held: HeldPrediction[],
  model: IntentModel,
  rows: readonly Prepared[],
  golds: ReadonlyArray<{ y: number; oos: boolean }>,
): void {
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
}

/** Fits the temperature and the out-of-scope rule on held-out predictions, and measures them. */
export function calibrate(
  held: readonly HeldPrediction[],
  labels: readonly string[],
  actions: ReadonlyMap<string, IntentAction>,
  oosRecallTarget: number | null,
) {
  const calib = held.filter((h) => h.gold >= 0);
  const temperature = fitTemperature(
    calib.map((h) => h.logits),
    calib.map((h) => h.gold),
  );
  const oosIdx = labels.indexOf(OUT_OF_SCOPE);
  const actionOfLabel = actionsFor(labels, actions);
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
  return {
    temperature,
    oos: fitOosRule(scores, oosRecallTarget),
    accuracy: inScope > 0 ? inScopeCorrect / inScope : 0,
    ece: expectedCalibrationError(confs, corrects),
  };
}
