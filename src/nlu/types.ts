/**
 * The NLU contract the conversation engine relies on. Implementations live beside this file;
 * nothing here knows about tickets, chat platforms or SQL.
 */

/** Impact or urgency as triage predicts it: the same words as the ITIL core's Level (itsm/types.ts). */
export type Level = 'high' | 'medium' | 'low';

export const OUT_OF_SCOPE = 'out_of_scope';

/** What kind of thing the person wants, decided before the specific intent (data/intents: "action"). */
export const ACTIONS = [
  'incident',
  'request',
  'how_to',
  'status',
  'ticket_operation',
  'handoff',
  'small_talk',
  'out_of_scope',
  // An intent file that names no action (a custom intent an admin added).
  'other',
] as const;
export type IntentAction = (typeof ACTIONS)[number];

export interface TermWeight {
  term: string;
  weight: number;
}

export interface NearestExample {
  text: string;
  intent: string;
  similarity: number;
}

/** Why a prediction came out as it did: shown to agents, stored with every automated decision. */
interface PredictionExplanation {
  terms: TermWeight[];
  nearest: NearestExample[];
}

export interface IntentPrediction {
  /** The top intent, or OUT_OF_SCOPE. */
  intent: string;
  /** Calibrated probability of `intent` (0..1). */
  confidence: number;
  outOfScope: boolean;
  /**
   * The action decided first (its intents' probabilities summed); `intent` is the best intent of
   * this action. Absent only from classifiers that know no actions.
   */
  action?: IntentAction;
  /**
   * Summed probability of `action` (its intents'): "my outlok wont open" is surely an incident even
   * when e-mail and software split the intent's own confidence. Absent where `action` is.
   */
  actionConfidence?: number;
  /** Best alternatives, highest first, the top intent excluded. */
  alternatives: Array<{ intent: string; confidence: number }>;
  explanation: PredictionExplanation;
}

/** What a prediction carries beyond its answer. */
export interface PredictOptions {
  /**
   * The nearest training examples in its explanation (default true). The chat leaves them out: it
   * shows and stores only the terms, and finding them is a pass over many examples (half of the
   * intent classifier's own CPU, most of the triage's).
   */
  nearest?: boolean;
}

export interface IntentClassifier {
  readonly name: string;
  classify(text: string, opts?: PredictOptions): Promise<IntentPrediction>;
  /** The action of an intent this classifier knows ("other" for an unknown one). */
  actionOf?(intent: string): IntentAction;
}

export interface TriagePrediction {
  category: string;
  /** Assignment group slug, when the model has one. */
  group: string | null;
  confidence: number;
  impact: Level;
  urgency: Level;
  /** Human-readable reasons for impact and urgency ("'whole team' → impact high"). */
  priorityReasons: string[];
  explanation: PredictionExplanation;
}

export interface TriageModel {
  predict(text: string, opts?: PredictOptions): Promise<TriagePrediction>;
}

export interface KnowledgeHit {
  articleId: string;
  title: string;
  /** Raw retrieval score (not comparable across queries). */
  score: number;
  /** Calibrated probability that this article answers the query. */
  confidence: number;
  snippet: string;
  url: string | null;
}

export interface KnowledgeSearch {
  search(query: string, k?: number): Promise<KnowledgeHit[]>;
  /** The best hit when it is confident enough to answer, else null (the bot hands off or opens a ticket). */
  answer(query: string): Promise<KnowledgeHit | null>;
}

/** Closeness in meaning of short texts (sentence-embedding cosine); absent when no encoder is loaded. */
interface TextSimilarity {
  /** One score per candidate, −1…1 (in practice 0…1), in input order. */
  scores(query: string, candidates: readonly string[]): Promise<number[]>;
}

export interface Nlu {
  intents: IntentClassifier;
  triage: TriageModel;
  knowledge: KnowledgeSearch;
  similarity?: TextSimilarity;
}
