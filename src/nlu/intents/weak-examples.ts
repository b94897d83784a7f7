/**
 * The agreement filter for weak labels: a first-pass model trained on our own examples ranks each
 * candidate text, and only texts whose mapped intents it already half-believes are kept.
 */
import { agreeingLabel, type WeakCandidate } from '../data/weak-labels.js';
import type { Embedder } from '../embeddings/embedder.js';
import { embeddingInput } from '../text/normalize.js';
import type { IntentModel } from './intent-model.js';
import type { LabeledText } from './train-intents.js';

export interface WeakSelection {
  examples: Array<LabeledText & { source: string }>;
  bySource: Record<string, { candidates: number; kept: number }>;
}

export async function selectWeakExamples(
  model: IntentModel,
  embedder: Embedder | null,
  candidates: readonly WeakCandidate[],
): Promise<WeakSelection> {
  const vecs =
    embedder === null
      ? candidates.map(() => null)
      : await embedder.embed(candidates.map((c) => embeddingInput(c.text)));
  const labels = model.labels;
  const examples: WeakSelection['examples'] = [];
  const bySource: WeakSelection['bySource'] = {};
  candidates.forEach((c, i) => {
    const s = model.score(c.text, vecs[i] ?? null);
    const ranked = [...s.probs.keys()]
      .sort((a, b) => (s.probs[b] as number) - (s.probs[a] as number))
      .map((k) => labels[k] as string);
    const label = agreeingLabel(c, ranked, s.outOfScope);
    const stat = bySource[c.source] ?? { candidates: 0, kept: 0 };
    stat.candidates++;
    if (label !== null) {
      stat.kept++;
      examples.push({ text: c.text, label, source: c.source });
    }
    bySource[c.source] = stat;
  });
  return { examples, bySource };
}
