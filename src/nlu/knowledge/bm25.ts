/**
 * BM25F over stemmed words without stop words, with two fields: the title (with the article's
 * example questions) and the body. Each field has its own length normalisation, so a long answer
 * does not drown the title's words, and the title's weight is a parameter chosen on validation data.
 */
import { createRequire } from 'node:module';
import { MAX_TEXT_CHARS, normalizeText, tokenize } from '../text/normalize.js';

const require = createRequire(import.meta.url);
// Loaded file by file for the same reason as text/natural.ts (natural's index prints dotenv tips).
const { words: STOP_WORDS } = require('natural/lib/natural/util/stopwords.js') as { words: string[] };
const STOP = new Set(STOP_WORDS);

function bm25Terms(text: string): string[] {
  const { words, stems } = tokenize(normalizeText(text));
  return stems.filter((_, i) => !STOP.has(words[i] as string));
}

/** Terms of a whole article body: normalizeText bounds a query's length, an indexed body is read to the end. */
export function bm25TermsOfLongText(text: string): string[] {
  const out: string[] = [];
  const step = MAX_TEXT_CHARS / 2;
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + step);
    // Cut at whitespace so no word is split in two.
    if (end < text.length) {
      const space = text.lastIndexOf(' ', end);
      if (space > start) end = space;
    }
    out.push(...bm25Terms(text.slice(start, end)));
    start = end;
  }
  return out;
}

interface Bm25Doc {
  title: string;
  body: string;
}

interface Bm25Params {
  k1: number;
  /** How much one occurrence in the title field counts against one in the body. */
  titleWeight: number;
  /** Length normalisation per field (0: none, 1: full). */
  bTitle: number;
  bBody: number;
}

/** Chosen on the StackFAQ train-split queries (bench/nlu.ts --only knowledge), never on the test split. */
// A high k1 lets repeated words keep counting (answers are long and on topic); the title weighs 20
// body words. The optimum on the train queries is a flat plateau (k1 6–10, title 8–30).
const DEFAULT_BM25_PARAMS: Bm25Params = { k1: 6, titleWeight: 20, bTitle: 0.5, bBody: 1 };

interface Field {
  tf: Array<Map<string, number>>;
  len: number[];
  avgLen: number;
}

function field(termLists: string[][]): Field {
  const tf = termLists.map((terms) => {
    const m = new Map<string, number>();
    for (const t of terms) m.set(t, (m.get(t) ?? 0) + 1);
    return m;
  });
  const len = termLists.map((t) => t.length);
  return { tf, len, avgLen: len.reduce((a, b) => a + b, 0) / Math.max(1, len.length) || 1 };
}

export class Bm25Index {
  private readonly title: Field;
  private readonly body: Field;
  private readonly df = new Map<string, number>();
  private readonly n: number;

  constructor(
    docs: readonly Bm25Doc[],
    private readonly params: Bm25Params = DEFAULT_BM25_PARAMS,
  ) {
    this.n = docs.length;
    this.title = field(docs.map((d) => bm25TermsOfLongText(d.title)));
    this.body = field(docs.map((d) => bm25TermsOfLongText(d.body)));
    for (let i = 0; i < this.n; i++) {
      const terms = new Set([...(this.title.tf[i]?.keys() ?? []), ...(this.body.tf[i]?.keys() ?? [])]);
      for (const t of terms) this.df.set(t, (this.df.get(t) ?? 0) + 1);
    }
  }

  /** Per document, the share of the query's distinct terms it contains (0–1, whatever the collection size). */
  coverage(query: string): Float64Array {
    const out = new Float64Array(this.n);
    const terms = new Set(bm25Terms(query));
    if (terms.size === 0) return out;
    for (let i = 0; i < this.n; i++) {
      let hit = 0;
      for (const t of terms) if (this.title.tf[i]?.has(t) || this.body.tf[i]?.has(t)) hit++;
      out[i] = hit / terms.size;
    }
    return out;
  }

  /** One score per document, in document order. */
  scores(query: string): Float64Array {
    const out = new Float64Array(this.n);
    const { k1, titleWeight, bTitle, bBody } = this.params;
    const weighted = (f: Field, i: number, t: string, b: number): number => {
      const tf = f.tf[i]?.get(t);
      return tf === undefined ? 0 : tf / (1 - b + (b * (f.len[i] as number)) / f.avgLen);
    };
    for (const t of new Set(bm25Terms(query))) {
      const df = this.df.get(t);
      if (df === undefined) continue;
      const idf = Math.log(1 + (this.n - df + 0.5) / (df + 0.5));
      for (let i = 0; i < this.n; i++) {
        const tf = titleWeight * weighted(this.title, i, t, bTitle) + weighted(this.body, i, t, bBody);
        if (tf > 0) out[i] = (out[i] as number) + (idf * (tf * (k1 + 1))) / (tf + k1);
      }
    }
    return out;
  }
}
