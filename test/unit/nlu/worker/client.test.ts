import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadedNlu, loadNlu } from '../../../../src/nlu/index.js';
import { startNluWorker, type WorkerNlu } from '../../../../src/nlu/worker/client.js';

const root = join(import.meta.dirname, '../../../..');
const opts = { dataDir: join(root, 'data'), modelsDir: join(root, 'models') };

describe('NLU on a worker thread', () => {
  let worker: WorkerNlu;
  let inline: LoadedNlu;
  beforeAll(async () => {
    [worker, inline] = await Promise.all([startNluWorker(opts), loadNlu(opts)]);
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
  });

  it('answers exactly what the same NLU answers on the main thread', async () => {
    for (const text of ['my laptop screen is broken', 'reset my password please', 'thanks!', '🙂', '']) {
      expect(await worker.intents.classify(text)).toEqual(await inline.intents.classify(text));
      expect(await worker.triage.predict(text)).toEqual(await inline.triage.predict(text));
      // The options travel to the worker (the chat asks without nearest examples).
      const lean = { nearest: false };
      expect(await worker.intents.classify(text, lean)).toEqual(await inline.intents.classify(text, lean));
      expect(await worker.triage.predict(text, lean)).toEqual(await inline.triage.predict(text, lean));
      expect(await worker.knowledge.search(text, 2)).toEqual(await inline.knowledge.search(text, 2));
      expect(await worker.knowledge.answer(text)).toEqual(await inline.knowledge.answer(text));
    }
    expect(worker.info.dataHash).toBe(inline.info.dataHash);
    expect(worker.intents.name).toBe(inline.intents.name);
  });

  it('serves concurrent requests, each with its own answer', async () => {
    const texts = ['vpn keeps dropping', 'printer is jammed', 'I need access to Jira', 'hello'];
    const got = await Promise.all(texts.map((t) => worker.intents.classify(t)));
    const want = await Promise.all(texts.map((t) => inline.intents.classify(t)));
    expect(got.map((p) => p.intent)).toEqual(want.map((p) => p.intent));
  });

  it('refuses work beyond its queue bound instead of queueing without limit', async () => {
    const small = await startNluWorker(opts, { maxPending: 2 });
    try {
      const calls = Array.from({ length: 6 }, (_, i) => small.intents.classify(`my mouse broke ${i}`));
      const settled = await Promise.allSettled(calls);
      const refused = settled.filter((s) => s.status === 'rejected');
      expect(refused.length).toBeGreaterThan(0);
      expect(String((refused[0] as PromiseRejectedResult).reason.message)).toMatch(/requests waiting/);
      expect(settled.some((s) => s.status === 'fulfilled')).toBe(true);
    } finally {
      await small.close();
    }
  }, 60_000);

  it('gives up on a worker that does not answer in time, then refuses calls once closed', async () => {
    const logs: string[] = [];
    // Lexical features only: this checks the client's time-out and replacement, and terminating a worker in
    // the middle of encoder inference took over a minute once on a loaded machine.
    const w = await startNluWorker(
      { ...opts, embeddings: 'none', log: (_l, msg) => logs.push(msg) },
      { requestTimeoutMs: 1 },
    );
    // A hundred long texts at once cannot all be answered within a millisecond each.
    const long = 'the printer on floor three jams and smudges every page '.repeat(40);
    const settled = await Promise.allSettled(Array.from({ length: 100 }, () => w.intents.classify(long)));
    const late = settled.filter((s) => s.status === 'rejected');
    expect(late.length).toBeGreaterThan(0);
    expect(String((late[0] as PromiseRejectedResult).reason.message)).toMatch(
      /did not answer within 1 ms|stopped/,
    );
    expect(logs.some((m) => /replacing it/.test(m))).toBe(true);
    await w.close();
    await expect(w.intents.classify('hello')).rejects.toThrow(/shut down/);
  }, 60_000);
});
