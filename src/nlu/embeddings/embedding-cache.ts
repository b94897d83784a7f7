/**
 * Remembers embeddings by text so retraining after one new example only encodes that example.
 * Persisted as int8 with a per-vector scale: a quarter of float32 on disk, and cosine similarities
 * move by well under 1e-3, far below anything the classifier can notice.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppError } from '../../errors.js';
import type { Embedder } from './embedder.js';

const MAGIC = 'CDEMB1';
const KEY_BYTES = 16;

const keyOf = (text: string): string =>
  createHash('sha1')
    .update(text)
    .digest('hex')
    .slice(0, KEY_BYTES * 2);

export class CachedEmbedder implements Embedder {
  readonly id: string;
  readonly dim: number;
  private readonly vectors = new Map<string, Float32Array>();
  private dirty = false;

  constructor(private readonly inner: Embedder) {
    this.id = inner.id;
    this.dim = inner.dim;
  }

  get size(): number {
    return this.vectors.size;
  }

  /** Cache hits never touch the encoder; misses are encoded in one batch. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const keys = texts.map(keyOf);
    const missing: string[] = [];
    const missingKeys: string[] = [];
    const seen = new Set<string>();
    keys.forEach((k, i) => {
      if (!this.vectors.has(k) && !seen.has(k)) {
        seen.add(k);
        missing.push(texts[i] as string);
        missingKeys.push(k);
      }
    });
    if (missing.length > 0) {
      const vecs = await this.inner.embed(missing);
      vecs.forEach((v, i) => {
        this.vectors.set(missingKeys[i] as string, v);
      });
      this.dirty = true;
    }
    return keys.map((k) => this.vectors.get(k) as Float32Array);
  }

  /** Drops vectors of texts not in `keep`, so a cache shipped in models/ does not grow forever. */
  retainOnly(keep: Iterable<string>): void {
    const wanted = new Set<string>();
    for (const t of keep) wanted.add(keyOf(t));
    for (const k of [...this.vectors.keys()]) {
      if (!wanted.has(k)) {
        this.vectors.delete(k);
        this.dirty = true;
      }
    }
  }

  /** Loads a cache file written by `save`; a missing file is an empty cache, a foreign or broken one is ignored. */
  async load(file: string): Promise<'loaded' | 'missing' | 'stale'> {
    let buf: Buffer;
    try {
      buf = await readFile(file);
    } catch {
      return 'missing';
    }
    try {
      const parsed = decodeCache(buf);
      if (parsed.embedder !== this.id || parsed.dim !== this.dim) return 'stale';
      for (const [k, v] of parsed.vectors) this.vectors.set(k, v);
      return 'loaded';
    } catch {
      return 'stale';
    }
  }

  async save(file: string): Promise<void> {
    if (!this.dirty) return;
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, encodeCache(this.id, this.dim, this.vectors));
    await rename(tmp, file);
    this.dirty = false;
  }
}

function encodeCache(embedder: string, dim: number, vectors: Map<string, Float32Array>): Buffer {
  const header = Buffer.from(JSON.stringify({ embedder, dim, count: vectors.size }), 'utf8');
  const rowBytes = KEY_BYTES + 4 + dim;
  const out = Buffer.alloc(MAGIC.length + 4 + header.length + vectors.size * rowBytes);
  let o = out.write(MAGIC, 0, 'latin1');
  o = out.writeUInt32LE(header.length, o);
  o += header.copy(out, o);
  for (const [k, v] of vectors) {
    o += Buffer.from(k, 'hex').copy(out, o);
    let max = 0;
    for (let i = 0; i < dim; i++) max = Math.max(max, Math.abs(v[i] as number));
    const scale = max > 0 ? max / 127 : 1;
    o = out.writeFloatLE(scale, o);
    for (let i = 0; i < dim; i++) o = out.writeInt8(Math.round((v[i] as number) / scale), o);
  }
  return out;
}

function decodeCache(buf: Buffer): { embedder: string; dim: number; vectors: Map<string, Float32Array> } {
  if (buf.toString('latin1', 0, MAGIC.length) !== MAGIC)
    throw new AppError('data_invalid', 'not an embedding cache');
  let o = MAGIC.length;
  const hlen = buf.readUInt32LE(o);
  o += 4;
  const header = JSON.parse(buf.toString('utf8', o, o + hlen)) as {
    embedder: string;
    dim: number;
    count: number;
  };
  o += hlen;
  const { dim, count } = header;
  if (buf.length !== o + count * (KEY_BYTES + 4 + dim))
    throw new AppError('data_invalid', 'embedding cache is truncated');
  const vectors = new Map<string, Float32Array>();
  for (let r = 0; r < count; r++) {
    const key = buf.toString('hex', o, o + KEY_BYTES);
    o += KEY_BYTES;
    const scale = buf.readFloatLE(o);
    o += 4;
    const q = new Int8Array(buf.buffer, buf.byteOffset + o, dim);
    const v = new Float32Array(dim);
    for (let i = 0; i < dim; i++) v[i] = (q[i] as number) * scale;
    o += dim;
    vectors.set(key, v);
  }
  return { embedder: header.embedder, dim, vectors };
}
