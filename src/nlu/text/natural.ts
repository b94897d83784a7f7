/**
 * The few pieces of `natural` we use, loaded file by file: its index pulls in storage back-ends
 * that call dotenv, which prints to stdout and would pollute CLI output such as `eval --json`.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface Stemmer {
  stem(token: string): string;
}
interface SentimentAnalyzerCtor {
  new (
    language: string,
    stemmer: Stemmer | null,
    vocabulary: string,
  ): { getSentiment(tokens: string[]): number };
}

const porter = require('natural/lib/natural/stemmers/porter_stemmer.js') as Stemmer;
const { RegexpTokenizer } = require('natural/lib/natural/tokenizers/regexp_tokenizer.js') as {
  RegexpTokenizer: new (opts: { pattern: RegExp; gaps?: boolean }) => { tokenize(text: string): string[] };
};
// Letters and digits of any script: the aggressive tokenizer would cut "résumé" into "r sum".
const tokenizer = new RegexpTokenizer({ pattern: /[^\p{L}\p{N}]+/u });

// People reuse a small vocabulary, and the Porter stemmer is the dearest step of tokenising: each
// word is stemmed once, the cache emptied when it fills so memory stays bounded.
const STEMS = new Map<string, string>();
const STEM_CACHE_MAX = 50_000;

export function stem(token: string): string {
  let s = STEMS.get(token);
  if (s === undefined) {
    s = porter.stem(token);
    if (STEMS.size >= STEM_CACHE_MAX) STEMS.clear();
    STEMS.set(token, s);
  }
  return s;
}
export const tokenizeWords = (text: string): string[] => tokenizer.tokenize(text);

let sentiment: { getSentiment(tokens: string[]): number } | null = null;

/** AFINN sentiment of already-tokenized text: below 0 leans negative. */
export function sentimentOf(tokens: string[]): number {
  if (sentiment === null) {
    const { SentimentAnalyzer } = require('natural/lib/natural/sentiment/index.js') as {
      SentimentAnalyzer: SentimentAnalyzerCtor;
    };
    sentiment = new SentimentAnalyzer('English', null, 'afinn');
  }
  return tokens.length === 0 ? 0 : sentiment.getSentiment(tokens);
}
