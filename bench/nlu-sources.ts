/**
 * bench:nlu `sources` section: what each weak-label source of data/weak-labels.json adds. Models
 * are trained on our own examples alone, plus each source, plus all of them; each is measured on
 * the `test` split of every source (rows never used for training) and by cross-validation on our
 * own examples. A test row counts as right when the decided intent is one of its mapped
 * candidates; its action is right when it is the candidates' action (rows whose candidates span
 * two actions count for the intent only). Every model learns from the knowledge-search score and
 * the ticket-number input as the shipped one does; the last row drops them, to measure what they add.
 *
 * The composed messages (data/compositions.json) are measured on a lexicon they never saw: every
 * other thing and act of each list trains, the rest compose the test texts.
 */
import {
  type Compositions,
  composeExamples,
  loadComposedExamples,
  readCompositions,
} from '../src/nlu/data/compositions.js';
import { loadIntentData } from '../src/nlu/data/intent-files.js';
import { loadWeakLabelConfig, readWeakCandidates, type WeakCandidate } from '../src/nlu/data/weak-labels.js';
import type { Embedder } from '../src/nlu/embeddings/embedder.js';
import { type IntentTrainOptions, trainIntentModel } from '../src/nlu/intents/train-intents.js';
import { selectWeakExamples } from '../src/nlu/intents/weak-examples.js';
import { loadKnowledgeArticles } from '../src/nlu/knowledge/knowledge-files.js';
import { HybridKnowledgeSearch } from '../src/nlu/knowledge/knowledge-search.js';
import { embeddingInput } from '../src/nlu/text/normalize.js';

const COMPOSED = 'compositions';

export interface SourceResult {
  config: string;
  cvAccuracy: number;
  weakExamples: number;
  /** Per test source: intent within candidates, action (where defined), rows. */
  bySource: Record<string, { intent: number; action: number; n: number; actionN: number }>;
}

export interface LexiconResult {
  config: string;
  action: number;
  intent: number;
  n: number;
}

/** Every other thing and act of each list: half 0 composes training texts, half 1 the test ones. */
function lexiconHalf(c: Compositions, half: 0 | 1, perIntent: number, seed: number): Compositions {
  const take = (xs: readonly string[]) => xs.filter((_, i) => i % 2 === half);
  return {
    ...c,
    perIntent,
    seed,
    acts: Object.fromEntries(Object.entries(c.acts).map(([k, v]) => [k, take(v)])),
    intents: Object.fromEntries(
      Object.entries(c.intents).map(([k, v]) => [
        k,
        v.things === undefined ? v : { ...v, things: take(v.things) },
      ]),
    ),
  };
}

export async function benchSources(
  dataDir: string,
  datasetsDir: string,
  embedder: Embedder,
): Promise<{ sources: SourceResult[]; lexicon: LexiconResult[] }> {
  const data = await loadIntentData(dataDir);
  const cfg = await loadWeakLabelConfig(dataDir);
  const known = new Set(data.intents.map((i) => i.intent));
  const trainCands = await readWeakCandidates(datasetsDir, cfg.sources, 'train', known);
  const testCands = await readWeakCandidates(datasetsDir, cfg.sources, 'test', known);
  const first = await trainIntentModel(data.examples, { embedder, actions: data.actions, skipHeldOut: true });
  const weak = await selectWeakExamples(first.model, embedder, trainCands);
  // Composed reports (data/compositions.json) are a source of our own, trained on as shipped.
  const composed = (await loadComposedExamples(dataDir, known)).map((e) => ({ ...e, source: COMPOSED }));
  const testVecs = await embedder.embed(testCands.map((c) => embeddingInput(c.text)));
  const actionOf = (i: string) => (i === 'out_of_scope' ? 'out_of_scope' : (data.actions.get(i) ?? 'other'));
  const knowledge = await HybridKnowledgeSearch.build(await loadKnowledgeArticles(dataDir), embedder);
  const all = cfg.sources.map((s) => s.name);
  const shipped: Pick<IntentTrainOptions, 'context'> = { context: { knowledge } };
  const configs: Array<[string, string[], Pick<IntentTrainOptions, 'context'>]> = [
    ['own examples only', [], shipped],
    ...cfg.sources.map((s): [string, string[], typeof shipped] => [`own + ${s.name}`, [s.name], shipped]),
    ['own + compositions', [COMPOSED], shipped],
    ['own + all sources, no compositions', all, shipped],
    ['own + all sources + compositions (shipped)', [...all, COMPOSED], shipped],
    ['own + all + compositions, no kb/ticket inputs', [...all, COMPOSED], {}],
  ];
  const results: SourceResult[] = [];
  for (const [name, sources, context] of configs) {
    const extra = [...weak.examples, ...composed].filter((e) => sources.includes(e.source));
    const t = await trainIntentModel(data.examples, {
      embedder,
      actions: data.actions,
      extra,
      folds: 3,
      ...context,
    });
    const bySource: SourceResult['bySource'] = {};
    testCands.forEach((c: WeakCandidate, i) => {
      const p = t.model.toPrediction(t.model.score(c.text, testVecs[i] ?? null));
      const r = bySource[c.source] ?? { intent: 0, action: 0, n: 0, actionN: 0 };
      r.n++;
      if (c.candidates.includes(p.intent)) r.intent++;
      const actions = new Set(c.candidates.map(actionOf));
      if (actions.size === 1) {
        r.actionN++;
        if (actions.has(p.action ?? 'other')) r.action++;
      }
      bySource[c.source] = r;
    });
    results.push({ config: name, cvAccuracy: t.heldOut.accuracy, weakExamples: extra.length, bySource });
  }
  const compositions = await readCompositions(dataDir);
  const lexicon: LexiconResult[] = [];
  if (compositions !== null) {
    const ours = (e: { label: string }) => known.has(e.label);
    const trainHalf = composeExamples(
      lexiconHalf(compositions, 0, Math.round(compositions.perIntent / 2), compositions.seed),
    ).filter(ours);
    const test = composeExamples(lexiconHalf(compositions, 1, 40, compositions.seed + 1)).filter(ours);
    const vecs = await embedder.embed(test.map((r) => embeddingInput(r.text)));
    for (const [name, extra] of [
      ['own + all sources', weak.examples],
      ['own + all sources + compositions of the other half', [...weak.examples, ...trainHalf]],
    ] as const) {
      const t = await trainIntentModel(data.examples, { embedder, actions: data.actions, extra, ...shipped });
      let action = 0;
      let intent = 0;
      test.forEach((r, i) => {
        const p = t.model.toPrediction(t.model.score(r.text, vecs[i] ?? null), { nearest: false });
        if (p.intent === r.label) intent++;
        if ((p.action ?? 'other') === actionOf(r.label)) action++;
      });
      lexicon.push({
        config: name,
        action: action / test.length,
        intent: intent / test.length,
        n: test.length,
      });
    }
  }
  return { sources: results, lexicon };
}
