/**
 * Okapi BM25 over stemmed words without stop words; titles count double.
 */
import { createRequire } from 'node:module';
import { normalizeText, tokenize } from '../text/normalize.js';

const require = createRequire(import.meta.url);
// Loaded file by file for the same reason as text/natural.ts (natural's index prints dotenv tips).
const { words: STOP_WORDS } = require('natural/lib/natural/util/stopwords.js') as { words: string[] };
const STOP = new Set(STOP_WORDS);

export function bm25Terms(text: string): string[] {
  const { words, stems } = tokenize(normalizeText(text));
  return stems.filter((_, i) => !STOP.has(words[i] as string));
}

export interface Bm25Doc {
  title: string;
  body: string;
}

export class Bm25Index {
  private readonly tf: Array<Map<string, number>>;
  private readonly len: number[];
  private readonly df = new Map<string, number>();
  private readonly avgLen: number;

  constructor(
    docs: readonly Bm25Doc[],
    private readonly k1 = 1.2,
    private readonly b = 0.75,
  ) {
    this.tf = docs.map((d) => {
      const m = new Map<string, number>();
      const terms = [...bm25Terms(d.title), ...bm25Terms(d.title), ...bm25Terms(d.body)];
      for (const t of terms) m.set(t, (m.get(t) ?? 0) + 1);
      return m;
    });
    this.len = this.tf.map((m) => [...m.values()].reduce((a, b2) => a + b2, 0));
    for (const m of this.tf) for (const t of m.keys()) this.df.set(t, (this.df.get(t) ?? 0) + 1);
    this.avgLen = this.len.reduce((a, b2) => a + b2, 0) / Math.max(1, this.len.length);
  }

  /** One score per document, in document order. */
  scores(query: string): Float64Array {
    const out = new Float64Array(this.tf.length);
    const n = this.tf.length;
    for (const t of new Set(bm25Terms(query))) {
      const df = this.df.get(t);
      if (df === undefined) continue;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      this.tf.forEach((m, i) => {
        const f = m.get(t);
        if (f === undefined) return;
        const norm = this.k1 * (1 - this.b + (this.b * (this.len[i] as number)) / (this.avgLen || 1));
        out[i] = (out[i] as number) + (idf * (f * (this.k1 + 1))) / (f + norm);
      });
    }
    return out;
  }
}
