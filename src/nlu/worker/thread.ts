/**
 * The NLU worker thread: loads the models once and answers classification, triage and knowledge
 * requests, so encoder inference never blocks the main thread's platform acks and HTTP.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type LoadedNlu, loadNlu } from '../index.js';
import type { NluRequest, WorkerLoadOptions, WorkerMessage } from './protocol.js';

const port = parentPort;
if (port === null) throw new Error('nlu/worker/thread.ts runs only as a worker thread');
const send = (m: WorkerMessage) => port.postMessage(m);

function answer(nlu: LoadedNlu, r: NluRequest): Promise<unknown> {
  switch (r.op) {
    case 'classify':
      return nlu.intents.classify(r.text, r.opts);
    case 'triage':
      return nlu.triage.predict(r.text, r.opts);
    case 'search':
      return nlu.knowledge.search(r.text, r.k);
    case 'answer':
      return nlu.knowledge.answer(r.text);
    case 'similarity':
      return nlu.similarity?.scores(r.text, r.candidates) ?? Promise.resolve([]);
  }
}

try {
  const nlu = await loadNlu({
    ...(workerData as WorkerLoadOptions),
    log: (level, msg, fields) => send({ type: 'log', level, msg, ...(fields ? { fields } : {}) }),
  });
  port.on('message', (r: NluRequest) => {
    answer(nlu, r).then(
      (value) => send({ type: 'result', id: r.id, value: value as never }),
      (e: unknown) => send({ type: 'error', id: r.id, message: e instanceof Error ? e.message : String(e) }),
    );
  });
  send({ type: 'ready', info: nlu.info, name: nlu.intents.name });
} catch (e) {
  send({ type: 'load_failed', message: e instanceof Error ? e.message : String(e) });
}
