/**
 * bench:nlu — intent classification with out-of-scope detection on CLINC150 (ours and NLP.js side
 * by side), triage on the IT service ticket set (ours, plain TF-IDF + LR, NLP.js), knowledge
 * answering on StackFAQ (hybrid vs BM25 alone), load time / memory of the shipped model, and what
 * each weak-label source of data/weak-labels.json adds on its held-out split (`sources`).
 * Datasets are read from ../shared/datasets (relative to the repo root) and never copied.
 * Prints tables and one `bench <key>=<number> <unit>` line per figure.
 */
process.env.DOTENV_CONFIG_QUIET ??= 'true';

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Embedder } from '../src/nlu/embeddings/embedder.js';
import { CachedEmbedder } from '../src/nlu/embeddings/embedding-cache.js';
import { selectEmbedder } from '../src/nlu/embeddings/select-embedder.js';
import { loadStaticEmbedder } from '../src/nlu/embeddings/static-embedder.js';
import { evaluateIntents } from '../src/nlu/evaluate-intents.js';
import { loadNlu } from '../src/nlu/index.js';
import { Bm25Index } from '../src/nlu/knowledge/bm25.js';
import type { KnowledgeArticle } from '../src/nlu/knowledge/knowledge-files.js';
import {
  type CalibrationSample,
  calibratedConfidence,
  calibrationFeatures,
  DEFAULT_KNOWLEDGE_CALIBRATION,
  type FusionWeights,
  fitFusionWeights,
  fitKnowledgeCalibration,
  HybridKnowledgeSearch,
} from '../src/nlu/knowledge/knowledge-search.js';
import { accuracy, macroF1, oosMetrics, percentile } from '../src/nlu/metrics.js';
import { LinearTextClassifier } from '../src/nlu/model/linear-text-classifier.js';
import { embeddingInput, normalizeText } from '../src/nlu/text/normalize.js';
import { TicketTriage } from '../src/nlu/triage/triage-model.js';
import { scoreProbe } from './nlu-probe.js';
import { benchSources } from './nlu-sources.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const datasets = resolve(root, '..', 'shared', 'datasets');
// Sections to run (serve, kb, triage, clinc, static, sources), as words or `--only triage|knowledge|intents`
// (comma-separated); `--static-models=<dir>` points at a models dir holding static-use/.
const args = process.argv.slice(2);
const staticModelsDir = args.find((a) => a.startsWith('--static-models='))?.slice('--static-models='.length);
const SECTION_ALIASES: Record<string, string> = { knowledge: 'kb', intents: 'clinc' };
const only = new Set(
  args
    .flatMap((a, i) => (a.startsWith('--only=') ? [a.slice(7)] : args[i - 1] === '--only' ? [a] : []))
    .concat(args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--only'))
    .flatMap((a) => a.split(','))
    .map((a) => SECTION_ALIASES[a] ?? a),
);
const want = (name: string) => only.size === 0 || only.has(name);

const lines: string[] = [];
function figure(key: string, value: number, unit: string): void {
  const v = Number.isInteger(value) ? String(value) : value.toFixed(4);
  lines.push(`bench ${key}=${v} ${unit}`);
  process.stdout.write(`bench ${key}=${v} ${unit}\n`);
}
function table(title: string, header: string[], rows: Array<Array<string | number>>): void {
  const cells = [
    header,
    ...rows.map((r) =>
      r.map((c) => (typeof c === 'number' ? (Number.isInteger(c) ? String(c) : c.toFixed(4)) : c)),
    ),
  ];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  process.stdout.write(`\n${title}\n`);
  cells.forEach((r, k) => {
    process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}\n`);
    if (k === 0) process.stdout.write(`${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  });
}

function jsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

// biome-ignore lint/suspicious/noExplicitAny: node-nlp ships no types; only these calls are used.
type NlpManagerT = any;
const require = createRequire(import.meta.url);
function nlpManager(): NlpManagerT | null {
  try {
    const { NlpManager } = require('node-nlp') as { NlpManager: new (o: object) => NlpManagerT };
    return new NlpManager({
      languages: ['en'],
      autoSave: false,
      autoLoad: false,
      nlu: { log: false },
      forceNER: false,
    });
  } catch {
    return null;
  }
}

async function embedders(): Promise<{ raw: Embedder; cached: CachedEmbedder; cacheFile: string }> {
  // The production default: USE-lite on ONNX Runtime (tfjs only as its fallback).
  const raw = await selectEmbedder('use', join(root, 'models'), (level, msg) =>
    process.stderr.write(`${level}: ${msg}\n`),
  );
  if (raw === null) throw new Error('no sentence encoder');
  const cached = new CachedEmbedder(raw);
  const cacheFile = join(root, '.cache', 'nlu', `${raw.id}.bin`);
  await cached.load(cacheFile);
  return { raw, cached, cacheFile };
}

async function benchServing(): Promise<void> {
  const t0 = performance.now();
  const nlu = await loadNlu({ dataDir: join(root, 'data'), modelsDir: join(root, 'models') });
  const loadMs = performance.now() - t0;
  const probes = [
    'i forgot my password',
    'my laptop will not turn on',
    'can i talk to someone',
    'what is the capital of peru',
  ];
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    // Distinct texts: the live path remembers recently encoded ones.
    await nlu.intents.classify(`${probes[i % probes.length]} ${i}`);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  table(
    'shipped model (models/ + data/)',
    ['source', 'embedder', 'load ms', 'cv accuracy', 'p50 ms', 'p99 ms', 'rss MB'],
    [
      [
        nlu.info.source,
        nlu.info.embedderId ?? 'none',
        Math.round(loadMs),
        nlu.info.report.intents.heldOutAccuracy,
        percentile(times, 0.5),
        percentile(times, 0.99),
        Math.round(process.memoryUsage().rss / 1e6),
      ],
    ],
  );
  figure('nlu.shipped.load_ms', Math.round(loadMs), 'ms');
  figure('nlu.shipped.cv_accuracy', nlu.info.report.intents.heldOutAccuracy, 'fraction');
  figure('nlu.shipped.p99_ms', percentile(times, 0.99), 'ms');
  figure('nlu.shipped.rss_mb', Math.round(process.memoryUsage().rss / 1e6), 'MB');

  // probe-it: its misses pointed at the classes of one round of our examples; probe-it-2 was written
  // after that round and has guided nothing yet. Both are ours: see bench/nlu-probe.ts.
  for (const [key, file] of [
    ['probe', 'probe-it.jsonl'],
    ['probe2', 'probe-it-2.jsonl'],
  ] as const) {
    const probe = await scoreProbe(nlu.intents, join(root, 'bench', 'data', file));
    table(
      `our IT probe (bench/data/${file}, ${probe.n} texts we wrote, never trained on): right action per class`,
      ['action', 'right', 'n'],
      [...probe.perAction].map(([a, c]) => [a, c.right, c.n]),
    );
    for (const m of probe.misses) process.stdout.write(`  miss ${m}\n`);
    figure(`nlu.${key}.action_accuracy`, probe.action, 'fraction');
    figure(`nlu.${key}.intent_accuracy`, probe.intent, 'fraction');
  }
}

interface ClincRow {
  text: string;
  label: string;
  split: string;
}

async function benchClinc(emb: { raw: Embedder; cached: CachedEmbedder; cacheFile: string }): Promise<void> {
  const file = join(datasets, 'clinc150', 'clinc150_full.jsonl');
  if (!existsSync(file)) return void process.stdout.write('CLINC150 not found, skipped\n');
  const rows = jsonl<ClincRow>(file);
  const pick = (s: string) =>
    rows.filter((r) => r.split === s).map((r) => ({ text: r.text, label: r.label }));
  const [train, val, test] = [pick('train'), pick('val'), pick('test')];
  const ours = await evaluateIntents(train, test, val, 'oos', {
    embedder: emb.cached,
    latencyEmbedder: emb.raw,
    latencySamples: 500,
  });
  await emb.cached.save(emb.cacheFile);
  const result: Array<Array<string | number>> = [
    [
      'chatdesk (USE-lite + TF-IDF, val threshold)',
      ours.in_scope_accuracy,
      ours.in_scope_accuracy_argmax,
      ours.oos_recall,
      ours.oos_precision,
      ours.ece,
      ours.train_ms / 1000,
      ours.latency_p99_ms,
    ],
  ];
  figure('nlu.clinc150.in_scope_accuracy', ours.in_scope_accuracy, 'fraction');
  figure('nlu.clinc150.in_scope_accuracy_argmax', ours.in_scope_accuracy_argmax, 'fraction');
  figure('nlu.clinc150.oos_recall', ours.oos_recall, 'fraction');
  figure('nlu.clinc150.oos_precision', ours.oos_precision, 'fraction');
  figure('nlu.clinc150.macro_f1', ours.macro_f1, 'fraction');
  figure('nlu.clinc150.ece', ours.ece, 'fraction');
  figure('nlu.clinc150.p50_ms', ours.latency_p50_ms, 'ms');
  figure('nlu.clinc150.p99_ms', ours.latency_p99_ms, 'ms');
  figure('nlu.clinc150.train_s', ours.train_ms / 1000, 's');
  figure('nlu.clinc150.rss_mb', Math.round(process.memoryUsage().rss / 1e6), 'MB');

  const nlp = nlpManager();
  if (nlp === null) {
    process.stdout.write('node-nlp not installed (npm i -D node-nlp), NLP.js comparison skipped\n');
  } else {
    // Larson et al.'s "oos-train" protocol: the 100 out-of-scope training texts form their own intent.
    for (const r of train) nlp.addDocument('en', r.text, r.label);
    const t0 = performance.now();
    await nlp.train();
    const trainS = (performance.now() - t0) / 1000;
    const pred: string[] = [];
    for (const r of test) {
      const out = (await nlp.process('en', r.text)) as { intent: string };
      pred.push(out.intent === 'None' ? 'oos' : out.intent);
    }
    const m = oosMetrics(
      test.map((r) => r.label),
      pred,
      'oos',
    );
    result.push([
      'NLP.js 4.27 (node-nlp, oos-train)',
      m.in_scope_accuracy,
      '-',
      m.oos_recall,
      m.oos_precision,
      '-',
      trainS,
      '-',
    ]);
    figure('nlpjs.clinc150.in_scope_accuracy', m.in_scope_accuracy, 'fraction');
    figure('nlpjs.clinc150.oos_recall', m.oos_recall, 'fraction');
    figure('nlpjs.clinc150.train_s', trainS, 's');
  }
  table(
    'CLINC150 full, test split (4,500 in-scope + 1,000 OOS)',
    ['model', 'in-scope acc', 'argmax acc', 'OOS recall', 'OOS precision', 'ECE', 'train s', 'p99 ms'],
    result,
  );
}

interface TicketRow {
  text: string;
  label: string;
  split: string;
}

// `--nlpjs-sample=<n>`: training tickets for NLP.js on the triage set (ours and the baseline use all).
// 4,000 trains in 1.5 minutes on 2 cores when quiet (7 under load); NLP.js did not gain from more:
// 8,000 took 7 minutes under load and scored 22.3 % accuracy (4,000: 51.7 %).
const nlpjsTriageSample = Number(
  args.find((a) => a.startsWith('--nlpjs-sample='))?.slice('--nlpjs-sample='.length) ?? 4000,
);

/** Every label keeps its share of the rows, taken evenly through the file (deterministic). */
function stratifiedSample<T extends { label: string }>(rows: readonly T[], n: number): T[] {
  if (n >= rows.length) return [...rows];
  const byLabel = new Map<string, T[]>();
  for (const r of rows) {
    const group = byLabel.get(r.label) ?? [];
    group.push(r);
    byLabel.set(r.label, group);
  }
  const out: T[] = [];
  for (const group of byLabel.values()) {
    const k = Math.max(1, Math.round((group.length * n) / rows.length));
    for (let i = 0; i < k; i++) out.push(group[Math.floor((i * group.length) / k)] as T);
  }
  return out;
}

/**
 * Every ticket belongs to one of the groups, so NLP.js is scored on its best-scoring group: its
 * 'None' answer (top score under its 0.5 threshold) would otherwise count as an error on ~30 %.
 */
function topNlpjsIntent(out: { intent: string; classifications?: Array<{ intent: string }> }): string {
  return out.classifications?.find((c) => c.intent !== 'None')?.intent ?? out.intent;
}

async function benchTriage(): Promise<void> {
  const file = join(datasets, 'it_service_tickets', 'it_service_tickets.jsonl');
  if (!existsSync(file)) return void process.stdout.write('it_service_tickets not found, skipped\n');
  const rows = jsonl<TicketRow>(file);
  const train = rows.filter((r) => r.split === 'train');
  const test = rows.filter((r) => r.split === 'test');
  const gold = test.map((r) => r.label);
  const result: Array<Array<string | number>> = [];

  let t0 = performance.now();
  const ours = TicketTriage.train(train.map((r) => ({ text: r.text, category: r.label })));
  const oursS = (performance.now() - t0) / 1000;
  const oursPred = test.map((r) => ours.predictCategory(r.text));
  result.push([
    'chatdesk triage (word 1-2 + char 3-5 TF-IDF softmax)',
    accuracy(gold, oursPred),
    macroF1(gold, oursPred),
    oursS,
  ]);
  figure('triage.it_tickets.accuracy', accuracy(gold, oursPred), 'fraction');
  figure('triage.it_tickets.macro_f1', macroF1(gold, oursPred), 'fraction');
  figure('triage.it_tickets.train_s', oursS, 's');

  t0 = performance.now();
  const base = LinearTextClassifier.fit(
    train.map((r) => ({ text: r.text, label: r.label })),
    { tfidf: { charNgrams: false, wordBigrams: false, minDf: 2 } },
  );
  const baseS = (performance.now() - t0) / 1000;
  const basePred = test.map((r) => base.predict(r.text).label);
  result.push([
    'baseline: word TF-IDF + logistic regression',
    accuracy(gold, basePred),
    macroF1(gold, basePred),
    baseS,
  ]);
  figure('baseline.it_tickets.accuracy', accuracy(gold, basePred), 'fraction');
  figure('baseline.it_tickets.macro_f1', macroF1(gold, basePred), 'fraction');

  const nlp = nlpManager();
  if (nlp === null) {
    process.stdout.write('node-nlp not installed (npm i -D node-nlp), NLP.js triage comparison skipped\n');
  } else {
    // NLP.js trains one network over the bag of stems; every epoch visits every ticket, so a
    // per-group stratified sample bounds the run (see nlpjsTriageSample).
    const sample = stratifiedSample(train, nlpjsTriageSample);
    for (const r of sample) nlp.addDocument('en', r.text, r.label);
    t0 = performance.now();
    await nlp.train();
    const nlpS = (performance.now() - t0) / 1000;
    const pred: string[] = [];
    for (const r of test) pred.push(topNlpjsIntent(await nlp.process('en', r.text)));
    result.push([
      `NLP.js 4.27 (stratified ${sample.length} of ${train.length} training tickets, top class)`,
      accuracy(gold, pred),
      macroF1(gold, pred),
      nlpS,
    ]);
    figure('nlpjs.it_tickets.accuracy', accuracy(gold, pred), 'fraction');
    figure('nlpjs.it_tickets.macro_f1', macroF1(gold, pred), 'fraction');
    figure('nlpjs.it_tickets.train_tickets', sample.length, 'tickets');
    figure('nlpjs.it_tickets.train_s', nlpS, 's');
  }
  table(
    `IT service tickets, test split (${test.length} tickets, 8 topic groups)`,
    ['model', 'accuracy', 'macro F1', 'train s'],
    result,
  );
}

interface KbRow {
  doc_id: number;
  question: string;
  answers: string[];
}
interface QueryRow {
  text: string;
  label: number;
  split: string;
}

async function benchKnowledge(emb: { cached: CachedEmbedder; cacheFile: string }): Promise<void> {
  const dir = join(datasets, 'stackfaq');
  if (!existsSync(join(dir, 'kb.jsonl'))) return void process.stdout.write('StackFAQ not found, skipped\n');
  const kb = jsonl<KbRow>(join(dir, 'kb.jsonl'));
  const queries = jsonl<QueryRow>(join(dir, 'queries.jsonl'));
  const trainQ = queries.filter((q) => q.split === 'train');
  const testQ = queries.filter((q) => q.split === 'test');
  const toArticle = (k: KbRow, questions: string[]): KnowledgeArticle => ({
    id: String(k.doc_id),
    title: k.question,
    tags: [],
    category: null,
    url: null,
    questions,
    body: k.answers.join('\n\n'),
  });
  const plain = kb.map((k) => toArticle(k, []));
  // Variant where each entry also lists the train-split paraphrases as example questions
  // (what an admin does with `questions:` in an article's front matter).
  const withQs = kb.map((k) =>
    toArticle(
      k,
      trainQ.filter((q) => q.label === k.doc_id).map((q) => q.text),
    ),
  );
  const qVec = await emb.cached.embed(queries.map((q) => embeddingInput(q.text)));
  const vecOf = new Map(queries.map((q, i) => [q, qVec[i] as Float32Array]));
  const plainSearch = await HybridKnowledgeSearch.build(plain, emb.cached);
  const qsSearch = await HybridKnowledgeSearch.build(withQs, emb.cached);
  await emb.cached.save(emb.cacheFile);
  const evaluateRanking = (qs: QueryRow[], rankedIds: (q: QueryRow) => string[]) => {
    let p1 = 0;
    let mrr = 0;
    for (const q of qs) {
      const pos = rankedIds(q).indexOf(String(q.label));
      if (pos === 0) p1++;
      if (pos >= 0) mrr += 1 / (pos + 1);
    }
    return { p1: p1 / qs.length, mrr: mrr / qs.length };
  };
  const evaluate = (s: HybridKnowledgeSearch, qs: QueryRow[], weights: FusionWeights) =>
    evaluateRanking(qs, (q) =>
      s.rank(q.text, vecOf.get(q) as Float32Array, weights).map((r) => s.articles[r.index]?.id ?? ''),
    );
  // The baseline: Okapi BM25 as the production index was before this fusion (one field, the title
  // counted twice, the first 2,000 characters of the body), k1 1.2, b 0.75.
  const okapi = new Bm25Index(
    plain.map((a) => ({ title: '', body: `${a.title} ${a.title} ${normalizeText(a.body)}` })),
    { k1: 1.2, titleWeight: 0, bTitle: 0, bBody: 0.75 },
  );
  const bm25 = evaluateRanking(testQ, (q) =>
    [...okapi.scores(q.text)]
      .map((score, i) => ({ score, id: plain[i]?.id ?? '' }))
      .sort((a, b) => b.score - a.score)
      .map((r) => r.id),
  );
  // The fusion weights are fitted on the train-split queries, then measured on the test split.
  const fitted = fitFusionWeights(
    trainQ.map((q) => ({
      rows: plainSearch.signalRows(q.text, vecOf.get(q) as Float32Array),
      gold: plain.findIndex((a) => a.id === String(q.label)),
    })),
  );
  const only = (k: keyof FusionWeights): FusionWeights => ({
    bm25: 0,
    title: 0,
    opening: 0,
    chars: 0,
    [k]: 1,
  });
  const bm25f = evaluate(plainSearch, testQ, only('bm25'));
  const emb1 = evaluate(plainSearch, testQ, { ...only('title'), opening: 1 });
  const hybrid = evaluate(plainSearch, testQ, fitted);
  const withQ = evaluate(qsSearch, testQ, fitted);
  // "Does the top article answer?": positives/negatives from the StackFAQ train queries, plus
  // CLINC150 out-of-scope texts as questions no article answers. Checked on held-out texts.
  const clincFile = join(datasets, 'clinc150', 'clinc150_full.jsonl');
  const unanswerable = existsSync(clincFile)
    ? jsonl<ClincRow>(clincFile).filter((r) => r.label === 'oos')
    : [];
  const negTrain = unanswerable.filter((r) => r.split !== 'test').map((r) => r.text);
  const negTest = unanswerable
    .filter((r) => r.split === 'test')
    .slice(0, testQ.length)
    .map((r) => r.text);
  const negVecs = await emb.cached.embed([...negTrain, ...negTest].map(embeddingInput));
  await emb.cached.save(emb.cacheFile);
  const sampleOf = (
    s: HybridKnowledgeSearch,
    text: string,
    vec: Float32Array,
    gold: string | null,
  ): CalibrationSample => {
    const r = s.rank(text, vec, fitted);
    return {
      ...calibrationFeatures(r, 0),
      correct: gold !== null && s.articles[r[0]?.index ?? -1]?.id === gold,
    };
  };
  const trainSamples = [
    ...trainQ.map((q) => sampleOf(plainSearch, q.text, vecOf.get(q) as Float32Array, String(q.label))),
    ...negTrain.map((t, i) => sampleOf(plainSearch, t, negVecs[i] as Float32Array, null)),
  ];
  const cal = fitKnowledgeCalibration(trainSamples, { ...DEFAULT_KNOWLEDGE_CALIBRATION, weights: fitted });
  plainSearch.setCalibration(cal);
  const testSamples = testQ.map((q) =>
    sampleOf(plainSearch, q.text, vecOf.get(q) as Float32Array, String(q.label)),
  );
  const negSamples = negTest.map((t, i) =>
    sampleOf(plainSearch, t, negVecs[negTrain.length + i] as Float32Array, null),
  );
  const answers = (xs: CalibrationSample[]) =>
    xs.filter((s) => calibratedConfidence(cal, s) >= cal.answerThreshold);
  const answered = answers(testSamples);
  const answerPrecision = answered.filter((s) => s.correct).length / Math.max(1, answered.length);
  const falseAnswerRate = answers(negSamples).length / Math.max(1, negSamples.length);
  table(
    `StackFAQ, test-split queries (${testQ.length}) over ${kb.length} entries`,
    ['method', 'P@1', 'MRR'],
    [
      ['BM25 alone (Okapi, k1 1.2, b 0.75; title twice + body opening)', bm25.p1, bm25.mrr],
      ['BM25F alone (title/questions field + body field)', bm25f.p1, bm25f.mrr],
      ['USE-lite embeddings alone (title + title/opening, z-summed)', emb1.p1, emb1.mrr],
      ['chatdesk hybrid (BM25F + embeddings + title trigrams, fitted on train)', hybrid.p1, hybrid.mrr],
      ['chatdesk hybrid + train paraphrases as article questions', withQ.p1, withQ.mrr],
    ],
  );
  const f = fitted;
  process.stdout.write(
    `fusion weights (fitted on ${trainQ.length} train queries): bm25 ${f.bm25} title ${f.title} opening ${f.opening} chars ${f.chars}; ` +
      `P@1 ${((hybrid.p1 - bm25.p1) * 100).toFixed(1)} points over BM25 alone\n`,
  );
  process.stdout.write(
    `calibration (train queries + ${negTrain.length} CLINC150 OOS texts): ${JSON.stringify(cal.coef)}; ` +
      `answers ${answered.length}/${testQ.length} test queries at confidence ≥ ${cal.answerThreshold}, precision ${answerPrecision.toFixed(3)}; ` +
      `answers ${(falseAnswerRate * 100).toFixed(1)} % of ${negSamples.length} unanswerable test texts\n`,
  );
  figure('bm25.stackfaq.p_at_1', bm25.p1, 'fraction');
  figure('bm25.stackfaq.mrr', bm25.mrr, 'fraction');
  figure('bm25f.stackfaq.p_at_1', bm25f.p1, 'fraction');
  figure('kb.stackfaq.p_at_1', hybrid.p1, 'fraction');
  figure('kb.stackfaq.mrr', hybrid.mrr, 'fraction');
  figure('kb.stackfaq.p_at_1_with_paraphrases', withQ.p1, 'fraction');
  figure('kb.stackfaq.answer_rate', answered.length / testQ.length, 'fraction');
  figure('kb.stackfaq.answer_precision', answerPrecision, 'fraction');
  figure('kb.unanswerable.false_answer_rate', falseAnswerRate, 'fraction');
}

/** The distilled static encoder (opt-in, built by `chatdesk distill` into models/static-use). */
async function benchStatic(): Promise<void> {
  const file = join(datasets, 'clinc150', 'clinc150_full.jsonl');
  let staticEmb: Embedder;
  try {
    staticEmb = await loadStaticEmbedder(staticModelsDir ?? join(root, 'models'));
  } catch {
    process.stdout.write('models/static-use not built (chatdesk distill), static-encoder run skipped\n');
    return;
  }
  if (!existsSync(file)) return;
  const rows = jsonl<ClincRow>(file);
  const pick = (s: string) =>
    rows.filter((r) => r.split === s).map((r) => ({ text: r.text, label: r.label }));
  const r = await evaluateIntents(pick('train'), pick('test'), pick('val'), 'oos', {
    embedder: staticEmb,
    latencyEmbedder: staticEmb,
    latencySamples: 500,
  });
  table(
    'CLINC150 with the distilled static encoder',
    ['in-scope acc', 'argmax acc', 'OOS recall', 'p50 ms', 'p99 ms'],
    [[r.in_scope_accuracy, r.in_scope_accuracy_argmax, r.oos_recall, r.latency_p50_ms, r.latency_p99_ms]],
  );
  figure('nlu.clinc150.static.in_scope_accuracy', r.in_scope_accuracy, 'fraction');
  figure('nlu.clinc150.static.oos_recall', r.oos_recall, 'fraction');
  figure('nlu.clinc150.static.p99_ms', r.latency_p99_ms, 'ms');
}

async function benchWeakSources(): Promise<void> {
  const { cached, cacheFile } = await embedders();
  const { sources: results, lexicon } = await benchSources(join(root, 'data'), datasets, cached);
  await cached.save(cacheFile);
  table(
    'composed messages on a held-out lexicon (things and acts never trained on)',
    ['trained on', 'texts', 'action', 'intent'],
    lexicon.map((r) => [r.config, r.n, r.action, r.intent]),
  );
  for (const [key, r] of [
    ['without', lexicon[0]],
    ['with', lexicon[1]],
  ] as const) {
    if (r === undefined) continue;
    figure(`nlu.compositions.heldout_lexicon.${key}.action`, r.action, 'fraction');
    figure(`nlu.compositions.heldout_lexicon.${key}.intent`, r.intent, 'fraction');
  }
  const names = Object.keys(results[0]?.bySource ?? {});
  table(
    "weak-label sources: intent (action) right on each source's held-out test split; CV on our examples",
    ['trained on', 'weak ex.', 'CV own', ...names.map((n) => `${n} (n=${results[0]?.bySource[n]?.n})`)],
    results.map((r) => [
      r.config,
      r.weakExamples,
      r.cvAccuracy,
      ...names.map((n) => {
        const s = r.bySource[n];
        if (s === undefined) return '-';
        const act = s.actionN > 0 ? ` (${(s.action / s.actionN).toFixed(3)})` : '';
        return `${(s.intent / s.n).toFixed(3)}${act}`;
      }),
    ]),
  );
  for (const [key, r] of [
    ['own', results[0]],
    ['all', results.at(-2)],
    ['all_no_context', results.at(-1)],
  ] as const) {
    if (r === undefined) continue;
    figure(`nlu.sources.${key}.cv_accuracy`, r.cvAccuracy, 'fraction');
    for (const [n, s] of Object.entries(r.bySource)) {
      figure(`nlu.sources.${key}.${n}.intent`, s.intent / s.n, 'fraction');
      if (s.actionN > 0) figure(`nlu.sources.${key}.${n}.action`, s.action / s.actionN, 'fraction');
    }
  }
}

async function main(): Promise<void> {
  if (!existsSync(datasets)) {
    process.stdout.write(`bench:nlu skipped: datasets not found at ${datasets}\n`);
    return;
  }
  if (want('serve')) await benchServing();
  const emb = want('clinc') || want('kb') ? await embedders() : null;
  if (emb !== null && want('kb')) await benchKnowledge(emb);
  if (want('triage')) await benchTriage();
  if (emb !== null && want('clinc')) await benchClinc(emb);
  if (want('static')) await benchStatic();
  if (want('sources')) await benchWeakSources();
  process.stdout.write(`\n${lines.length} figures\n`);
}

await main();
