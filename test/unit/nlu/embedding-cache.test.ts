import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dot } from '../../../src/nlu/embeddings/embedder.js';
import { CachedEmbedder } from '../../../src/nlu/embeddings/embedding-cache.js';
import { hashingEmbedder } from './hashing-embedder.js';

const dir = await mkdtemp(join(tmpdir(), 'chatdesk-emb-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('CachedEmbedder', () => {
  it('encodes each distinct text once', async () => {
    const inner = hashingEmbedder();
    const c = new CachedEmbedder(inner);
    await c.embed(['a b', 'c d', 'a b']);
    await c.embed(['a b', 'e f']);
    expect(inner.texts).toBe(3);
    expect(c.size).toBe(3);
  });

  it('persists as int8 with cosine preserved and rejects another encoder', async () => {
    const file = join(dir, 'cache.bin');
    const c = new CachedEmbedder(hashingEmbedder());
    const [v] = await c.embed(['reset my password']);
    await c.save(file);
    const inner = hashingEmbedder();
    const again = new CachedEmbedder(inner);
    expect(await again.load(file)).toBe('loaded');
    const [w] = await again.embed(['reset my password']);
    expect(inner.texts).toBe(0);
    expect(dot(v as Float32Array, w as Float32Array)).toBeGreaterThan(0.999);
    expect(await new CachedEmbedder(hashingEmbedder(32)).load(file)).toBe('stale');
  });

  it('treats a missing or garbage file as no cache', async () => {
    const c = new CachedEmbedder(hashingEmbedder());
    expect(await c.load(join(dir, 'absent.bin'))).toBe('missing');
    await writeFile(join(dir, 'junk.bin'), 'not a cache');
    expect(await c.load(join(dir, 'junk.bin'))).toBe('stale');
  });

  it('retainOnly drops vectors of texts no longer needed', async () => {
    const c = new CachedEmbedder(hashingEmbedder());
    await c.embed(['keep me', 'drop me']);
    c.retainOnly(['keep me']);
    expect(c.size).toBe(1);
  });
});
