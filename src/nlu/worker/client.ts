/**
 * The main thread's side of the NLU worker: an `Nlu` whose calls are answered by a worker thread.
 * Encoder inference costs milliseconds of CPU a message; on the main thread it would delay every
 * platform ack and HTTP answer queued behind it, so the server runs it on the second core.
 *
 * A crashed or hung worker fails the calls in flight (the conversation engine retries the turn with
 * back-off) and is replaced on the next call; requests beyond MAX_PENDING are refused at once rather
 * than queueing without bound.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../errors.js';
import type { LoadedNlu, LoadNluOptions, NluInfo } from '../index.js';
import type { IntentPrediction, KnowledgeHit, PredictOptions, TriagePrediction } from '../types.js';
import type { NluRequest, NluResults, WorkerLoadOptions, WorkerMessage } from './protocol.js';

export interface WorkerNlu extends LoadedNlu {
  /** Stops the worker thread; calls made afterwards fail. */
  close(): Promise<void>;
}

interface WorkerNluOptions {
  /** Requests waiting for the worker beyond which new ones are refused (default 1,000). */
  maxPending?: number;
  /** A request unanswered this long means the worker hangs: it is replaced (default 30 s). */
  requestTimeoutMs?: number;
}

type Op = NluRequest['op'];
type RequestOf<O extends Op> = Omit<Extract<NluRequest, { op: O }>, 'id'>;

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Running from TypeScript sources (tsx, vitest), the worker must register tsx itself before it can
 * import a .ts module; from dist/ it is plain JavaScript.
 */
function spawn(data: WorkerLoadOptions): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./thread.js', here), { workerData: data });
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api')).href;
  const entry = new URL('./thread.ts', here).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: data });
}

/**
 * onnxruntime-node 1.14 cannot be loaded again in a new thread once every thread that loaded it has
 * exited ("Module did not self-register"), which would leave a replacement worker on the slow tfjs
 * encoder. Keeping it loaded on the main thread keeps the native module registered for good.
 */
function pinOnnxRuntime(): void {
  try {
    createRequire(import.meta.url)('onnxruntime-node');
  } catch {
    // Not installed or not loadable here: the worker reports the encoder it falls back to itself.
  }
}

export async function startNluWorker(opts: LoadNluOptions, w: WorkerNluOptions = {}): Promise<WorkerNlu> {
  const { log, ...data } = opts;
  if (data.embeddings !== 'none') pinOnnxRuntime();
  const maxPending = w.maxPending ?? 1000;
  const timeoutMs = w.requestTimeoutMs ?? 30_000;
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let closed = false;
  let current: Promise<Worker> | null = null;
  let info: NluInfo | null = null;
  /** Calls waiting for an answer (or for the worker to start). */
  let waiting = 0;
  let name = 'chatdesk-intents (worker)';

  const failAll = (why: string) => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      pending.delete(id);
      p.reject(new AppError('model_unavailable', why));
    }
  };

  function start(): Promise<Worker> {
    const worker = spawn(data);
    const ready = new Promise<Worker>((resolve, reject) => {
      let isReady = false;
      worker.on('message', (m: WorkerMessage) => {
        switch (m.type) {
          case 'ready':
            isReady = true;
            info = m.info;
            name = m.name;
            // Idle, the worker must not keep the process alive (a start that fails later, a CLI run
            // that is done); it holds the event loop only while calls wait for it (see call()).
            if (waiting === 0) worker.unref();
            resolve(worker);
            return;
          case 'load_failed':
            reject(new AppError('model_unavailable', m.message));
            void worker.terminate();
            return;
          case 'log':
            log?.(m.level, m.msg, m.fields);
            return;
          case 'result':
          case 'error': {
            const p = pending.get(m.id);
            if (!p) return; // timed out already
            pending.delete(m.id);
            clearTimeout(p.timer);
            if (m.type === 'result') p.resolve(m.value);
            else p.reject(new AppError('internal', `NLU: ${m.message}`));
            return;
          }
        }
      });
      worker.on('error', (e) => {
        log?.('error', 'NLU worker failed', { error: e.message });
        if (!isReady)
          reject(new AppError('model_unavailable', `The NLU worker failed to start: ${e.message}`));
      });
      worker.on('exit', (code) => {
        if (current === ready) current = null;
        if (!isReady)
          reject(new AppError('model_unavailable', `The NLU worker exited (code ${code}) while loading.`));
        if (!closed) {
          log?.('error', 'NLU worker exited; a new one starts with the next message', { code });
          failAll('The NLU worker stopped while answering; the message will be retried.');
        }
      });
    });
    ready.catch(() => {
      if (current === ready) current = null;
    });
    current = ready;
    return ready;
  }

  async function call<O extends Op>(req: RequestOf<O>): Promise<NluResults[O]> {
    if (closed) throw new AppError('model_unavailable', 'The NLU has been shut down.');
    if (waiting >= maxPending)
      throw new AppError('rate_limited', `The NLU has ${waiting} requests waiting; try again shortly.`);
    waiting++;
    let held: Worker | null = null;
    try {
      const worker = await (current ?? start());
      held = worker;
      worker.ref();
      const id = ++nextId;
      return await new Promise<NluResults[O]>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new AppError('model_unavailable', `The NLU did not answer within ${timeoutMs} ms.`));
          log?.('error', 'NLU worker did not answer in time; replacing it', { timeoutMs });
          void worker.terminate();
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        worker.postMessage({ ...req, id } as NluRequest);
      });
    } finally {
      waiting--;
      if (waiting === 0) held?.unref();
    }
  }

  await start();
  const loadedInfo = info as NluInfo | null;
  if (loadedInfo === null)
    throw new AppError('internal', 'The NLU worker reported ready without its model info.');
  return {
    intents: {
      get name() {
        return name;
      },
      classify: (text: string, opts?: PredictOptions): Promise<IntentPrediction> =>
        call<'classify'>({ op: 'classify', text, ...(opts ? { opts } : {}) }),
    },
    triage: {
      predict: (text: string, opts?: PredictOptions): Promise<TriagePrediction> =>
        call<'triage'>({ op: 'triage', text, ...(opts ? { opts } : {}) }),
    },
    knowledge: {
      search: (text: string, k?: number): Promise<KnowledgeHit[]> =>
        call<'search'>({ op: 'search', text, k }),
      answer: (text: string): Promise<KnowledgeHit | null> => call<'answer'>({ op: 'answer', text }),
    },
    ...(loadedInfo.embedderId === null
      ? {}
      : {
          similarity: {
            scores: (text: string, candidates: readonly string[]): Promise<number[]> =>
              call<'similarity'>({ op: 'similarity', text, candidates: [...candidates] }),
          },
        }),
    info: loadedInfo,
    async close() {
      closed = true;
      failAll('The NLU has been shut down.');
      const w = current;
      current = null;
      const worker = w ? await w.catch(() => null) : null;
      if (!worker) return;
      // A worker stuck in native encoder code may not stop at once; shutting down must not wait on it.
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 5_000);
        timer.unref();
      });
      await Promise.race([worker.terminate(), grace]);
      clearTimeout(timer);
    },
  };
}
