/**
 * Training all NLU models from data/ and the artefact file in models/ that lets a process start
 * without training: one JSON (weights, data hash) plus the embedding cache of the training texts.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError, formatIssues } from '../errors.js';
import { loadComposedExamples } from './data/compositions.js';
import { type IntentData, loadIntentData } from './data/intent-files.js';
import { loadWeakLabelConfig, readWeakCandidates } from './data/weak-labels.js';
import type { Embedder } from './embeddings/embedder.js';
import type { NluLog } from './embeddings/select-embedder.js';
import { type IntentArtefact, intentArtefactSchema, toIntentArtefact } from './intents/intent-artefact.js';
import { trainIntentModel } from './intents/train-intents.js';
import { selectWeakExamples, type WeakSelection } from './intents/weak-examples.js';
import { loadKnowledgeArticles } from './knowledge/knowledge-files.js';
import { DEFAULT_KNOWLEDGE_CALIBRATION, HybridKnowledgeSearch } from './knowledge/knowledge-search.js';
import { loadTriageTickets } from './triage/triage-data.js';
import { type SerializedTriage, TicketTriage } from './triage/triage-model.js';

export const ARTEFACT_FILE = 'nlu-model.json';
export const EMBEDDING_CACHE_FILE = 'nlu-embeddings.bin';

const int8Rows = z.object({ scales: z.string(), data: z.string() });
const linearSchema = z.object({
  labels: z.array(z.string()),
  tfidf: intentArtefactSchema.shape.tfidf,
  sparseW: int8Rows,
  bias: z.string(),
});

const nluArtefactSchema = z.object({
  format: z.literal('chatdesk-nlu'),
  version: z.literal(1),
  dataHash: z.string(),
  embedderId: z.string().nullable(),
  createdAt: z.string(),
  intents: intentArtefactSchema,
  triage: z
    .object({
      category: linearSchema,
      group: linearSchema.nullable(),
      examples: z.array(z.object({ text: z.string(), category: z.string() })),
    })
    .nullable(),
  knowledge: z.object({
    weights: z.object({ bm25: z.number(), title: z.number(), opening: z.number(), chars: z.number() }),
    coef: z.object({ similarity: z.number(), chars: z.number(), coverage: z.number(), bias: z.number() }),
    answerThreshold: z.number(),
  }),
  report: z.object({
    intents: z.object({
      examples: z.number(),
      intents: z.number(),
      heldOutSource: z.string(),
      heldOutAccuracy: z.number(),
      heldOutEce: z.number(),
      temperature: z.number(),
    }),
    /** Weak labels per source (candidates read, kept by agreement), when trained with datasets. */
    weak: z.record(z.string(), z.object({ candidates: z.number(), kept: z.number() })).optional(),
    /** Problem reports composed from data/compositions.json (train-only examples). */
    composed: z.number().optional(),
    triageTickets: z.number(),
    trainMs: z.number(),
  }),
});
export type NluArtefact = z.infer<typeof nluArtefactSchema>;

export async function trainNluArtefact(
  dataDir: string,
  embedder: Embedder | null,
  dataHash: string,
  log: NluLog,
  datasetsDir?: string,
): Promise<NluArtefact> {
  const t0 = performance.now();
  const intentData = await loadIntentData(dataDir);
  for (const w of intentData.warnings) log('warn', w);
  const weak =
    datasetsDir === undefined ? null : await weakExamples(dataDir, datasetsDir, intentData, embedder);
  if (weak !== null) log('info', 'weak labels from the shared datasets', weak.bySource);
  // The knowledge base as serving will search it, for the classifier's kb_score input.
  const knowledge = await HybridKnowledgeSearch.build(await loadKnowledgeArticles(dataDir), embedder);
  const composed = await loadComposedExamples(dataDir, new Set(intentData.intents.map((i) => i.intent)));
  const trained = await trainIntentModel(intentData.examples, {
    embedder,
    actions: intentData.actions,
    context: { knowledge },
    extra: [...(weak?.examples ?? []), ...composed],
  });
  const tickets = await loadTriageTickets(dataDir);
  const triage: SerializedTriage | null =
    new Set(tickets.map((t) => t.category)).size >= 2 ? TicketTriage.train(tickets).serialize() : null;
  if (triage === null)
    log(
      'warn',
      'no triage tickets with two or more categories in data/triage/tickets.jsonl; triage uses cues only',
    );
  const intents: IntentArtefact = toIntentArtefact(trained.state);
  return {
    format: 'chatdesk-nlu',
    version: 1,
    dataHash,
    embedderId: embedder?.id ?? null,
    createdAt: new Date().toISOString(),
    intents,
    triage,
    knowledge: DEFAULT_KNOWLEDGE_CALIBRATION,
    report: {
      intents: {
        examples: intentData.examples.length,
        intents: trained.state.labels.length,
        heldOutSource: trained.heldOut.source,
        heldOutAccuracy: Number(trained.heldOut.accuracy.toFixed(4)),
        heldOutEce: Number(trained.heldOut.ece.toFixed(4)),
        temperature: Number(trained.heldOut.temperature.toFixed(4)),
      },
      ...(weak === null ? {} : { weak: weak.bySource }),
      composed: composed.length,
      triageTickets: tickets.length,
      trainMs: Math.round(performance.now() - t0),
    },
  };
}

/** Weak labels from `datasetsDir` that a first-pass model on our own examples agrees with. */
async function weakExamples(
  dataDir: string,
  datasetsDir: string,
  intentData: IntentData,
  embedder: Embedder | null,
  split: 'train' | 'test' = 'train',
): Promise<WeakSelection> {
  const config = await loadWeakLabelConfig(dataDir);
  const known = new Set(intentData.intents.map((i) => i.intent));
  const candidates = await readWeakCandidates(datasetsDir, config.sources, split, known);
  const first = await trainIntentModel(intentData.examples, {
    embedder,
    actions: intentData.actions,
    skipHeldOut: true,
  });
  return selectWeakExamples(first.model, embedder, candidates);
}

/** Reads models/nlu-model.json: null when absent, an error naming the file when corrupt. */
export async function readNluArtefact(modelsDir: string): Promise<NluArtefact | null> {
  const file = join(modelsDir, ARTEFACT_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new AppError('model_unavailable', `${file} is not valid JSON; delete it or run "chatdesk train".`, {
      cause,
    });
  }
  const parsed = nluArtefactSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError(
      'model_unavailable',
      `${file} is not a chatdesk NLU model (${formatIssues(parsed.error.issues.slice(0, 3))}); run "chatdesk train".`,
    );
  }
  return parsed.data;
}

export async function writeNluArtefact(modelsDir: string, artefact: NluArtefact): Promise<string> {
  await mkdir(modelsDir, { recursive: true });
  const file = join(modelsDir, ARTEFACT_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(artefact)}\n`);
  await rename(tmp, file);
  return file;
}
