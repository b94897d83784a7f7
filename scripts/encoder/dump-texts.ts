/**
 * Writes the texts the encoder fine-tuning (scripts/encoder/finetune.py) learns from, already
 * tokenized by the shipped tokenizer, so Python never re-implements the tokenizer:
 *
 *   npx tsx scripts/encoder/dump-texts.ts [--out .scratch/encoder] [--datasets ../shared/datasets]
 *
 * Out (not committed: the public sets' texts stay out of the repository):
 * - texts.jsonl: {source: own|weak|clinc, label, fold, ids}: our examples with the 5-fold
 *   cross-validation fold `chatdesk train` uses, the weak labels `npm run train` keeps (selected
 *   with the stock encoder), and CLINC150's train split (in-scope rows only; never val or test).
 * - weak.json: the weak labels as {text, label}, for scripts/encoder/cv.ts.
 * - verify.jsonl: {ids, vec}: a few hundred texts with the vector the shipped ONNX encoder gives,
 *   for checking the torch forward pass before any training.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadIntentData } from '../../src/nlu/data/intent-files.js';
import { readJsonl } from '../../src/nlu/data/read-files.js';
import { loadWeakLabelConfig, readWeakCandidates } from '../../src/nlu/data/weak-labels.js';
import {
  buildUseOnnx,
  decodeTfjsWeights,
  readTfjsSource,
} from '../../src/nlu/embeddings/sentence-encoder-export.js';
import {
  createUseOnnxEmbedder,
  defaultUseSourceDir,
  loadUseTokenizer,
} from '../../src/nlu/embeddings/sentence-encoder-onnx.js';
import { stratifiedFolds } from '../../src/nlu/intents/held-out.js';
import { trainIntentModel } from '../../src/nlu/intents/train-intents.js';
import { selectWeakExamples } from '../../src/nlu/intents/weak-examples.js';
import { DEFAULT_SOFTMAX } from '../../src/nlu/model/softmax.js';
import { embeddingInput } from '../../src/nlu/text/normalize.js';

const args = z
  .object({
    out: z.string().min(1).default('.scratch/encoder'),
    datasets: z.string().min(1).default('../shared/datasets'),
    data: z.string().min(1).default('data'),
  })
  .parse(
    parseArgs({
      options: { out: { type: 'string' }, datasets: { type: 'string' }, data: { type: 'string' } },
    }).values,
  );

const sourceDir = defaultUseSourceDir();
const tokenizer = await loadUseTokenizer(sourceDir);
const { maxLength } = buildUseOnnx(decodeTfjsWeights(await readTfjsSource(sourceDir)));
// Exactly what the ONNX embedder feeds the graph (sentence-encoder-onnx.ts `embed`).
const idsOf = (text: string) => tokenizer.encode(embeddingInput(text).trim() || ' ', maxLength);

// The stock encoder, in a scratch models dir so no fine-tuned weights file is picked up.
const embedder = await createUseOnnxEmbedder(join(args.out, 'stock-models'), { weightsFile: null });

const intentData = await loadIntentData(args.data);
const labels = [...new Set(intentData.examples.map((d) => d.label))].sort();
// Same folds as trainIntentModel's cross-validation (held-out.ts, seed of DEFAULT_SOFTMAX).
const folds = stratifiedFolds(
  intentData.examples.map((d) => labels.indexOf(d.label)),
  5,
  DEFAULT_SOFTMAX.seed,
);

// The weak labels `npm run train` keeps: a first-pass model on our examples ranks the candidates.
const config = await loadWeakLabelConfig(args.data);
const candidates = await readWeakCandidates(args.datasets, config.sources, 'train', new Set(labels));
const first = await trainIntentModel(intentData.examples, {
  embedder,
  actions: intentData.actions,
  skipHeldOut: true,
});
const weak = await selectWeakExamples(first.model, embedder, candidates);

const clincRow = z.looseObject({ text: z.string(), label: z.string(), split: z.string() });
const clinc = (await readJsonl(join(args.datasets, 'clinc150/clinc150_full.jsonl'), clincRow)).filter(
  (r) => r.split === 'train' && r.label !== 'oos',
);

const lines: string[] = [];
intentData.examples.forEach((d, i) => {
  lines.push(JSON.stringify({ source: 'own', label: d.label, fold: folds[i], ids: idsOf(d.text) }));
});
for (const w of weak.examples)
  lines.push(JSON.stringify({ source: 'weak', label: w.label, fold: -1, ids: idsOf(w.text) }));
for (const r of clinc)
  lines.push(JSON.stringify({ source: 'clinc', label: `clinc:${r.label}`, fold: -1, ids: idsOf(r.text) }));
await mkdir(args.out, { recursive: true });
await writeFile(join(args.out, 'texts.jsonl'), `${lines.join('\n')}\n`);
// The same weak labels as text, so cv.ts trains every fold's classifier on the same weak examples.
await writeFile(
  join(args.out, 'weak.json'),
  JSON.stringify(weak.examples.map((w) => ({ text: w.text, label: w.label }))),
);

// Verification texts: every 10th of each source plus long and odd ones (padding, unknown symbols).
const own = intentData.examples.map((d) => d.text);
const sample = [
  ...own.filter((_, i) => i % 10 === 0),
  ...weak.examples.filter((_, i) => i % 20 === 0).map((w) => w.text),
  ...clinc.filter((_, i) => i % 200 === 0).map((r) => r.text),
  '',
  '?',
  'ok',
  'Ünïcödé ✓ 日本語 テスト — emoji 🙂',
  'a '.repeat(300),
  own.slice(0, 40).join(' '),
];
const vecs = await embedder.embed(sample.map(embeddingInput));
await writeFile(
  join(args.out, 'verify.jsonl'),
  `${sample.map((t, i) => JSON.stringify({ ids: idsOf(t), vec: Array.from(vecs[i] as Float32Array) })).join('\n')}\n`,
);
process.stdout.write(
  `${intentData.examples.length} own, ${weak.examples.length} weak, ${clinc.length} CLINC150 train texts; ` +
    `${sample.length} verification vectors; max length ${maxLength} → ${args.out}\n`,
);
