/**
 * The NLU factory the app calls: loads models/ when it matches data/, else trains from data/
 * (seconds for the shipped data) and says so in the log.
 */
import { join } from 'node:path';
import { nluDataHash } from './data/data-hash.js';
import { dot, type Embedder } from './embeddings/embedder.js';
import { CachedEmbedder } from './embeddings/embedding-cache.js';
import { queryEmbedder } from './embeddings/query-embedder.js';
import { type EmbeddingsChoice, type NluLog, selectEmbedder } from './embeddings/select-embedder.js';
import { fromIntentArtefact } from './intents/intent-artefact.js';
import { IntentModel } from './intents/intent-model.js';
import { loadKnowledgeArticles } from './knowledge/knowledge-files.js';
import { articleEmbeddingTexts, HybridKnowledgeSearch } from './knowledge/knowledge-search.js';
import {
  EMBEDDING_CACHE_FILE,
  type NluArtefact,
  readNluArtefact,
  trainNluArtefact,
  writeNluArtefact,
} from './nlu-artefacts.js';
import { embeddingInput } from './text/normalize.js';
import { PriorityCueMatcher } from './triage/priority-cues.js';
import { loadCues } from './triage/triage-data.js';
import { TicketTriage } from './triage/triage-model.js';
import type { Nlu, TriageModel, TriagePrediction } from './types.js';

export interface LoadNluOptions {
  dataDir: string;
  modelsDir: string;
  embeddings?: EmbeddingsChoice;
  /** With `embeddings: 'transformers'`: the model directory under modelsDir (default static-use). */
  transformerModel?: string;
  log?: NluLog;
  /** Train even when models/ matches the data (the `chatdesk train` command). */
  forceTrain?: boolean;
  /**
   * With training: also learn from weak labels of the public sets in this directory
   * (data/weak-labels.json says how). The server never passes it: it trains on data/ alone.
   */
  datasetsDir?: string;
  /** Write freshly trained artefacts to models/ (off while serving: models/ may be read-only). */
  save?: boolean;
}

export interface NluInfo {
  source: 'models' | 'trained';
  embedderId: string | null;
  dataHash: string;
  loadMs: number;
  report: NluArtefact['report'];
  /** Where the artefact was written, when `save` was set and training happened. */
  savedTo: string | null;
}

export interface LoadedNlu extends Nlu {
  info: NluInfo;
}

/** The NLU settings of the configuration (config.ts), without importing it. */
interface NluSettings {
  DATA_DIR: string;
  MODELS_DIR: string;
  NLU_EMBEDDINGS: 'auto' | EmbeddingsChoice;
  NLU_TRANSFORMER_MODEL?: string | undefined;
}

/**
 * The load options the server uses for a configuration. `chatdesk classify` calls this too, so
 * what it prints is what the server would decide.
 */
export function nluOptionsFor(s: NluSettings, log?: NluLog): LoadNluOptions {
  return {
    dataDir: s.DATA_DIR,
    modelsDir: s.MODELS_DIR,
    ...(s.NLU_EMBEDDINGS !== 'auto'
      ? { embeddings: s.NLU_EMBEDDINGS }
      : s.NLU_TRANSFORMER_MODEL
        ? { embeddings: 'transformers' as const }
        : {}),
    ...(s.NLU_TRANSFORMER_MODEL ? { transformerModel: s.NLU_TRANSFORMER_MODEL } : {}),
    ...(log === undefined ? {} : { log }),
  };
}

/** Triage without seed tickets: category "other", priority from cues alone. */
class CuesOnlyTriage implements TriageModel {
  constructor(private readonly cues: PriorityCueMatcher) {}
  async predict(text: string): Promise<TriagePrediction> {
    const c = this.cues.match(text);
    return {
      category: 'other',
      group: null,
      confidence: 0,
      impact: c.impact,
      urgency: c.urgency,
      priorityReasons: c.reasons,
      explanation: { terms: [], nearest: [] },
    };
  }
}

const silent: NluLog = () => {};

export async function loadNlu(opts: LoadNluOptions): Promise<LoadedNlu> {
  const t0 = performance.now();
  const log = opts.log ?? silent;
  const base = await selectEmbedder(opts.embeddings, opts.modelsDir, log, opts.transformerModel);
  const cacheFile = join(opts.modelsDir, EMBEDDING_CACHE_FILE);
  const cached = base === null ? null : new CachedEmbedder(base);
  if (cached !== null) {
    const status = await cached.load(cacheFile);
    if (status === 'stale')
      log('info', 'embedding cache in models/ belongs to another encoder; re-embedding', { file: cacheFile });
  }
  const embedder: Embedder | null = cached;
  const dataHash = await nluDataHash(opts.dataDir, embedder?.id ?? null);

  let artefact: NluArtefact | null = null;
  if (opts.forceTrain !== true) {
    try {
      artefact = await readNluArtefact(opts.modelsDir);
    } catch (e) {
      log('warn', (e as Error).message);
    }
    if (artefact !== null && artefact.dataHash !== dataHash) {
      log('info', 'models/ was trained on other data or another encoder; training from data/', {
        modelEmbedder: artefact.embedderId,
        embedder: embedder?.id ?? null,
      });
      artefact = null;
    }
  }
  let source: NluInfo['source'] = 'models';
  let savedTo: string | null = null;
  if (artefact === null) {
    source = 'trained';
    artefact = await trainNluArtefact(opts.dataDir, embedder, dataHash, log, opts.datasetsDir);
    log('info', 'NLU trained from data/', { ms: artefact.report.trainMs, ...artefact.report.intents });
    if (opts.save === true) {
      savedTo = await writeNluArtefact(opts.modelsDir, artefact);
    } else {
      log('info', 'run "chatdesk train" to store the trained NLU in models/ and skip training at start-up');
    }
  }

  const intentState = fromIntentArtefact(artefact.intents);
  const exampleVecs =
    embedder === null ? null : await embedder.embed(intentState.examples.map((e) => embeddingInput(e.text)));
  // Queries go to the uncached encoder (caching every text a user ever typed would grow without
  // bound), through a small window of recent texts that intent and knowledge search share.
  const query = base === null ? null : queryEmbedder(base);
  const articles = await loadKnowledgeArticles(opts.dataDir);
  const knowledge = await HybridKnowledgeSearch.build(articles, embedder, artefact.knowledge, query);
  // The classifier reads the knowledge search's best score as one of its inputs (when trained so).
  const intents = new IntentModel(intentState, query, exampleVecs, knowledge);
  const cues = new PriorityCueMatcher(await loadCues(opts.dataDir));
  const triage: TriageModel =
    artefact.triage === null ? new CuesOnlyTriage(cues) : TicketTriage.deserialize(artefact.triage, cues);

  if (cached !== null && opts.save === true) {
    // Keep only what the data needs, so the committed cache does not grow with every query.
    cached.retainOnly([
      ...intentState.examples.map((e) => embeddingInput(e.text)),
      ...articles.flatMap(articleEmbeddingTexts),
    ]);
    await cached.save(cacheFile);
  }
  return {
    intents,
    triage,
    knowledge,
    ...(query === null
      ? {}
      : {
          similarity: {
            async scores(q: string, candidates: readonly string[]) {
              if (candidates.length === 0) return [];
              const [v, ...cs] = await query.embed([q, ...candidates].map(embeddingInput));
              return cs.map((c) => (v ? dot(v, c) : 0));
            },
          },
        }),
    info: {
      source,
      embedderId: embedder?.id ?? null,
      dataHash,
      loadMs: Math.round(performance.now() - t0),
      report: artefact.report,
      savedTo,
    },
  };
}
