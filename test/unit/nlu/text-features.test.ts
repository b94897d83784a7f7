import { describe, expect, it } from 'vitest';
import { embeddingInput, MAX_TEXT_CHARS, normalizeText, tokenize } from '../../../src/nlu/text/normalize.js';
import { extractTerms, readableTerm, Tfidf } from '../../../src/nlu/text/tfidf.js';

describe('text normalisation', () => {
  it('lower-cases, folds apostrophes and keeps letters of any script', () => {
    expect(normalizeText("  I CAN'T  log in ")).toBe('i cant log in');
    expect(tokenize(normalizeText('Résumé printing is BROKEN')).words).toEqual([
      'résumé',
      'printing',
      'is',
      'broken',
    ]);
    expect(tokenize(normalizeText('Привет, как дела')).words).toEqual(['привет', 'как', 'дела']);
  });

  it('stems with natural and yields nothing for emoji-only or empty text', () => {
    expect(tokenize('printers printing').stems).toEqual(['printer', 'print']);
    expect(tokenize(normalizeText('🔥🔥')).words).toEqual([]);
    expect(tokenize(normalizeText('')).words).toEqual([]);
  });

  it('bounds huge input', () => {
    expect(normalizeText('a '.repeat(50_000)).length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    expect(embeddingInput('x'.repeat(50_000)).length).toBe(MAX_TEXT_CHARS);
  });
});

describe('TF-IDF features', () => {
  it('extracts word, bigram and character n-gram terms', () => {
    const terms = extractTerms('reset password', true);
    expect(terms.has('w:reset')).toBe(true);
    expect(terms.has('b:reset password')).toBe(true);
    expect(terms.has('c: pa')).toBe(true);
    expect([...extractTerms('reset password', false).keys()].some((t) => t.startsWith('c:'))).toBe(false);
    expect(readableTerm('b:reset password')).toBe('reset password');
  });

  it('produces sorted sparse vectors with normalised blocks and ignores unknown terms', () => {
    const tf = Tfidf.fit(['reset my password', 'printer is broken', 'password expired'], {
      charNgrams: true,
      minDf: 1,
    });
    const v = tf.transform('password printer');
    for (let i = 1; i < v.idx.length; i++) expect(v.idx[i]).toBeGreaterThan(v.idx[i - 1] as number);
    let words = 0;
    let chars = 0;
    v.idx.forEach((f, j) => {
      const sq = (v.val[j] as number) ** 2;
      if (tf.termOf(f).startsWith('c:')) chars += sq;
      else words += sq;
    });
    expect(Math.sqrt(words)).toBeCloseTo(0.8, 5);
    expect(Math.sqrt(chars)).toBeCloseTo(0.6, 5);
    expect(tf.transform('zzzz qqqq').idx.length).toBe(0);
  });
});
