/**
 * Word-level helpers the dialogs share: content words, typo-tolerant matching, and how close a
 * message is to a ticket's text. Linear in the text length; messages are length-checked before.
 */
import { stem, tokenizeWords } from '../../nlu/text/natural.js';

const STOPWORDS = new Set(
  `a an the and or but if so to of in on at by for from with without about into onto over under up down out
  off is am are was were be been being do does did done have has had having i me my mine myself you your
  yours we us our ours they them their he him his she her it its this that these those there here what which
  who whom whose when where why how can could would should will shall may might must not no nor only just
  too very also again still even please pls plz thanks thank hi hello hey ok okay yes yeah yep sure now
  then than as all any some each every both few more most other such own same get got getting need needs
  want wants like im ive id dont doesnt didnt cant cannot wont isnt arent wasnt u ur`.split(/\s+/),
);

const TIME_WORDS = new Set(
  `monday tuesday wednesday thursday friday saturday sunday january february march april may june july
  august september october november december today tomorrow tonight week month asap urgent urgently soon`.split(
    /\s+/,
  ),
);

/** A word of a date or an urgency ("friday", "asap"): never part of a person's name. */
export const isTimeWord = (word: string): boolean => TIME_WORDS.has(word.toLowerCase());

/** A word too common to be part of a name or a subject ("please", "the", "now"). */
export const isStopword = (word: string): boolean => STOPWORDS.has(word.toLowerCase());

export const tokens = (text: string): string[] => tokenizeWords(text.toLowerCase().replace(/['’]/g, ''));

export const wordCount = (text: string): number => tokens(text).length;

/** Stems of the words that carry meaning (no stopwords, no one-letter tokens). */
export function contentStems(text: string): string[] {
  return tokens(text)
    .filter((t) => t.length > 1 && !STOPWORDS.has(t))
    .map((t) => stem(t));
}

/** Levenshtein distance, stopping early once it exceeds `max`. */
function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length] ?? max + 1;
}

/** Same word, allowing the typos people make: one edit from 5 letters, two from 9. */
export function sameWord(typed: string, known: string): boolean {
  if (typed === known) return true;
  const n = Math.min(typed.length, known.length);
  if (n < 5) return false;
  return editDistance(typed, known, n >= 9 ? 2 : 1) <= (n >= 9 ? 2 : 1);
}

/**
 * Whether every word of `phrase` occurs in `words` (typo-tolerant), and where the first one starts.
 * `words` are the message's tokens, lower-case.
 */
export function containsPhrase(words: readonly string[], phrase: string): boolean {
  const want = tokens(phrase);
  if (want.length === 0) return false;
  for (let i = 0; i + want.length <= words.length; i++) {
    let ok = true;
    for (let k = 0; k < want.length && ok; k++) ok = sameWord(words[i + k] ?? '', want[k] ?? '');
    if (ok) return true;
  }
  return false;
}

/** Share of the message's content stems that also occur in `other` (0 when the message has none). */
export function overlap(text: string, other: string): number {
  const mine = new Set(contentStems(text));
  if (mine.size === 0) return 0;
  const theirs = new Set(contentStems(other));
  let shared = 0;
  for (const s of mine) if (theirs.has(s)) shared++;
  return shared / mine.size;
}

/** Cosine of the two texts' content-stem sets, and how many stems they share. */
export function similarity(a: string, b: string): { cosine: number; shared: number } {
  const x = new Set(contentStems(a));
  const y = new Set(contentStems(b));
  if (x.size === 0 || y.size === 0) return { cosine: 0, shared: 0 };
  let shared = 0;
  for (const s of x) if (y.has(s)) shared++;
  return { cosine: shared / Math.sqrt(x.size * y.size), shared };
}

/**
 * Content words of the message that neither occur in `context` nor belong to `vocabulary` (the
 * words an answer to the pending question is made of). Several of them mean the message brings a
 * subject of its own.
 */
export function newSubjectWords(text: string, context: string, vocabulary: ReadonlySet<string>): string[] {
  const known = new Set(contentStems(context));
  return tokens(text)
    .filter((t) => t.length > 1 && !STOPWORDS.has(t) && !vocabulary.has(t))
    .filter((t) => !known.has(stem(t)) && !/^\d{1,2}$/.test(t));
}

/** "Tom Becker" → "Tom Becker"; "tom becker" → "Tom Becker". */
export const titleCase = (s: string): string =>
  s.replace(/\b(\p{L})(\p{L}*)/gu, (_, a: string, b: string) => a.toUpperCase() + b);

/** A short title from the first sentence of a message. */
export function titleFrom(text: string): string {
  const first = text.trim().split(/(?<=[.!?])\s+|\n/)[0] ?? text;
  const clean = first.replace(/\s+/g, ' ').trim();
  const capped = clean.length > 90 ? `${clean.slice(0, 87).trimEnd()}…` : clean;
  return capped.charAt(0).toUpperCase() + capped.slice(1);
}
