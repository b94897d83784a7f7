import { describe, expect, it } from 'vitest';
import { Bm25Index } from '../../../src/nlu/knowledge/bm25.js';
import type { KnowledgeArticle } from '../../../src/nlu/knowledge/knowledge-files.js';
import { HybridKnowledgeSearch } from '../../../src/nlu/knowledge/knowledge-search.js';
import { PriorityCueMatcher } from '../../../src/nlu/triage/priority-cues.js';
import { TicketTriage } from '../../../src/nlu/triage/triage-model.js';
import { hashingEmbedder } from './hashing-embedder.js';

describe('priority cues', () => {
  const m = new PriorityCueMatcher();

  it('raises impact and urgency with a reason naming the phrase', () => {
    const c = m.match("The whole team can't work, VPN is down!");
    expect(c.impact).toBe('high');
    expect(c.urgency).toBe('high');
    expect(c.reasons.join(' ')).toContain("'whole team' → impact high");
  });

  it('lets a longer negated cue win over the phrase inside it', () => {
    expect(m.match('not urgent, my mouse squeaks').urgency).toBe('low');
    expect(m.match('my mouse squeaks').reasons.join(' ')).toContain('no urgency cue');
  });

  it('reads authored cue lists', () => {
    const custom = new PriorityCueMatcher({
      impact: { high: ['all stores'] },
      urgency: { medium: ['by friday'] },
    });
    expect(custom.match('All stores offline, fix by Friday')).toMatchObject({
      impact: 'high',
      urgency: 'medium',
    });
  });
});

describe('ticket triage', () => {
  const tickets = [
    ...[
      'vpn drops every hour',
      'wifi is down on floor 2',
      'cannot reach the network share',
      'vpn will not connect',
      'network is very slow',
    ].map((text) => ({ text, category: 'network', group: 'infra' })),
    ...[
      'outlook does not sync',
      'cannot send email',
      'mailbox is full',
      'email stuck in outbox',
      'shared mailbox missing',
    ].map((text) => ({
      text,
      category: 'email',
      group: 'service-desk',
    })),
    ...['printer jammed', 'printer offline', 'cannot print', 'toner empty', 'print queue stuck'].map(
      (text) => ({
        text,
        category: 'printer',
        group: 'workplace',
      }),
    ),
  ];
  const model = TicketTriage.train(tickets);

  it('predicts category and group with explanations and cue-based priority', async () => {
    const p = await model.predict('The VPN keeps dropping for everyone, urgent');
    expect(p.category).toBe('network');
    expect(p.group).toBe('infra');
    expect(p.impact).toBe('high');
    expect(p.urgency).toBe('high');
    expect(p.explanation.terms.map((t) => t.term)).toContain('vpn');
    expect(p.explanation.nearest[0]?.intent).toBe('network');
    // Without the scan for the nearest past tickets, the same prediction.
    const lean = await model.predict('The VPN keeps dropping for everyone, urgent', { nearest: false });
    expect(lean).toEqual({ ...p, explanation: { terms: p.explanation.terms, nearest: [] } });
  });

  it('survives serialisation', async () => {
    const again = TicketTriage.deserialize(JSON.parse(JSON.stringify(model.serialize())));
    expect((await again.predict('my email is stuck')).category).toBe('email');
    expect((await again.predict('')).category).toEqual(expect.any(String));
  });
});

describe('knowledge search', () => {
  const articles: KnowledgeArticle[] = [
    {
      id: 'pw',
      title: 'Reset your password',
      tags: ['password'],
      category: 'access',
      url: null,
      questions: ['i forgot my password'],
      body: 'Use the self-service portal to reset a forgotten password.',
    },
    {
      id: 'vpn',
      title: 'Fix VPN disconnects',
      tags: ['vpn'],
      category: 'network',
      url: 'https://kb/vpn',
      questions: [],
      body: 'Restart the GlobalProtect client and check your wifi.',
    },
    {
      id: 'print',
      title: 'Add a network printer',
      tags: ['printer'],
      category: 'printer',
      url: null,
      questions: [],
      body: 'Open Settings, Printers, Add printer.',
    },
  ];

  it('ranks by BM25 and weights titles', () => {
    const s = new Bm25Index(articles.map((a) => ({ title: a.title, body: a.body })));
    const scores = s.scores('vpn keeps disconnecting');
    expect(scores.indexOf(Math.max(...scores))).toBe(1);
  });

  it('answers confidently only when an article fits', async () => {
    const s = await HybridKnowledgeSearch.build(articles, hashingEmbedder());
    const hits = await s.search('how do I reset my password', 2);
    expect(hits[0]?.articleId).toBe('pw');
    expect(hits[0]?.confidence).toBeGreaterThan(hits[1]?.confidence ?? 1);
    expect((await s.answer('reset my forgotten password'))?.articleId).toBe('pw');
    expect(await s.answer('what is the capital of peru')).toBeNull();
    expect(await s.search('')).toEqual([]);
  });

  it('works without embeddings', async () => {
    const s = await HybridKnowledgeSearch.build(articles, null);
    expect((await s.search('printer'))[0]?.articleId).toBe('print');
  });
});
