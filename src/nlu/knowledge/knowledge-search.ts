/**
 * Hybrid knowledge search: BM25F for exact words (product names, error codes), sentence embeddings
 * of the title, of each example question and of the title with the body's opening for paraphrases,
 * and character trigrams of the title and questions for misspellings. Each signal is z-scored
 * across the articles for the query and the four are summed with weights fitted on validation
 * queries (listwise softmax, `fitFusionWeights`); a logistic calibration turns the fused score,
 * its margin over the runner-up and the embedding similarity into the probability that the top
 * article answers.
 */
import { dot, type Embedder } from '../embeddings/embedder.js';
import type { KnowledgeScorer } from '../intents/decision-context.js';
import { embeddingInput, normalizeText } from '../text/normalize.js';
import type { KnowledgeHit, KnowledgeSearch } from '../types.js';
import { Bm25Index } from './bm25.js';
import type { KnowledgeArticle } from './knowledge-files.js';

/** Weight of each z-scored signal in the fused score. */
export interface FusionWeights {
  bm25: number;
  /** Best embedding similarity to the title or one of the example questions. */
  title: number;
  /** Embedding similarity to the title followed by the opening of the body. */
  opening: number;
  /** Best character-trigram cosine to the title or one of the example questions. */
  chars: number;
}
const SIGNALS = ['bm25', 'title', 'opening', 'chars'] as const;

/**
 * Logistic coefficients over absolute properties of a hit, so that the confidence means the same
 * for 15 articles as for 125 (the fused score is relative to the other articles of the query).
 */
interface CalibrationCoefficients {
  /** Embedding similarity to the title, a question or the opening (cosine). */
  similarity: number;
  /** Character-trigram cosine to the title or a question. */
  chars: number;
  /** Share of the query's terms found in the article. */
  coverage: number;
  bias: number;
}

interface KnowledgeCalibration {
  weights: FusionWeights;
  coef: CalibrationCoefficients;
  /** Answer only at or above this calibrated confidence. */
  answerThreshold: number;
}

/**
 * Fitted by bench/nlu.ts (`--only knowledge`) on the StackFAQ train-split queries: the fusion
 * weights by `fitFusionWeights`, then the logistic on those queries (positives when the top hit is
 * right) plus CLINC150's out-of-scope train/val texts (negatives: questions no article answers).
 * The shipped knowledge base is too small to fit its own; the test split is never used.
 */
export const DEFAULT_KNOWLEDGE_CALIBRATION: KnowledgeCalibration = {
  weights: { bm25: 1.282, title: 0.403, opening: 1.038, chars: 0.559 },
  coef: { similarity: 5.338, chars: 3.678, coverage: 1.7, bias: -5.063 },
  answerThreshold: 0.5,
};

const BODY_CHARS_FOR_EMBEDDING = 400;

/** The texts embedded per article: title, title with the opening of the body, example questions. */
export const articleEmbeddingTexts = (a: KnowledgeArticle): string[] =>
  [a.title, `${a.title}. ${a.body.slice(0, BODY_CHARS_FOR_EMBEDDING)}`, ...a.questions].map(embeddingInput);

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

interface Trigrams {
  counts: Map<string, number>;
  norm: number;
}

function trigrams(text: string): Trigrams {
  const t = ` ${normalizeText(text)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
  const counts = new Map<string, number>();
  for (let i = 0; i + 3 <= t.length; i++) {
    const g = t.slice(i, i + 3);
    counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  let sq = 0;
  for (const v of counts.values()) sq += v * v;
  return { counts, norm: Math.sqrt(sq) };
}

function trigramCosine(q: Trigrams, d: Trigrams): number {
  if (q.norm === 0 || d.norm === 0) return 0;
  let s = 0;
  for (const [g, v] of q.counts) s += v * (d.counts.get(g) ?? 0);
  return s / (q.norm * d.norm);
}

/** Centres and scales one signal across the articles; a constant signal contributes nothing. */
function zScores(xs: readonly number[]): number[] {
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length));
  return xs.map((x) => (sd > 1e-9 ? (x - mean) / sd : 0));
}

/** Per article, the z-scored signals in the order bm25, title, opening, chars. */
type SignalRows = number[][];

interface RankedDoc {
  index: number;
  score: number;
  bm25: number;
  similarity: number;
  chars: number;
  coverage: number;
}

export class HybridKnowledgeSearch implements KnowledgeSearch, KnowledgeScorer {
  private readonly bm25: Bm25Index;
  private lastRanked: {
    query: string;
    q: Float32Array | null;
    weights: FusionWeights;
    ranked: readonly RankedDoc[];
  } | null = null;
  private readonly trigrams: Trigrams[][];

  private constructor(
    readonly articles: readonly KnowledgeArticle[],
    private readonly embedder: Embedder | null,
    /** Per article, the vectors of its title, title+opening and example questions. */
    private readonly vectors: Float32Array[][],
    private calibration: KnowledgeCalibration,
  ) {
    this.bm25 = new Bm25Index(
      articles.map((a) => ({
        title: [a.title, ...a.questions].join('\n'),
        body: `${a.tags.join(' ')} ${a.body}`,
      })),
    );
    this.trigrams = articles.map((a) => [a.title, ...a.questions].map(trigrams));
  }

  /** `queryEmbedder` encodes queries (default: `embedder`, which encodes the articles, possibly through a cache). */
  static async build(
    articles: readonly KnowledgeArticle[],
    embedder: Embedder | null,
    calibration: KnowledgeCalibration = DEFAULT_KNOWLEDGE_CALIBRATION,
    queryEmbedder: Embedder | null = embedder,
  ): Promise<HybridKnowledgeSearch> {
    const texts = articles.map(articleEmbeddingTexts);
    let vectors: Float32Array[][] = articles.map(() => []);
    if (embedder !== null && articles.length > 0) {
      const flat = await embedder.embed(texts.flat());
      let k = 0;
      vectors = texts.map((t) => t.map(() => flat[k++] as Float32Array));
    }
    return new HybridKnowledgeSearch(articles, queryEmbedder, vectors, calibration);
  }

  setCalibration(c: KnowledgeCalibration): void {
    this.calibration = c;
  }

  getCalibration(): KnowledgeCalibration {
    return this.calibration;
  }

  /** The raw signals of every article for a query (`q`: its embedding, computed elsewhere in batch runs). */
  private rawSignals(query: string, q: Float32Array | null) {
    const bm = this.bm25.scores(query);
    const coverage = this.bm25.coverage(query);
    const qGrams = trigrams(query);
    return this.articles.map((_, i) => {
      const [titleVec, openingVec, ...questionVecs] = this.vectors[i] ?? [];
      let title = 0;
      let opening = 0;
      if (q !== null && titleVec !== undefined) {
        title = dot(q, titleVec);
        for (const v of questionVecs) title = Math.max(title, dot(q, v));
        opening = openingVec === undefined ? 0 : dot(q, openingVec);
      }
      let chars = 0;
      for (const g of this.trigrams[i] ?? []) chars = Math.max(chars, trigramCosine(qGrams, g));
      return { bm25: bm[i] as number, title, opening, chars, coverage: coverage[i] as number };
    });
  }

  /** Per article the z-scored signals (bm25, title, opening, chars): what `fitFusionWeights` learns from. */
  signalRows(query: string, q: Float32Array | null): SignalRows {
    const raw = this.rawSignals(query, q);
    const cols = SIGNALS.map((k) => zScores(raw.map((r) => r[k])));
    return raw.map((_, i) => cols.map((c) => c[i] as number));
  }

  /** All articles scored for a query, best first. */
  rank(query: string, q: Float32Array | null, weights = this.calibration.weights): readonly RankedDoc[] {
    // A live message is ranked twice, as an input of the intent classifier and then for its answer,
    // with the same vector (the query encoder's recent window hands out the same array).
    const last = this.lastRanked;
    if (last !== null && last.query === query && last.q === q && last.weights === weights) return last.ranked;
    const ranked = this.rankAfresh(query, q, weights);
    this.lastRanked = { query, q, weights, ranked };
    return ranked;
  }

  private rankAfresh(query: string, q: Float32Array | null, weights: FusionWeights): RankedDoc[] {
    const raw = this.rawSignals(query, q);
    const w = SIGNALS.map((k) => weights[k]);
    const cols = SIGNALS.map((k) => zScores(raw.map((r) => r[k])));
    return raw
      .map((r, i) => ({
        index: i,
        score: cols.reduce((s, c, j) => s + (w[j] as number) * (c[i] as number), 0),
        bm25: r.bm25,
        similarity: Math.max(r.title, r.opening),
        chars: r.chars,
        coverage: r.coverage,
      }))
      .sort((x, y) => y.score - x.score);
  }

  confidenceOf(ranked: readonly RankedDoc[], pos: number): number {
    return calibratedConfidence(this.calibration, calibrationFeatures(ranked, pos));
  }

  /** The best article's calibrated confidence (0 without articles): an input of the intent classifier. */
  bestConfidence(query: string, q: Float32Array | null): number {
    if (this.articles.length === 0 || normalizeText(query).length === 0) return 0;
    return this.confidenceOf(this.rank(query, q), 0);
  }

  private async embedQuery(query: string): Promise<Float32Array | null> {
    if (this.embedder === null) return null;
    const [v] = await this.embedder.embed([embeddingInput(query)]);
    return v ?? null;
  }

  async search(query: string, k = 3): Promise<KnowledgeHit[]> {
    if (query.trim().length === 0 || this.articles.length === 0) return [];
    const ranked = this.rank(query, await this.embedQuery(query));
    return ranked.slice(0, k).map((r, pos) => {
      const a = this.articles[r.index] as KnowledgeArticle;
      return {
        articleId: a.id,
        title: a.title,
        score: Number(r.score.toFixed(4)),
        confidence: Number(this.confidenceOf(ranked, pos).toFixed(4)),
        snippet: snippetOf(a.body),
        url: a.url,
      };
    });
  }

  async answer(query: string): Promise<KnowledgeHit | null> {
    const [top] = await this.search(query, 1);
    return top !== undefined && top.confidence >= this.calibration.answerThreshold ? top : null;
  }
}

/**
 * Fusion weights that make the right article most probable under a softmax over the articles
 * (listwise learning to rank), by gradient descent with a little L2. `examples`: per validation
 * query its `signalRows` and the index of the article that answers it.
 */
export function fitFusionWeights(
  examples: ReadonlyArray<{ rows: SignalRows; gold: number }>,
  opts: { iterations?: number; learningRate?: number; l2?: number } = {},
): FusionWeights {
  const w = SIGNALS.map(() => 0.5);
  const lr = opts.learningRate ?? 0.5;
  const l2 = opts.l2 ?? 0.01;
  for (let it = 0; it < (opts.iterations ?? 400); it++) {
    const g = w.map(() => 0);
    for (const { rows, gold } of examples) {
      const s = rows.map((r) => r.reduce((acc, v, j) => acc + v * (w[j] as number), 0));
      const max = Math.max(...s);
      const e = s.map((x) => Math.exp(x - max));
      const z = e.reduce((a, b) => a + b, 0);
      rows.forEach((r, d) => {
        const err = (e[d] as number) / z - (d === gold ? 1 : 0);
        r.forEach((v, j) => {
          g[j] = (g[j] as number) + err * v;
        });
      });
    }
    const n = Math.max(1, examples.length);
    w.forEach((wj, j) => {
      w[j] = wj - lr * ((g[j] as number) / n + l2 * wj);
    });
  }
  const [bm25, title, opening, chars] = w.map((x) => Number(x.toFixed(3))) as [
    number,
    number,
    number,
    number,
  ];
  return { bm25, title, opening, chars };
}

function snippetOf(body: string, max = 240): string {
  const plain = body
    .replace(/[*_`#>]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (plain.length <= max) return plain;
  const cut = plain.lastIndexOf(' ', max);
  return `${plain.slice(0, cut > 0 ? cut : max)}…`;
}

export interface CalibrationSample {
  similarity: number;
  chars: number;
  coverage: number;
  /** The hit answers the query (false for every hit of an unanswerable query). */
  correct: boolean;
}

export function calibrationFeatures(
  ranked: readonly RankedDoc[],
  pos: number,
): Omit<CalibrationSample, 'correct'> {
  const r = ranked[pos];
  return { similarity: r?.similarity ?? 0, chars: r?.chars ?? 0, coverage: r?.coverage ?? 0 };
}

export const calibratedConfidence = (
  k: KnowledgeCalibration,
  f: Omit<CalibrationSample, 'correct'>,
): number =>
  sigmoid(
    k.coef.similarity * f.similarity + k.coef.chars * f.chars + k.coef.coverage * f.coverage + k.coef.bias,
  );

/** Logistic regression by gradient descent on a handful of features; small L2 keeps it finite on separable data. */
export function fitKnowledgeCalibration(
  samples: readonly CalibrationSample[],
  base: KnowledgeCalibration,
): KnowledgeCalibration {
  const w = [0, 0, 0, 0];
  const lr = 1;
  const l2 = 1e-3;
  for (let it = 0; it < 4000; it++) {
    const g = [0, 0, 0, 0];
    for (const s of samples) {
      const x = [s.similarity, s.chars, s.coverage, 1];
      const p = sigmoid(x.reduce((acc, v, i) => acc + v * (w[i] as number), 0));
      const err = p - (s.correct ? 1 : 0);
      x.forEach((v, i) => {
        g[i] = (g[i] as number) + err * v;
      });
    }
    const n = Math.max(1, samples.length);
    for (let i = 0; i < 4; i++)
      w[i] = (w[i] as number) - lr * ((g[i] as number) / n + (i < 3 ? l2 * (w[i] as number) : 0));
  }
  const [similarity, chars, coverage, bias] = w.map((x) => Number(x.toFixed(3))) as [
    number,
    number,
    number,
    number,
  ];
  return { ...base, coef: { similarity, chars, coverage, bias } };
}
