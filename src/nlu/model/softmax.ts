/**
 * Multinomial logistic regression over sparse TF-IDF features plus a dense sentence embedding,
 * trained by shuffled SGD with L2 regularisation. Plain loops over typed arrays: the whole
 * shipped intent set trains in well under a second, CLINC150 (15k texts, 151 classes) in seconds.
 */
import type { SparseVector } from '../text/tfidf.js';

export interface SoftmaxConfig {
  epochs: number;
  /** Initial step size, decayed linearly to a tenth over the epochs. */
  lr: number;
  l2: number;
  seed: number;
}

export const DEFAULT_SOFTMAX: SoftmaxConfig = { epochs: 12, lr: 0.5, l2: 1e-5, seed: 1 };

export interface SoftmaxState {
  classes: number;
  sparseDim: number;
  denseDim: number;
  /** Row-major by feature: the weights of one feature for all classes are contiguous. */
  sparseW: Float32Array;
  denseW: Float32Array;
  bias: Float32Array;
}

export interface Example {
  x: SparseVector;
  e: Float32Array | null;
  y: number;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function logitsOf(
  m: SoftmaxState,
  x: SparseVector,
  e: Float32Array | null,
  out: Float32Array,
): Float32Array {
  const C = m.classes;
  out.set(m.bias);
  for (let j = 0; j < x.idx.length; j++) {
    const base = (x.idx[j] as number) * C;
    const v = x.val[j] as number;
    for (let c = 0; c < C; c++) out[c] = (out[c] as number) + v * (m.sparseW[base + c] as number);
  }
  if (e !== null && m.denseDim > 0) {
    for (let d = 0; d < m.denseDim; d++) {
      const v = e[d] as number;
      const base = d * C;
      for (let c = 0; c < C; c++) out[c] = (out[c] as number) + v * (m.denseW[base + c] as number);
    }
  }
  return out;
}

export function softmaxInPlace(z: Float32Array, temperature = 1): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) max = Math.max(max, (z[i] as number) / temperature);
  let sum = 0;
  for (let i = 0; i < z.length; i++) {
    const v = Math.exp((z[i] as number) / temperature - max);
    z[i] = v;
    sum += v;
  }
  for (let i = 0; i < z.length; i++) z[i] = (z[i] as number) / sum;
  return z;
}

export function trainSoftmax(
  examples: readonly Example[],
  dims: { classes: number; sparseDim: number; denseDim: number },
  cfg: SoftmaxConfig = DEFAULT_SOFTMAX,
): SoftmaxState {
  const { classes: C, sparseDim, denseDim } = dims;
  const sparseW = new Float32Array(sparseDim * C);
  const denseW = new Float32Array(denseDim * C);
  const bias = new Float32Array(C);
  const model: SoftmaxState = { classes: C, sparseDim, denseDim, sparseW, denseW, bias };
  // Weight decay is applied lazily through one shared scale, so an update costs O(nnz·C), not O(V·C).
  let scale = 1;
  const flushScale = () => {
    for (let i = 0; i < sparseW.length; i++) sparseW[i] = (sparseW[i] as number) * scale;
    for (let i = 0; i < denseW.length; i++) denseW[i] = (denseW[i] as number) * scale;
    scale = 1;
  };
  const rand = mulberry32(cfg.seed);
  const order = examples.map((_, i) => i);
  const p = new Float32Array(C);
  const total = cfg.epochs * examples.length;
  let step = 0;
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (const k of order) {
      const ex = examples[k] as Example;
      const lr = cfg.lr * (1 - 0.9 * (step / total));
      step++;
      // Scores with the current scale folded in: stored weights times `scale` are the real ones.
      p.set(bias);
      const { idx, val } = ex.x;
      for (let j = 0; j < idx.length; j++) {
        const base = (idx[j] as number) * C;
        const v = (val[j] as number) * scale;
        for (let c = 0; c < C; c++) p[c] = (p[c] as number) + v * (sparseW[base + c] as number);
      }
      const e = ex.e;
      if (e !== null && denseDim > 0) {
        for (let d = 0; d < denseDim; d++) {
          const v = (e[d] as number) * scale;
          const base = d * C;
          for (let c = 0; c < C; c++) p[c] = (p[c] as number) + v * (denseW[base + c] as number);
        }
      }
      softmaxInPlace(p);
      p[ex.y] = (p[ex.y] as number) - 1;
      scale *= 1 - lr * cfg.l2;
      // Examples already fitted to within 0.1 % move no weight measurably: skip their update.
      if (-(p[ex.y] as number) < 1e-3) continue;
      const g = lr / scale;
      for (let j = 0; j < idx.length; j++) {
        const base = (idx[j] as number) * C;
        const v = (val[j] as number) * g;
        for (let c = 0; c < C; c++) sparseW[base + c] = (sparseW[base + c] as number) - v * (p[c] as number);
      }
      if (e !== null && denseDim > 0) {
        for (let d = 0; d < denseDim; d++) {
          const v = (e[d] as number) * g;
          const base = d * C;
          for (let c = 0; c < C; c++) denseW[base + c] = (denseW[base + c] as number) - v * (p[c] as number);
        }
      }
      for (let c = 0; c < C; c++) bias[c] = (bias[c] as number) - lr * (p[c] as number);
      if (scale < 1e-3) flushScale();
    }
  }
  flushScale();
  return model;
}
