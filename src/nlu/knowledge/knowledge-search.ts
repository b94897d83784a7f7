/**
 * Hybrid knowledge search: BM25 for exact words (product names, error codes) plus sentence
 * embeddings for paraphrases, blended per query; a logistic calibration turns the blended score
 * and its margin over the runner-up into the probability that the top article answers.
 */
import { dot, type Embedder } from '../embeddings/embedder.js';
import { embeddingInput } from '../text/normalize.js';
import type { KnowledgeHit, KnowledgeSearch } from '../types.js';
import { Bm25Index } from './bm25.js';
import type { KnowledgeArticle } from './knowledge-files.js';

export interface KnowledgeCalibration {
  /** Weight of embedding similarity in the blend; BM25 (normalised by the query's best) gets the rest. */
  embeddingWeight: number;
  /** Logistic coefficients over [blended score, margin to the second hit, embedding similarity] + bias c. */
  a: number;
  b: number;
  d: number;
  c: number;
  /** Answer only at or above this calibrated confidence. */
  answerThreshold: number;
}

/**
 * Fitted by bench/nlu.ts on the StackFAQ train queries (positives when the top hit is right) plus
 * CLINC150's out-of-scope training texts (negatives: questions no article answers); the shipped
 * knowledge base is too small to fit its own.
 */
export const DEFAULT_KNOWLEDGE_CALIBRATION: KnowledgeCalibration = {
  embeddingWeight: 0.7,
  a: 3.934,
  b: 5.339,
  d: 4.421,
  c: -5.951,
  answerThreshold: 0.5,
};

const BODY_CHARS_FOR_EMBEDDING = 400;

/** The texts embedded per article: title, title with the opening of the body, example questions. */
export const articleEmbeddingTexts = (a: KnowledgeArticle): string[] =>
  [a.title, `${a.title}. ${a.body.slice(0, BODY_CHARS_FOR_EMBEDDING)}`, ...a.questions].map(embeddingInput);

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export interface RankedDoc {
  index: number;
  score: number;
  bm25: number;
  similarity: number;
}

export class HybridKnowledgeSearch implements KnowledgeSearch {
  private readonly bm25: Bm25Index;

  private constructor(
    readonly articles: readonly KnowledgeArticle[],
    private readonly embedder: Embedder | null,
    /** Per article, the vectors of its title, title+opening and example questions. */
    private readonly vectors: Float32Array[][],
    private calibration: KnowledgeCalibration,
  ) {
    this.bm25 = new Bm25Index(
      articles.map((a) => ({
        title: [a.title, ...a.questions].join(' '),
        body: `${a.tags.join(' ')} ${a.body}`,
      })),
    );
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

  /** All articles scored for a query embedding computed elsewhere (batch evaluation shares this path). */
  rank(
    query: string,
    q: Float32Array | null,
    embeddingWeight = this.calibration.embeddingWeight,
  ): RankedDoc[] {
    const bm = this.bm25.scores(query);
    let maxBm = 0;
    for (const v of bm) maxBm = Math.max(maxBm, v);
    const w = q === null ? 0 : embeddingWeight;
    return this.articles
      .map((_, i) => {
        let sim = 0;
        if (q !== null) for (const v of this.vectors[i] ?? []) sim = Math.max(sim, dot(q, v));
        const bmn = maxBm > 0 ? (bm[i] as number) / maxBm : 0;
        return { index: i, score: w * sim + (1 - w) * bmn, bm25: bm[i] as number, similarity: sim };
      })
      .sort((x, y) => y.score - x.score);
  }

  confidenceOf(ranked: readonly RankedDoc[], pos: number): number {
    return calibratedConfidence(this.calibration, calibrationFeatures(ranked, pos));
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
  score: number;
  margin: number;
  similarity: number;
  /** The hit answers the query (false for every hit of an unanswerable query). */
  correct: boolean;
}

export function calibrationFeatures(
  ranked: readonly RankedDoc[],
  pos: number,
): Omit<CalibrationSample, 'correct'> {
  const s = ranked[pos]?.score ?? 0;
  return { score: s, margin: s - (ranked[pos + 1]?.score ?? 0), similarity: ranked[pos]?.similarity ?? 0 };
}

export const calibratedConfidence = (
  k: KnowledgeCalibration,
  f: Omit<CalibrationSample, 'correct'>,
): number => sigmoid(k.a * f.score + k.b * f.margin + k.d * f.similarity + k.c);

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
      const x = [s.score, s.margin, s.similarity, 1];
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
  const [a, b, d, c] = w as [number, number, number, number];
  return { ...base, a, b, d, c };
}
