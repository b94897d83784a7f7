/**
 * A deterministic stand-in for a sentence encoder in unit tests: hashed bag of words, unit length.
 * Real enough that paraphrases sharing words are close, fast enough for every test.
 */
import { createHash } from 'node:crypto';
import type { Embedder } from '../../../src/nlu/embeddings/embedder.js';
import { l2normalize } from '../../../src/nlu/embeddings/embedder.js';

export function hashingEmbedder(dim = 64): Embedder & { calls: number; texts: number } {
  const e = {
    id: `test-hashing-${dim}`,
    dim,
    calls: 0,
    texts: 0,
    async embed(texts: readonly string[]) {
      e.calls++;
      e.texts += texts.length;
      return texts.map((t) => {
        const v = new Float32Array(dim);
        for (const w of t
          .toLowerCase()
          .split(/[^a-z0-9]+/)
          .filter(Boolean)) {
          const h = createHash('md5').update(w).digest();
          v[h.readUInt16LE(0) % dim] =
            (v[h.readUInt16LE(0) % dim] as number) + (h.readUInt8(2) % 2 === 0 ? 1 : -1);
        }
        if (v.every((x) => x === 0)) v[0] = 1;
        return l2normalize(v);
      });
    },
  };
  return e;
}

/** A small help-desk style training set: four intents plus out-of-scope examples. */
export const TOY_INTENTS: Record<string, string[]> = {
  password_reset: [
    'i forgot my password',
    'reset my password please',
    'my password expired',
    'i need a new password',
    'can you reset my password',
    'password reset needed',
    'i cannot remember my password',
    'change my password',
  ],
  incident_printer: [
    'the printer is not working',
    'printer jammed again',
    'cannot print to the office printer',
    'my print job is stuck',
    'printer says out of toner',
    'printing fails with an error',
    'the printer on floor two is offline',
    'nothing comes out of the printer',
  ],
  greeting: ['hello', 'hi there', 'good morning', 'hey', 'hello bot', 'hi', 'good afternoon', 'hey there'],
  ticket_status: [
    'what is the status of my ticket',
    'any update on my ticket',
    'is my ticket resolved yet',
    'check my ticket status',
    'where is my request',
    'status of INC0001234',
    'has anyone looked at my ticket',
    'how is my ticket going',
  ],
  out_of_scope: [
    'what is the weather tomorrow',
    'tell me a joke',
    'who won the football match',
    'recommend a good pizza place',
    'how tall is mount everest',
    'play some music',
    'what is the capital of spain',
    'book me a flight to rome',
  ],
};

export const toyRows = (): Array<{ text: string; label: string }> =>
  Object.entries(TOY_INTENTS).flatMap(([label, texts]) => texts.map((text) => ({ text, label })));
