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

export const stem = (token: string): string => porter.stem(token);
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
