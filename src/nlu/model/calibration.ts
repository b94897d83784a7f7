/**
 * Temperature scaling (Guo et al. 2017) fitted on held-out logits, and the expected calibration
 * error used to report how honest the confidences are.
 */
import { softmaxInPlace } from './softmax.js';

function nllAt(logits: readonly Float32Array[], labels: readonly number[], t: number): number {
  let nll = 0;
  const p = new Float32Array(logits[0]?.length ?? 0);
  logits.forEach((z, i) => {
    p.set(z);
    softmaxInPlace(p, t);
    nll -= Math.log(Math.max(p[labels[i] as number] as number, 1e-12));
  });
  return nll / Math.max(1, logits.length);
}

/** The temperature minimising held-out NLL, by golden-section search on log T in [0.05, 20]. */
export function fitTemperature(logits: readonly Float32Array[], labels: readonly number[]): number {
  if (logits.length === 0) return 1;
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let fa = nllAt(logits, labels, Math.exp(a));
  let fb = nllAt(logits, labels, Math.exp(b));
  for (let it = 0; it < 40; it++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = nllAt(logits, labels, Math.exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = nllAt(logits, labels, Math.exp(b));
    }
  }
  return Math.exp((lo + hi) / 2);
}

/** Expected calibration error over equal-width confidence bins. */
export function expectedCalibrationError(
  confidences: readonly number[],
  correct: readonly boolean[],
  bins = 15,
): number {
  const n = confidences.length;
  if (n === 0) return 0;
  const sumConf = new Array<number>(bins).fill(0);
  const sumAcc = new Array<number>(bins).fill(0);
  const count = new Array<number>(bins).fill(0);
  confidences.forEach((c, i) => {
    const b = Math.min(bins - 1, Math.floor(c * bins));
    sumConf[b] = (sumConf[b] as number) + c;
    sumAcc[b] = (sumAcc[b] as number) + (correct[i] ? 1 : 0);
    count[b] = (count[b] as number) + 1;
  });
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const k = count[b] as number;
    if (k > 0) ece += (k / n) * Math.abs((sumAcc[b] as number) / k - (sumConf[b] as number) / k);
  }
  return ece;
}
