import { describe, expect, it } from 'vitest';
import { contextInputs, type KnowledgeScorer } from '../../../src/nlu/intents/decision-context.js';
import {
  fromIntentArtefact,
  intentArtefactSchema,
  toIntentArtefact,
} from '../../../src/nlu/intents/intent-artefact.js';
import { IntentModel } from '../../../src/nlu/intents/intent-model.js';
import { trainIntentModel } from '../../../src/nlu/intents/train-intents.js';
import { hashingEmbedder } from './hashing-embedder.js';

const fixed = (score: number): KnowledgeScorer => ({ bestConfidence: () => score });

describe('decision context inputs (knowledge score, ticket number)', () => {
  it('reads ticket numbers the way the desk recognises them and scales both inputs', () => {
    expect(contextInputs('any news on INC0000123?', null, null, 1)).toEqual([0, 1]);
    expect(contextInputs('status of inc 42 please', null, null, 1)).toEqual([0, 1]);
    expect(contextInputs('#REQ-7 is late', null, fixed(0.5), 2)).toEqual([1, 2]);
    expect(contextInputs('my order 1234 is late', null, fixed(0.25), 1)).toEqual([0.25, 0]);
  });

  it('learns from the knowledge score what the words alone cannot tell', async () => {
    // Both intents use the same words; only the knowledge score tells them apart in training.
    const rows = Array.from({ length: 40 }, (_, i) => ({
      text: `question about thing ${i % 5} number ${i}`,
      label: i % 2 === 0 ? 'how_to' : 'incident_other',
    }));
    const howTo = new Set(rows.filter((r) => r.label === 'how_to').map((r) => r.text));
    const byText: KnowledgeScorer = { bestConfidence: (t) => (howTo.has(t) ? 0.9 : 0.05) };
    const embedder = hashingEmbedder();
    const trained = await trainIntentModel(rows, { embedder, context: { knowledge: byText } });
    expect(trained.heldOut.accuracy).toBeGreaterThan(0.9);

    const art = intentArtefactSchema.parse(JSON.parse(JSON.stringify(toIntentArtefact(trained.state))));
    const state = fromIntentArtefact(art);
    expect(state.context?.features).toEqual(['kb_score', 'ticket_number']);
    const vecs = await embedder.embed(state.examples.map((e) => e.text));
    const [q] = await embedder.embed(['question about thing 3 number 999']);
    const served = (score: number): string => {
      const m = new IntentModel(state, embedder, vecs, fixed(score));
      return m.toPrediction(m.score('question about thing 3 number 999', q ?? null)).intent;
    };
    expect(served(0.9)).toBe('how_to');
    expect(served(0.05)).toBe('incident_other');
  });

  it('leaves models trained without context inputs as they were', async () => {
    const rows = [
      ...['reset my password', 'forgot my password', 'password expired'].map((text) => ({
        text,
        label: 'password_reset',
      })),
      ...['printer jammed', 'printer offline', 'printer out of toner'].map((text) => ({
        text,
        label: 'incident_printer',
      })),
    ];
    const trained = await trainIntentModel(rows, { embedder: null, skipHeldOut: true });
    expect(trained.state.context).toBeNull();
    expect(trained.state.softmax.denseDim).toBe(0);
    const art = toIntentArtefact(trained.state);
    expect(art.context).toBeNull();
    expect((await trained.model.classify('my printer jammed again')).intent).toBe('incident_printer');
  });
});
