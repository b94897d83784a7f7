/**
 * The serving side of the intent classifier: features → calibrated probabilities → out-of-scope
 * rule → explanation. Built from a trained state plus the embeddings of its training examples.
 */
import { AppError } from '../../errors.js';
import { dot, type Embedder } from '../embeddings/embedder.js';
import { logitsOf, type SoftmaxState, softmaxInPlace } from '../model/softmax.js';
import { embeddingInput, normalizeText } from '../text/normalize.js';
import { readableTerm, type SparseVector, Tfidf, type TfidfState } from '../text/tfidf.js';
import {
  type IntentAction,
  type IntentClassifier,
  type IntentPrediction,
  type NearestExample,
  OUT_OF_SCOPE,
  type PredictOptions,
  type TermWeight,
} from '../types.js';
import { decideTwoStep } from './actions.js';
import { type ContextState, contextInputs, denseInput, type KnowledgeScorer } from './decision-context.js';
import { type OosRule, oosScore } from './oos-rule.js';

export interface IntentModelState {
  format: 'chatdesk-intent-model';
  version: 1;
  labels: string[];
  /** The action of each label (same order). */
  actions: IntentAction[];
  tfidf: TfidfState;
  softmax: SoftmaxState;
  /** Dense input scale: embeddings are multiplied by this before the linear layer. */
  embeddingWeight: number;
  temperature: number;
  oos: OosRule;
  embedderId: string | null;
  /** Knowledge-search score and ticket-number inputs after the embedding (null: none). */
  context: ContextState | null;
  examples: Array<{ text: string; label: number }>;
}

/** What the model computed for one text, before it is turned into a public prediction. */
interface IntentScores {
  probs: Float32Array;
  top: number;
  prob: number;
  /** Summed probability of the top intent's action (decided first). */
  actionMass: number;
  similarity: number;
  /** The argmax was the trained out-of-scope class. */
  predictedOos: boolean;
  outOfScope: boolean;
  x: SparseVector;
  e: Float32Array | null;
}

const sparseCosine = (a: SparseVector, b: SparseVector): number => {
  let i = 0;
  let j = 0;
  let s = 0;
  let na = 0;
  let nb = 0;
  for (const v of a.val) na += v * v;
  for (const v of b.val) nb += v * v;
  while (i < a.idx.length && j < b.idx.length) {
    const ai = a.idx[i] as number;
    const bj = b.idx[j] as number;
    if (ai === bj) s += (a.val[i++] as number) * (b.val[j++] as number);
    else if (ai < bj) i++;
    else j++;
  }
  return na > 0 && nb > 0 ? s / Math.sqrt(na * nb) : 0;
};

export class IntentModel implements IntentClassifier {
  readonly name: string;
  readonly tfidf: Tfidf;
  private readonly oosIndex: number;
  private readonly byClass: number[][];
  private readonly exampleSparse: SparseVector[] | null;
  private readonly logitBuf: Float32Array;

  constructor(
    readonly state: IntentModelState,
    private readonly embedder: Embedder | null,
    private readonly exampleEmbeddings: Float32Array[] | null,
    /** The knowledge search behind the kb_score input (models trained without one read 0). */
    private readonly knowledge: KnowledgeScorer | null = null,
  ) {
    if (
      (state.embedderId === null) !== (embedder === null) ||
      (embedder !== null && embedder.id !== state.embedderId)
    ) {
      throw new AppError(
        'model_unavailable',
        `The intent model was trained with embeddings "${state.embedderId ?? 'none'}" but "${embedder?.id ?? 'none'}" is loaded; run "chatdesk train".`,
      );
    }
    this.name = `chatdesk-intents(${state.embedderId ?? 'tfidf'})`;
    this.tfidf = Tfidf.fromState(state.tfidf);
    this.oosIndex = state.labels.indexOf(OUT_OF_SCOPE);
    this.byClass = state.labels.map(() => []);
    state.examples.forEach((ex, i) => {
      this.byClass[ex.label]?.push(i);
    });
    // Without embeddings, "nearest example" falls back to TF-IDF cosine.
    this.exampleSparse =
      exampleEmbeddings === null ? state.examples.map((ex) => this.tfidf.transform(ex.text)) : null;
    this.logitBuf = new Float32Array(state.labels.length);
  }

  get labels(): readonly string[] {
    return this.state.labels;
  }

  actionOf(intent: string): IntentAction {
    if (intent === OUT_OF_SCOPE) return 'out_of_scope';
    return this.state.actions[this.state.labels.indexOf(intent)] ?? 'other';
  }

  private similarityTo(i: number, x: SparseVector, e: Float32Array | null): number {
    if (e !== null && this.exampleEmbeddings !== null)
      return dot(e, this.exampleEmbeddings[i] as Float32Array);
    return sparseCosine(x, (this.exampleSparse as SparseVector[])[i] as SparseVector);
  }

  /** Highest similarity between the text and a training example of class `c`. */
  nearestSimilarity(c: number, x: SparseVector, e: Float32Array | null): number {
    let best = 0;
    for (const i of this.byClass[c] ?? []) best = Math.max(best, this.similarityTo(i, x, e));
    return best;
  }

  /** Scores a text whose embedding was computed elsewhere (batch evaluation shares this path). */
  score(text: string, e: Float32Array | null): IntentScores {
    const x = this.tfidf.transform(text);
    const ctx = this.state.context;
    const dense = denseInput(
      e,
      this.state.embeddingWeight,
      ctx === null ? null : contextInputs(text, e, this.knowledge, ctx.weight),
    );
    const probs = softmaxInPlace(
      Float32Array.from(logitsOf(this.state.softmax, x, dense, this.logitBuf)),
      this.state.temperature,
    );
    const { top, actionMass } = decideTwoStep(probs, this.state.actions);
    const predictedOos = top === this.oosIndex;
    const prob = probs[top] as number;
    const similarity = predictedOos ? 0 : this.nearestSimilarity(top, x, e);
    const outOfScope = predictedOos || oosScore(this.state.oos, prob, similarity) < this.state.oos.threshold;
    return { probs, top, prob, actionMass, similarity, predictedOos, outOfScope, x, e };
  }

  async embedOne(text: string): Promise<Float32Array | null> {
    if (this.embedder === null) return null;
    const [e] = await this.embedder.embed([embeddingInput(text)]);
    return e ?? null;
  }

  async classify(text: string, opts: PredictOptions = {}): Promise<IntentPrediction> {
    if (normalizeText(text).length === 0) {
      return {
        intent: OUT_OF_SCOPE,
        action: 'out_of_scope',
        confidence: 1,
        outOfScope: true,
        alternatives: [],
        explanation: { terms: [], nearest: [] },
      };
    }
    return this.toPrediction(this.score(text, await this.embedOne(text)), opts);
  }

  toPrediction(s: IntentScores, opts: PredictOptions = {}): IntentPrediction {
    const labels = this.state.labels;
    const ranked = [...s.probs.keys()].sort((a, b) => (s.probs[b] as number) - (s.probs[a] as number));
    const alternatives = ranked
      .filter((c) => c !== s.top && c !== this.oosIndex)
      .slice(0, 3)
      .map((c) => ({ intent: labels[c] as string, confidence: s.probs[c] as number }));
    const explanation = {
      terms: this.topTerms(s.top, s.x),
      nearest: opts.nearest === false ? [] : this.nearestExamples(ranked.slice(0, 3), s.x, s.e),
    };
    if (s.outOfScope) {
      // Out of scope carries the probability that the best in-scope guess is wrong.
      const oosConfidence = s.predictedOos ? s.prob : 1 - s.prob;
      const alts = s.predictedOos
        ? alternatives
        : [{ intent: labels[s.top] as string, confidence: s.prob }, ...alternatives].slice(0, 3);
      return {
        intent: OUT_OF_SCOPE,
        action: 'out_of_scope',
        confidence: oosConfidence,
        outOfScope: true,
        alternatives: alts,
        explanation,
      };
    }
    return {
      intent: labels[s.top] as string,
      action: this.state.actions[s.top] ?? 'other',
      confidence: s.prob,
      actionConfidence: s.actionMass,
      outOfScope: false,
      alternatives,
      explanation,
    };
  }

  /** Terms that pushed the score of class `c` up the most, word features before character n-grams. */
  topTerms(c: number, x: SparseVector, k = 5): TermWeight[] {
    const C = this.state.softmax.classes;
    const W = this.state.softmax.sparseW;
    const contrib: TermWeight[] = [];
    for (let j = 0; j < x.idx.length; j++) {
      const f = x.idx[j] as number;
      let mean = 0;
      for (let k2 = 0; k2 < C; k2++) mean += W[f * C + k2] as number;
      mean /= C;
      const w = (x.val[j] as number) * ((W[f * C + c] as number) - mean);
      if (w > 0) contrib.push({ term: this.tfidf.termOf(f), weight: w });
    }
    contrib.sort((a, b) => b.weight - a.weight);
    const words = contrib.filter((t) => !t.term.startsWith('c:'));
    const chars = contrib.filter((t) => t.term.startsWith('c:'));
    const picked = [...words.slice(0, k)];
    for (const t of chars) {
      if (picked.length >= k) break;
      const r = readableTerm(t.term);
      if (!picked.some((p) => readableTerm(p.term).includes(r))) picked.push(t);
    }
    return picked.map((t) => ({ term: readableTerm(t.term), weight: Number(t.weight.toFixed(4)) }));
  }

  nearestExamples(classes: number[], x: SparseVector, e: Float32Array | null, k = 3): NearestExample[] {
    const found: NearestExample[] = [];
    for (const c of classes) {
      for (const i of this.byClass[c] ?? []) {
        const ex = this.state.examples[i];
        if (ex === undefined) continue;
        found.push({
          text: ex.text,
          intent: this.state.labels[c] as string,
          similarity: this.similarityTo(i, x, e),
        });
      }
    }
    return found
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, k)
      .map((n) => ({ ...n, similarity: Number(n.similarity.toFixed(4)) }));
  }
}
