import { describe, expect, it } from 'vitest';
import { fitOosRule } from '../../../src/nlu/intents/oos-rule.js';
import { expectedCalibrationError, fitTemperature } from '../../../src/nlu/model/calibration.js';
import { decodeInt8Rows, encodeInt8Rows } from '../../../src/nlu/model/codec.js';
import { logitsOf, mulberry32, softmaxInPlace, trainSoftmax } from '../../../src/nlu/model/softmax.js';

describe('softmax regression', () => {
  it('learns a separable problem from sparse and dense inputs', () => {
    const rand = mulberry32(7);
    const examples = Array.from({ length: 300 }, (_, i) => {
      const y = i % 3;
      const e = new Float32Array(4).map(() => rand() * 0.1);
      e[y] = 1;
      return { x: { idx: Int32Array.from([y * 2]), val: Float32Array.from([1]) }, e, y };
    });
    const m = trainSoftmax(
      examples,
      { classes: 3, sparseDim: 6, denseDim: 4 },
      { epochs: 5, lr: 0.5, l2: 1e-5, seed: 1 },
    );
    let correct = 0;
    for (const ex of examples) {
      const z = logitsOf(m, ex.x, ex.e, new Float32Array(3));
      if (z.indexOf(Math.max(...z)) === ex.y) correct++;
    }
    expect(correct).toBe(examples.length);
  });

  it('softmax sums to one and temperature flattens it', () => {
    const p = softmaxInPlace(Float32Array.from([2, 1, 0]));
    const q = softmaxInPlace(Float32Array.from([2, 1, 0]), 4);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(q[0] as number).toBeLessThan(p[0] as number);
  });
});

describe('calibration', () => {
  it('recovers the temperature of over-confident logits', () => {
    const rand = mulberry32(3);
    const logits: Float32Array[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const z = Float32Array.from([rand() * 4 - 2, rand() * 4 - 2, rand() * 4 - 2]);
      const p = softmaxInPlace(Float32Array.from(z));
      const u = rand();
      labels.push(u < (p[0] as number) ? 0 : u < (p[0] as number) + (p[1] as number) ? 1 : 2);
      logits.push(z.map((v) => v * 3));
    }
    expect(fitTemperature(logits, labels)).toBeGreaterThan(2.4);
    expect(fitTemperature(logits, labels)).toBeLessThan(3.6);
  });

  it('ECE is zero when confidence equals accuracy and large when it does not', () => {
    const conf = Array.from({ length: 100 }, () => 0.75);
    const right = Array.from({ length: 100 }, (_, i) => i % 4 !== 0);
    expect(expectedCalibrationError(conf, right)).toBeCloseTo(0, 6);
    expect(
      expectedCalibrationError(
        conf.map(() => 0.99),
        right,
      ),
    ).toBeCloseTo(0.24, 2);
  });
});

describe('int8 weight codec', () => {
  it('round-trips within the per-row quantisation step', () => {
    const a = Float32Array.from({ length: 30 }, (_, i) => Math.sin(i) * (i < 15 ? 0.01 : 5));
    const b = decodeInt8Rows(encodeInt8Rows(a, 15), 15);
    for (let i = 0; i < a.length; i++) {
      expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThanOrEqual(
        (i < 15 ? 0.01 : 5) / 127 / 2 + 1e-6,
      );
    }
  });
});

describe('out-of-scope rule', () => {
  it('meets the held-out recall target with the best in-scope accuracy', () => {
    const scores = [
      ...Array.from({ length: 90 }, (_, i) => ({
        prob: 0.6 + i / 250,
        similarity: 0.8,
        gold: 'in' as const,
        correct: true,
        predictedOos: false,
      })),
      ...Array.from({ length: 10 }, (_, i) => ({
        prob: 0.3 + i / 20,
        similarity: 0.3,
        gold: 'oos' as const,
        correct: false,
        predictedOos: false,
      })),
    ];
    const rule = fitOosRule(scores, 0.6);
    const rejected = (s: (typeof scores)[number]) =>
      rule.alpha * s.prob + (1 - rule.alpha) * s.similarity < rule.threshold;
    expect(scores.filter((s) => s.gold === 'oos' && rejected(s)).length).toBeGreaterThanOrEqual(6);
    expect(scores.filter((s) => s.gold === 'in' && rejected(s)).length).toBe(0);
  });
});
