/**
 * bench:encoder — sentence-encoder speed side by side: USE-lite on tfjs (WASM), the same USE-lite on
 * onnxruntime-node (native, one thread; fp32, and int8 feed-forward weights), and the distilled
 * static table (when models/static-use/ or `--static-models=<dir>` holds one). Prints single-query
 * p50/p99, batch throughput, load time and vector parity with tfjs on CLINC150 test queries (else
 * the data/intents examples). Timings on a shared machine swing with its load: the 1-minute load
 * average is printed next to them.
 */
process.env.DOTENV_CONFIG_QUIET ??= 'true';

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dot, type Embedder } from '../src/nlu/embeddings/embedder.js';
import { createUseEmbedder } from '../src/nlu/embeddings/sentence-encoder.js';
import { createUseOnnxEmbedder } from '../src/nlu/embeddings/sentence-encoder-onnx.js';
import { loadStaticEmbedder } from '../src/nlu/embeddings/static-embedder.js';
import { percentile } from '../src/nlu/metrics.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const modelsDir = option('models-dir') ?? join(root, 'models');
const staticModelsDir = option('static-models') ?? modelsDir;
const QUERIES = Number(option('queries') ?? 300);
const SINGLE_RUNS = Number(option('runs') ?? 1000);
const BATCH = 64;

function realisticQueries(n: number): string[] {
  const clinc = resolve(root, '..', 'shared', 'datasets', 'clinc150', 'clinc150_full.jsonl');
  if (existsSync(clinc)) {
    const test = readFileSync(clinc, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { text: string; split: string })
      .filter((r) => r.split === 'test')
      .map((r) => r.text);
    // Every k-th line: a fixed, spread-out sample across intents.
    const step = Math.max(1, Math.floor(test.length / n));
    return test.filter((_, i) => i % step === 0).slice(0, n);
  }
  const dir = join(root, 'data', 'intents');
  const texts = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => {
      const j = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { examples?: string[] };
      return j.examples ?? [];
    });
  return texts.slice(0, n);
}

interface Row {
  name: string;
  loadMs: number;
  p50: number;
  p99: number;
  cpuMs: number;
  perSecond: number;
  /** Sentences per second of CPU time: what one otherwise idle core would do. */
  perCpuSecond: number;
  minCos: number | null;
}

async function measure(
  name: string,
  load: () => Promise<Embedder>,
  queries: string[],
  reference?: Float32Array[],
): Promise<Row> {
  const t0 = performance.now();
  const e = await load();
  const loadMs = performance.now() - t0;
  for (const q of queries.slice(0, 50)) await e.embed([q]);
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < SINGLE_RUNS; i++) {
    const q = queries[i % queries.length] as string;
    const s = performance.now();
    await e.embed([q]);
    times.push(performance.now() - s);
  }
  const cpu = process.cpuUsage(cpu0);
  // CPU time barely moves when other processes compete for the cores; wall time does.
  const cpuMs = (cpu.user + cpu.system) / 1000 / SINGLE_RUNS;
  times.sort((a, b) => a - b);
  // Three passes: the first meets each padded shape for the first time (onnxruntime plans memory per shape).
  const PASSES = 3;
  const t1 = performance.now();
  const cpu1 = process.cpuUsage();
  let vectors: Float32Array[] = [];
  for (let pass = 0; pass < PASSES; pass++) {
    vectors = [];
    for (let start = 0; start < queries.length; start += BATCH) {
      vectors = vectors.concat(await e.embed(queries.slice(start, start + BATCH)));
    }
  }
  const batchCpu = process.cpuUsage(cpu1);
  const perSecond = (PASSES * queries.length) / ((performance.now() - t1) / 1000);
  const perCpuSecond = (PASSES * queries.length) / ((batchCpu.user + batchCpu.system) / 1e6);
  const minCos =
    reference === undefined ? null : Math.min(...vectors.map((v, i) => dot(v, reference[i] as Float32Array)));
  return {
    name,
    loadMs,
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    cpuMs,
    perSecond,
    perCpuSecond,
    minCos,
  };
}

const queries = realisticQueries(QUERIES);
const load1 = loadavg()[0] as number;
process.stdout.write(
  `${queries.length} queries, ${SINGLE_RUNS} single-query runs, batches of ${BATCH}; load average ${load1.toFixed(2)}\n`,
);

const rows: Row[] = [];
const reference = await (await createUseEmbedder()).embed(queries);
rows.push(await measure('use-tfjs-wasm', createUseEmbedder, queries, reference));
rows.push(await measure('use-onnx-fp32', () => createUseOnnxEmbedder(modelsDir), queries, reference));
// Not the product default (see README); built in a temp folder so models/ only holds what runs.
const int8Dir = join(tmpdir(), 'chatdesk-bench-use-int8');
rows.push(
  await measure('use-onnx-int8', () => createUseOnnxEmbedder(int8Dir, { int8: true }), queries, reference),
);
if (existsSync(join(staticModelsDir, 'static-use'))) {
  rows.push(await measure('static-use', () => loadStaticEmbedder(staticModelsDir), queries));
} else {
  process.stdout.write(
    `(no static table in ${staticModelsDir}/static-use: run "chatdesk distill" to include it)\n`,
  );
}

const fmt = (n: number, d = 2) => n.toFixed(d);
process.stdout.write(
  `\n${['encoder', 'load ms', 'p50 ms', 'p99 ms', 'cpu ms/query', 'batch/s', 'batch/cpu-s', 'min cos vs tfjs'].join('\t')}\n${rows
    .map((r) =>
      [
        r.name,
        fmt(r.loadMs, 0),
        fmt(r.p50),
        fmt(r.p99),
        fmt(r.cpuMs),
        fmt(r.perSecond, 0),
        fmt(r.perCpuSecond, 0),
        r.minCos === null ? '-' : fmt(r.minCos, 8),
      ].join('\t'),
    )
    .join('\n')}\n\n`,
);
for (const r of rows) {
  process.stdout.write(`bench encoder_${r.name}_p50=${fmt(r.p50, 3)} ms\n`);
  process.stdout.write(`bench encoder_${r.name}_p99=${fmt(r.p99, 3)} ms\n`);
  process.stdout.write(`bench encoder_${r.name}_cpu_per_query=${fmt(r.cpuMs, 3)} ms\n`);
  process.stdout.write(`bench encoder_${r.name}_batch=${fmt(r.perSecond, 0)} sentences/s\n`);
  process.stdout.write(
    `bench encoder_${r.name}_batch_per_cpu_second=${fmt(r.perCpuSecond, 0)} sentences/s\n`,
  );
  if (r.minCos !== null) process.stdout.write(`bench encoder_${r.name}_min_cos=${fmt(r.minCos, 8)} cosine\n`);
}
process.stdout.write(`bench encoder_load_average=${fmt(loadavg()[0] as number)} load\n`);
