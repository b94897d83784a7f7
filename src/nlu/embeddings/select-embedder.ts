/**
 * Picks the sentence encoder: USE-lite from npm unless another is asked for; a missing or broken
 * transformer or static model costs one warning and falls back to USE-lite, never a crash.
 * USE-lite itself runs on onnxruntime-node (same vectors, several times faster; bench/encoder.ts)
 * and falls back to tfjs on WASM, with one warning, when the native runtime or its model is unusable.
 */
import type { Embedder } from './embedder.js';
import { createUseEmbedder } from './sentence-encoder.js';
import { createUseOnnxEmbedder } from './sentence-encoder-onnx.js';
import { loadStaticEmbedder } from './static-embedder.js';
import { createTransformersEmbedder } from './transformers-embedder.js';

/** 'static': the table distilled from USE by `chatdesk distill` (0.1 ms a query, about 3 points less accurate). */
export type EmbeddingsChoice = 'use' | 'transformers' | 'static' | 'none';
export type NluLog = (
  level: 'info' | 'warn' | 'error',
  msg: string,
  fields?: Record<string, unknown>,
) => void;

export async function selectEmbedder(
  choice: EmbeddingsChoice | undefined,
  modelsDir: string,
  log: NluLog,
  /** The transformers.js model directory under modelsDir (e.g. one `chatdesk models pull` fetched). */
  transformerModel?: string,
): Promise<Embedder | null> {
  if (choice === 'none') return null;
  if (choice === 'static') {
    try {
      return await loadStaticEmbedder(modelsDir);
    } catch (e) {
      log('warn', 'static embeddings unavailable, using the built-in Universal Sentence Encoder instead', {
        reason: (e as Error).message,
      });
      return createUse(modelsDir, log);
    }
  }
  // USE-lite is the default by the numbers (CLINC150 argmax accuracy 95.6 % vs 92.8 % for the
  // distilled static model); the static/transformers encoders trade ~3 points for latency.
  if (choice === 'transformers') {
    try {
      return await createTransformersEmbedder(modelsDir, transformerModel);
    } catch (e) {
      log(
        'warn',
        'transformer embeddings unavailable, using the built-in Universal Sentence Encoder instead',
        {
          reason: (e as Error).message,
        },
      );
    }
  }
  return createUse(modelsDir, log);
}

/**
 * Both implementations share the id `use-lite-512`: cached vectors and trained models carry over.
 * The tfjs fallback ignores models/use-lite-finetuned.bin, but a model trained on fine-tuned vectors
 * carries their id, so it is retrained rather than fed stock vectors.
 */
async function createUse(modelsDir: string, log: NluLog): Promise<Embedder> {
  try {
    return await createUseOnnxEmbedder(modelsDir);
  } catch (e) {
    log('warn', 'native (ONNX) Universal Sentence Encoder unavailable, using the slower tfjs build instead', {
      reason: (e as Error).message,
    });
    return createUseEmbedder();
  }
}
