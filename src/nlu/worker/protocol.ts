/**
 * Messages between the server's main thread and the NLU worker thread. Both ends are our own code,
 * so these are plain structured-clone types, not validated input.
 */
import type { LoadNluOptions, NluInfo } from '../index.js';
import type { IntentPrediction, KnowledgeHit, PredictOptions, TriagePrediction } from '../types.js';

/** What the worker needs to load the NLU (the log function stays in the main thread). */
export type WorkerLoadOptions = Omit<LoadNluOptions, 'log'>;

export type NluRequest =
  | { id: number; op: 'classify'; text: string; opts?: PredictOptions }
  | { id: number; op: 'triage'; text: string; opts?: PredictOptions }
  | { id: number; op: 'search'; text: string; k: number | undefined }
  | { id: number; op: 'answer'; text: string }
  | { id: number; op: 'similarity'; text: string; candidates: string[] };

export interface NluResults {
  classify: IntentPrediction;
  triage: TriagePrediction;
  search: KnowledgeHit[];
  answer: KnowledgeHit | null;
  similarity: number[];
}

export type WorkerMessage =
  | { type: 'ready'; info: NluInfo; name: string }
  | { type: 'load_failed'; message: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; msg: string; fields?: Record<string, unknown> }
  | { type: 'result'; id: number; value: NluResults[keyof NluResults] }
  | { type: 'error'; id: number; message: string };
