/**
 * The encoder as live queries use it. Two savings, neither of which changes a vector:
 * - concurrent calls (several messages arriving together) share one batch, which costs less than
 *   encoding them one by one;
 * - a text encoded moments ago is not encoded again: one message is classified and then searched in
 *   the knowledge base, and both need the same vector. Only the last `recent` texts are kept, so
 *   memory stays bounded however many people write.
 */
import type { Embedder } from './embedder.js';

interface Waiting {
  text: string;
  resolve(v: Float32Array): void;
  reject(e: unknown): void;
}

export function queryEmbedder(inner: Embedder, recent = 64): Embedder {
  const memo = new Map<string, Promise<Float32Array>>();
  let queue: Waiting[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    inner.embed(batch.map((w) => w.text)).then(
      (vecs) => {
        batch.forEach((w, i) => {
          w.resolve(vecs[i] as Float32Array);
        });
      },
      (e: unknown) => {
        for (const w of batch) {
          memo.delete(w.text); // a failure must not be remembered as the answer
          w.reject(e);
        }
      },
    );
  };

  const one = (text: string): Promise<Float32Array> => {
    const hit = memo.get(text);
    if (hit) {
      // Re-insert so the map's order is least-recently-used first.
      memo.delete(text);
      memo.set(text, hit);
      return hit;
    }
    const p = new Promise<Float32Array>((resolve, reject) => {
      queue.push({ text, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
    memo.set(text, p);
    if (memo.size > recent) memo.delete(memo.keys().next().value as string);
    return p;
  };

  return {
    id: inner.id,
    dim: inner.dim,
    embed: (texts) => Promise.all(texts.map(one)),
  };
}
