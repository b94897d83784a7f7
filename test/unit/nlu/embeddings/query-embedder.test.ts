import { describe, expect, it } from 'vitest';
import type { Embedder } from '../../../../src/nlu/embeddings/embedder.js';
import { queryEmbedder } from '../../../../src/nlu/embeddings/query-embedder.js';
import { hashingEmbedder } from '../hashing-embedder.js';

describe('queryEmbedder', () => {
  it('returns exactly the vectors of the encoder it wraps, in input order', async () => {
    const inner = hashingEmbedder();
    const direct = hashingEmbedder();
    const q = queryEmbedder(inner);
    const texts = ['vpn drops', 'printer jam', 'vpn drops', 'reset password'];
    expect(await q.embed(texts)).toEqual(await direct.embed(texts));
    expect(q.id).toBe(inner.id);
    expect(q.dim).toBe(inner.dim);
  });

  it('encodes concurrent queries in one batch', async () => {
    const inner = hashingEmbedder();
    const q = queryEmbedder(inner);
    await Promise.all([q.embed(['a laptop']), q.embed(['a phone']), q.embed(['a tablet'])]);
    expect(inner.calls).toBe(1);
    expect(inner.texts).toBe(3);
  });

  it('does not encode a recent text again, and forgets beyond its window', async () => {
    const inner = hashingEmbedder();
    const q = queryEmbedder(inner, 2);
    await q.embed(['one']);
    await q.embed(['one']);
    expect(inner.texts).toBe(1);
    await q.embed(['two']);
    await q.embed(['three']); // "one" falls out of a window of two
    await q.embed(['one']);
    expect(inner.texts).toBe(4);
  });

  it('passes a failure to every waiting caller and does not remember it', async () => {
    let fail = true;
    const inner: Embedder = {
      id: 'flaky',
      dim: 1,
      async embed(texts) {
        if (fail) throw new Error('encoder down');
        return texts.map(() => Float32Array.of(1));
      },
    };
    const q = queryEmbedder(inner);
    const r = await Promise.allSettled([q.embed(['x']), q.embed(['y'])]);
    expect(r.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await q.embed(['x'])).toEqual([Float32Array.of(1)]);
  });
});
