/**
 * Classification metrics shared by `chatdesk eval` and the benchmarks.
 */
export function accuracy(gold: readonly string[], pred: readonly string[]): number {
  if (gold.length === 0) return 0;
  let ok = 0;
  gold.forEach((g, i) => {
    if (pred[i] === g) ok++;
  });
  return ok / gold.length;
}

/** Unweighted mean of per-class F1 over every class that occurs in gold or predictions. */
export function macroF1(gold: readonly string[], pred: readonly string[]): number {
  const classes = new Set([...gold, ...pred]);
  let sum = 0;
  for (const c of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    gold.forEach((g, i) => {
      const p = pred[i];
      if (p === c && g === c) tp++;
      else if (p === c) fp++;
      else if (g === c) fn++;
    });
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return classes.size === 0 ? 0 : sum / classes.size;
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export interface OosMetrics {
  accuracy: number;
  in_scope_accuracy: number;
  oos_recall: number;
  oos_precision: number;
  macro_f1: number;
}

/** Larson et al. (2019): in-scope accuracy counts an OOS answer on an in-scope text as wrong. */
export function oosMetrics(gold: readonly string[], pred: readonly string[], oosLabel: string): OosMetrics {
  let inScope = 0;
  let inOk = 0;
  let oos = 0;
  let oosHit = 0;
  let predOos = 0;
  gold.forEach((g, i) => {
    const p = pred[i];
    if (p === oosLabel) predOos++;
    if (g === oosLabel) {
      oos++;
      if (p === oosLabel) oosHit++;
    } else {
      inScope++;
      if (p === g) inOk++;
    }
  });
  return {
    accuracy: accuracy(gold, pred),
    in_scope_accuracy: inScope === 0 ? 0 : inOk / inScope,
    oos_recall: oos === 0 ? 0 : oosHit / oos,
    oos_precision: predOos === 0 ? 0 : oosHit / predOos,
    macro_f1: macroF1(gold, pred),
  };
}

export const round4 = (x: number): number => Math.round(x * 10000) / 10000;
