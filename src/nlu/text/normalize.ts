/**
 * One text normalisation for training and serving, so features never drift between the two.
 */
import { stem, tokenizeWords } from './natural.js';

/** Longer input is cut: intents live in the first sentences, and latency must stay bounded. */
export const MAX_TEXT_CHARS = 2000;

export function normalizeText(text: string): string {
  return text
    .slice(0, MAX_TEXT_CHARS * 2)
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/'/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_TEXT_CHARS);
}

interface Tokens {
  words: string[];
  stems: string[];
}

export function tokenize(normalized: string): Tokens {
  const words = tokenizeWords(normalized).filter((w) => w.length > 0);
  return { words, stems: words.map((w) => (/^[a-z]+$/.test(w) ? stem(w) : w)) };
}

/** What the sentence encoder sees: casing and punctuation kept (they carry meaning for it), length bounded. */
export function embeddingInput(text: string): string {
  return text
    .slice(0, MAX_TEXT_CHARS * 2)
    .normalize('NFKC')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_TEXT_CHARS);
}
