import { describe, expect, it } from 'vitest';
import { evaluateIntents } from '../../../src/nlu/evaluate-intents.js';
import {
  fromIntentArtefact,
  intentArtefactSchema,
  toIntentArtefact,
} from '../../../src/nlu/intents/intent-artefact.js';
import { IntentModel } from '../../../src/nlu/intents/intent-model.js';
import { trainIntentModel } from '../../../src/nlu/intents/train-intents.js';
import { OUT_OF_SCOPE } from '../../../src/nlu/types.js';
import { hashingEmbedder, toyRows } from './hashing-embedder.js';

describe('intent classifier', async () => {
  const embedder = hashingEmbedder();
  const trained = await trainIntentModel(toyRows(), { embedder });

  it('classifies paraphrases and reports calibrated, ranked alternatives', async () => {
    const p = await trained.model.classify('I forgot the password for my account');
    expect(p.intent).toBe('password_reset');
    expect(p.outOfScope).toBe(false);
    expect(p.confidence).toBeGreaterThan(0);
    expect(p.confidence).toBeLessThanOrEqual(1);
    expect(p.alternatives.length).toBeGreaterThan(0);
    expect(p.alternatives.every((a) => a.confidence <= p.confidence && a.intent !== p.intent)).toBe(true);
    expect((await trained.model.classify('the printer is jammed')).intent).toBe('incident_printer');
  });

  it('explains with contributing terms and nearest training examples', async () => {
    const p = await trained.model.classify('printer out of toner');
    expect(p.explanation.terms.map((t) => t.term)).toContain('printer');
    expect(p.explanation.nearest[0]?.text).toBe('printer says out of toner');
    expect(p.explanation.nearest[0]?.intent).toBe('incident_printer');
  });

  it('leaves the nearest examples out when asked, and nothing else', async () => {
    const full = await trained.model.classify('printer out of toner');
    const lean = await trained.model.classify('printer out of toner', { nearest: false });
    expect(lean).toEqual({ ...full, explanation: { terms: full.explanation.terms, nearest: [] } });
  });

  it('hands empty, emoji-only and off-topic text to out of scope without throwing', async () => {
    expect((await trained.model.classify('')).intent).toBe(OUT_OF_SCOPE);
    expect((await trained.model.classify('   ')).outOfScope).toBe(true);
    const emoji = await trained.model.classify('🔥🔥🔥');
    expect(typeof emoji.intent).toBe('string');
    expect((await trained.model.classify('tell me a joke about the weather')).intent).toBe(OUT_OF_SCOPE);
    const huge = await trained.model.classify('printer '.repeat(20_000));
    expect(huge.intent).toBe('incident_printer');
  });

  it('reports cross-validated held-out accuracy and a fitted temperature', () => {
    expect(trained.heldOut.source).toBe('cross-validation');
    expect(trained.heldOut.n).toBe(toyRows().length);
    expect(trained.heldOut.accuracy).toBeGreaterThan(0.5);
    expect(trained.heldOut.temperature).toBeGreaterThan(0);
  });

  it('round-trips through the models/ artefact with the same predictions', async () => {
    const art = intentArtefactSchema.parse(JSON.parse(JSON.stringify(toIntentArtefact(trained.state))));
    const state = fromIntentArtefact(art);
    const again = new IntentModel(state, embedder, await embedder.embed(state.examples.map((e) => e.text)));
    for (const q of [
      'reset my password',
      'any news on my ticket',
      'hello there',
      'what is the capital of france',
    ]) {
      const a = await trained.model.classify(q);
      const b = await again.classify(q);
      expect(b.intent).toBe(a.intent);
      expect(b.confidence).toBeCloseTo(a.confidence, 1);
    }
  });

  it('refuses a model used with another encoder', () => {
    expect(() => new IntentModel(trained.state, null, null)).toThrow(/chatdesk train/);
  });

  it('works on TF-IDF alone', async () => {
    const sparse = await trainIntentModel(toyRows(), { embedder: null });
    expect((await sparse.model.classify('reset my password')).intent).toBe('password_reset');
    expect((await sparse.model.classify('reset my password')).explanation.nearest.length).toBeGreaterThan(0);
  });

  it('evaluates with the eval contract fields and a validation split', async () => {
    const rows = toyRows();
    const val = rows.filter((_, i) => i % 4 === 0);
    const test = rows.filter((_, i) => i % 4 === 1);
    const train = rows.filter((_, i) => i % 4 >= 2);
    const r = await evaluateIntents(train, test, val, OUT_OF_SCOPE, { embedder, latencySamples: 5 });
    for (const k of [
      'accuracy',
      'in_scope_accuracy',
      'oos_recall',
      'oos_precision',
      'macro_f1',
      'latency_p50_ms',
      'latency_p99_ms',
    ] as const) {
      expect(r[k]).toBeGreaterThanOrEqual(0);
    }
    expect(r.n_train).toBe(train.length);
    expect(r.n_test).toBe(test.length);
    expect(r.held_out.source).toBe('validation');
    expect(r.in_scope_accuracy).toBeGreaterThan(0.4);
  });
});
