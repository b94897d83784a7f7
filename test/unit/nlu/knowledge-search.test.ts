import { describe, expect, it } from 'vitest';
import { Bm25Index, bm25TermsOfLongText } from '../../../src/nlu/knowledge/bm25.js';
import type { KnowledgeArticle } from '../../../src/nlu/knowledge/knowledge-files.js';
import {
  DEFAULT_KNOWLEDGE_CALIBRATION,
  fitFusionWeights,
  HybridKnowledgeSearch,
} from '../../../src/nlu/knowledge/knowledge-search.js';
import { hashingEmbedder } from './hashing-embedder.js';

const article = (id: string, title: string, body: string, questions: string[] = []): KnowledgeArticle => ({
  id,
  title,
  tags: [],
  category: null,
  url: null,
  questions,
  body,
});

const articles = [
  article('strike', 'Strikethrough with GitHub Markdown', 'Use ~~tildes~~ around the words.'),
  article('delete-fb', 'How do I delete my Facebook account?', 'Go to Settings, then Deactivate account.'),
  article('gmail-filter', 'Filter Gmail messages by sender', 'Create a filter from the search options.', [
    'stop emails from one person landing in my inbox',
  ]),
  article('docs-share', 'Share a Google Doc', 'Click Share and add the email addresses.'),
];

describe('BM25F', () => {
  it('lets one title word outweigh the same word repeated in a long body', () => {
    const idx = new Bm25Index([
      { title: 'Printer offline', body: 'Check the cable.' },
      { title: 'Laptop battery', body: `${'The printer queue is managed centrally. '.repeat(5)}Charge it.` },
    ]);
    const s = idx.scores('printer');
    expect(s[0]).toBeGreaterThan(s[1] as number);
    const flat = new Bm25Index(
      [
        { title: 'Printer offline', body: 'Check the cable.' },
        {
          title: 'Laptop battery',
          body: `${'The printer queue is managed centrally. '.repeat(5)}Charge it.`,
        },
      ],
      { k1: 6, titleWeight: 0.1, bTitle: 0.5, bBody: 0 },
    );
    const f = flat.scores('printer');
    expect(f[1]).toBeGreaterThan(f[0] as number);
  });

  it('indexes a body to its end, past the 2,000 characters a query is cut to', () => {
    const body = `${'filler words about nothing in particular. '.repeat(100)}kerberos`;
    expect(body.length).toBeGreaterThan(4000);
    expect(bm25TermsOfLongText(body)).toContain('kerbero');
    const idx = new Bm25Index([
      { title: 'a', body },
      { title: 'b', body: 'nothing here' },
    ]);
    expect(idx.scores('kerberos ticket')[0]).toBeGreaterThan(0);
  });
});

describe('hybrid knowledge search', () => {
  it('finds a misspelt title through character trigrams even without embeddings', async () => {
    const s = await HybridKnowledgeSearch.build(articles, null);
    const [top] = s.rank('stikethrough on githb', null);
    expect(s.articles[top?.index ?? -1]?.id).toBe('strike');
    const bmOnly = s.rank('stikethrough on githb', null, { bm25: 1, title: 0, opening: 0, chars: 0 });
    // BM25 alone sees no shared word, so every article ties at zero.
    expect(bmOnly.every((r) => r.score === 0)).toBe(true);
  });

  it('matches an example question like the title', async () => {
    const s = await HybridKnowledgeSearch.build(articles, hashingEmbedder());
    const hits = await s.search('stop emails from one person landing in my inbox', 2);
    expect(hits[0]?.articleId).toBe('gmail-filter');
    expect(hits[0]?.confidence).toBeGreaterThan(hits[1]?.confidence ?? 1);
  });

  it('z-scores each signal per query, so a signal equal for every article adds nothing', async () => {
    const s = await HybridKnowledgeSearch.build(articles, null);
    const rows = s.signalRows('share a google doc', null);
    expect(rows).toHaveLength(articles.length);
    // No embeddings: the title and opening signals are constant (0) and z-score to 0.
    for (const r of rows) {
      expect(r[1]).toBe(0);
      expect(r[2]).toBe(0);
    }
    const bm = rows.map((r) => r[0] as number);
    expect(bm.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 9);
    expect(bm.indexOf(Math.max(...bm))).toBe(3);
  });

  it('ranks a message once for the classifier and its answer, and afresh for another text or vector', async () => {
    const s = await HybridKnowledgeSearch.build(articles, hashingEmbedder());
    const [v] = await hashingEmbedder().embed(['share a google doc']);
    const [other] = await hashingEmbedder().embed(['share a google doc']);
    const first = s.rank('share a google doc', v ?? null);
    expect(s.rank('share a google doc', v ?? null)).toBe(first);
    // An equal vector from elsewhere (a batch run) is ranked again, and gives the same order.
    const again = s.rank('share a google doc', other ?? null);
    expect(again).not.toBe(first);
    expect(again.map((r) => r.index)).toEqual(first.map((r) => r.index));
    expect(s.rank('delete my facebook account', v ?? null)).not.toBe(first);
    expect(s.articles[first[0]?.index ?? -1]?.id).toBe('docs-share');
  });

  it('keeps the calibrated threshold: an unrelated question gets no answer', async () => {
    const s = await HybridKnowledgeSearch.build(articles, hashingEmbedder());
    expect((await s.answer('how do I delete my facebook account'))?.articleId).toBe('delete-fb');
    expect(await s.answer('what is the capital of peru')).toBeNull();
    expect(s.getCalibration().answerThreshold).toBe(DEFAULT_KNOWLEDGE_CALIBRATION.answerThreshold);
  });
});

describe('fitFusionWeights', () => {
  it('puts weight on the signal that finds the right article and little on noise', () => {
    // Signal 0 marks the right article; signal 3 is noise; 1 and 2 are constant.
    let seed = 7;
    const noise = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31 - 0.5;
    };
    const examples = Array.from({ length: 60 }, (_, k) => {
      const gold = k % 5;
      const rows = Array.from({ length: 5 }, (_, d) => [
        (d === gold ? 1.5 : -0.4) + noise(),
        0,
        0,
        2 * noise(),
      ]);
      return { rows, gold };
    });
    const w = fitFusionWeights(examples);
    expect(w.bm25).toBeGreaterThan(1);
    expect(Math.abs(w.chars)).toBeLessThan(w.bm25 / 3);
    expect(w.title).toBeCloseTo(w.opening, 6);
  });
});
