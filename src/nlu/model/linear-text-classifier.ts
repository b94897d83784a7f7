/**
 * A TF-IDF softmax text classifier with explanations: the building block of triage (category,
 * assignment group) and of the plain TF-IDF + logistic-regression baseline in the benchmarks.
 */
import { readableTerm, type SparseVector, Tfidf, type TfidfOptions, type TfidfState } from '../text/tfidf.js';
import type { TermWeight } from '../types.js';
import { base64ToF32, decodeInt8Rows, encodeInt8Rows, f32ToBase64 } from './codec.js';
import {
  DEFAULT_SOFTMAX,
  logitsOf,
  type SoftmaxConfig,
  type SoftmaxState,
  softmaxInPlace,
  trainSoftmax,
} from './softmax.js';

interface LinearTextState {
  labels: string[];
  tfidf: TfidfState;
  softmax: SoftmaxState;
}

export interface SerializedLinearText {
  labels: string[];
  tfidf: TfidfState;
  sparseW: { scales: string; data: string };
  bias: string;
}

export class LinearTextClassifier {
  readonly tfidf: Tfidf;

  constructor(readonly state: LinearTextState) {
    this.tfidf = Tfidf.fromState(state.tfidf);
  }

  static fit(
    rows: ReadonlyArray<{ text: string; label: string }>,
    opts: { tfidf: TfidfOptions; softmax?: Partial<SoftmaxConfig> },
  ): LinearTextClassifier {
    const labels = [...new Set(rows.map((r) => r.label))].sort();
    const index = new Map(labels.map((l, i) => [l, i]));
    const tfidf = Tfidf.fit(
      rows.map((r) => r.text),
      opts.tfidf,
    );
    const examples = rows.map((r) => ({
      x: tfidf.transform(r.text),
      e: null,
      y: index.get(r.label) as number,
    }));
    const softmax = trainSoftmax(
      examples,
      { classes: labels.length, sparseDim: tfidf.size, denseDim: 0 },
      {
        ...DEFAULT_SOFTMAX,
        ...opts.softmax,
      },
    );
    return new LinearTextClassifier({ labels, tfidf: tfidf.state, softmax });
  }

  probabilities(x: SparseVector): Float32Array {
    const z = new Float32Array(this.state.labels.length);
    return softmaxInPlace(logitsOf(this.state.softmax, x, null, z));
  }

  predict(text: string): { label: string; confidence: number; probs: Float32Array; x: SparseVector } {
    const x = this.tfidf.transform(text);
    const probs = this.probabilities(x);
    let top = 0;
    for (let c = 1; c < probs.length; c++) if ((probs[c] as number) > (probs[top] as number)) top = c;
    return { label: this.state.labels[top] as string, confidence: probs[top] as number, probs, x };
  }

  /** Word features that raised `label` above the average class the most. */
  topTerms(x: SparseVector, label: string, k = 5): TermWeight[] {
    const c = this.state.labels.indexOf(label);
    const C = this.state.softmax.classes;
    const W = this.state.softmax.sparseW;
    const out: TermWeight[] = [];
    for (let j = 0; j < x.idx.length; j++) {
      const f = x.idx[j] as number;
      const term = this.tfidf.termOf(f);
      if (term.startsWith('c:')) continue;
      let mean = 0;
      for (let q = 0; q < C; q++) mean += W[f * C + q] as number;
      const w = (x.val[j] as number) * ((W[f * C + c] as number) - mean / C);
      if (w > 0) out.push({ term: readableTerm(term), weight: Number(w.toFixed(4)) });
    }
    return out.sort((a, b) => b.weight - a.weight).slice(0, k);
  }

  serialize(): SerializedLinearText {
    return {
      labels: this.state.labels,
      tfidf: this.state.tfidf,
      sparseW: encodeInt8Rows(this.state.softmax.sparseW, this.state.softmax.classes),
      bias: f32ToBase64(this.state.softmax.bias),
    };
  }

  static deserialize(s: SerializedLinearText): LinearTextClassifier {
    const classes = s.labels.length;
    return new LinearTextClassifier({
      labels: s.labels,
      tfidf: s.tfidf,
      softmax: {
        classes,
        sparseDim: s.tfidf.terms.length,
        denseDim: 0,
        sparseW: decodeInt8Rows(s.sparseW, classes),
        denseW: new Float32Array(0),
        bias: base64ToF32(s.bias),
      },
    });
  }
}
