/**
 * Sentence embeddings from a transformers.js model directory inside models/ (never downloaded at
 * run time): `models/<name>/` with config.json, tokenizer.json and onnx/model.onnx.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../errors.js';
import { type Embedder, l2normalize } from './embedder.js';

const DEFAULT_TRANSFORMER_MODEL = 'static-use';

/** Which graph a model directory offers: the full-precision one, else the quantized one. */
async function onnxGraphOf(modelsDir: string, name: string): Promise<'full' | 'quantized' | null> {
  const has = (f: string) =>
    access(join(modelsDir, name, f)).then(
      () => true,
      () => false,
    );
  if (!(await has('tokenizer.json'))) return null;
  if (await has(join('onnx', 'model.onnx'))) return 'full';
  if (await has(join('onnx', 'model_quantized.onnx'))) return 'quantized';
  return null;
}

export async function createTransformersEmbedder(
  modelsDir: string,
  name = DEFAULT_TRANSFORMER_MODEL,
): Promise<Embedder> {
  const graph = await onnxGraphOf(modelsDir, name);
  if (graph === null) {
    throw new AppError(
      'model_unavailable',
      `No transformer model in ${join(modelsDir, name)} (needs tokenizer.json and onnx/model.onnx or onnx/model_quantized.onnx).`,
    );
  }
  try {
    const { env, pipeline } = await import('@xenova/transformers');
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = modelsDir.endsWith('/') ? modelsDir : `${modelsDir}/`;
    const extract = await pipeline('feature-extraction', name, { quantized: graph === 'quantized' });
    const [probe] = await embedWith(extract, ['hello']);
    if (probe === undefined || probe.length === 0) throw new Error('the model returned an empty embedding');
    return {
      id: `transformers:${name}:${probe.length}`,
      dim: probe.length,
      embed: (texts) => embedWith(extract, texts),
    };
  } catch (cause) {
    throw new AppError(
      'model_unavailable',
      `The transformer model in ${join(modelsDir, name)} could not be loaded: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

// The pipeline's type is a wide union over every task; only the call signature matters here.
type FeatureExtractor = (
  texts: string | string[],
  opts: { pooling: 'mean'; normalize: boolean },
) => Promise<{ data: ArrayLike<number>; dims: number[] }>;

async function embedWith(extract: unknown, texts: readonly string[]): Promise<Float32Array[]> {
  const fn = extract as FeatureExtractor;
  const out: Float32Array[] = [];
  for (const t of texts) {
    const r = await fn(t.trim() || ' ', { pooling: 'mean', normalize: true });
    out.push(l2normalize(Float32Array.from(r.data)));
  }
  return out;
}
