/**
 * Picks the sentence encoder: the transformers.js model in models/ when asked for (or present),
 * else the npm USE-lite encoder; a missing or broken transformer model costs one warning, not a crash.
 */
import type { Embedder } from './embedder.js';
import { loadStaticEmbedder } from './static-embedder.js';
import { createTransformersEmbedder, transformerModelPresent } from './transformers-embedder.js';
import { createUseEmbedder } from './use-embedder.js';

/** 'static': the table distilled from USE by `chatdesk distill` (0.1 ms a query, about 3 points less accurate). */
export type EmbeddingsChoice = 'use' | 'transformers' | 'static' | 'none';
export type NluLog = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export async function selectEmbedder(
  choice: EmbeddingsChoice | undefined,
  modelsDir: string,
  log: NluLog,
): Promise<Embedder | null> {
  if (choice === 'none') return null;
  if (choice === 'static') {
    try {
      return await loadStaticEmbedder(modelsDir);
    } catch (e) {
      log('warn', 'static embeddings unavailable, using the built-in Universal Sentence Encoder instead', {
        reason: (e as Error).message,
      });
      return createUseEmbedder();
    }
  }
  if (choice === 'transformers' || (choice === undefined && (await transformerModelPresent(modelsDir)))) {
    try {
      return await createTransformersEmbedder(modelsDir);
    } catch (e) {
      log('warn', 'transformer embeddings unavailable, using the built-in Universal Sentence Encoder instead', {
        reason: (e as Error).message,
      });
    }
  }
  return createUseEmbedder();
}
