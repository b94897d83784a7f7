/**
 * Sparse TF-IDF features: stemmed word unigrams and bigrams plus character 3-5-grams of the words.
 * Character n-grams carry typos and unseen inflections ("pasword", "printers"); word n-grams carry
 * phrases ("reset password"). Each block is L2-normalised on its own so that the many character
 * n-grams do not drown the few words.
 */
import { normalizeText, tokenize } from './normalize.js';

export interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
}

export interface TfidfOptions {
  charNgrams: boolean;
  /** Word bigrams (default on); off gives the plain unigram TF-IDF of the baselines. */
  wordBigrams?: boolean;
  /** Features seen in fewer training texts are dropped (keeps large vocabularies small). */
  minDf: number;
}

export interface TfidfState {
  options: TfidfOptions;
  terms: string[];
  idf: number[];
}

const WORD_BLOCK = 0.8;
const CHAR_BLOCK = 0.6;

/** Raw feature counts of one text, keyed by a prefixed term: w: word, b: bigram, c: char n-gram. */
export function extractTerms(text: string, charNgrams: boolean, wordBigrams = true): Map<string, number> {
  const { words, stems } = tokenize(normalizeText(text));
  const counts = new Map<string, number>();
  const add = (t: string) => counts.set(t, (counts.get(t) ?? 0) + 1);
  for (let i = 0; i < stems.length; i++) {
    add(`w:${stems[i]}`);
    if (wordBigrams && i > 0) add(`b:${stems[i - 1]} ${stems[i]}`);
  }
  if (charNgrams) {
    for (const w of words) {
      const padded = ` ${w} `;
      for (let n = 3; n <= 5; n++) {
        for (let i = 0; i + n <= padded.length; i++) add(`c:${padded.slice(i, i + n)}`);
      }
    }
  }
  return counts;
}

export class Tfidf {
  private readonly index: Map<string, number>;

  private constructor(readonly state: TfidfState) {
    this.index = new Map(state.terms.map((t, i) => [t, i]));
  }

  get size(): number {
    return this.state.terms.length;
  }

  termOf(i: number): string {
    return this.state.terms[i] ?? '';
  }

  static fit(texts: readonly string[], options: TfidfOptions): Tfidf {
    const df = new Map<string, number>();
    for (const t of texts)
      for (const term of extractTerms(t, options.charNgrams, options.wordBigrams ?? true).keys())
        df.set(term, (df.get(term) ?? 0) + 1);
    const terms = [...df.entries()]
      .filter(([, n]) => n >= options.minDf)
      .map(([t]) => t)
      .sort();
    const n = texts.length;
    const idf = terms.map((t) => Math.log((1 + n) / (1 + (df.get(t) ?? 0))) + 1);
    return new Tfidf({ options, terms, idf });
  }

  static fromState(state: TfidfState): Tfidf {
    return new Tfidf(state);
  }

  transform(text: string): SparseVector {
    const counts = extractTerms(text, this.state.options.charNgrams, this.state.options.wordBigrams ?? true);
    const entries: Array<[number, number, boolean]> = [];
    let wordNorm = 0;
    let charNorm = 0;
    for (const [term, c] of counts) {
      const i = this.index.get(term);
      if (i === undefined) continue;
      const v = (1 + Math.log(c)) * (this.state.idf[i] as number);
      const isChar = term.startsWith('c:');
      if (isChar) charNorm += v * v;
      else wordNorm += v * v;
      entries.push([i, v, isChar]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    const wScale = wordNorm > 0 ? WORD_BLOCK / Math.sqrt(wordNorm) : 0;
    const cScale = charNorm > 0 ? CHAR_BLOCK / Math.sqrt(charNorm) : 0;
    const idx = new Int32Array(entries.length);
    const val = new Float32Array(entries.length);
    entries.forEach(([i, v, isChar], j) => {
      idx[j] = i;
      val[j] = v * (isChar ? cScale : wScale);
    });
    return { idx, val };
  }
}

/** A term as people read it: "b:reset password" → "reset password", "c: vpn" → "vpn". */
export function readableTerm(term: string): string {
  return term.slice(2).trim();
}
