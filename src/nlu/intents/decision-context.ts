/**
 * Signals about a message that its words and its sentence embedding carry only indirectly, given
 * to the intent softmax as two extra inputs whose weights are learned with the rest (issue 17,
 * item 2): how confidently the knowledge base answers it (a how-to question the desk has an
 * article for) and whether it names a ticket number (status and ticket operations). Learned
 * rather than ruled: the weights say how much each signal counts, for this desk's data.
 */
import { mentionsTicketNumber } from '../../ticket-number-pattern.js';

/** The extra inputs, in the order they follow the embedding in the dense feature vector. */
export const CONTEXT_FEATURES = ['kb_score', 'ticket_number'] as const;

/** The knowledge search as the classifier sees it: the best article's calibrated confidence. */
export interface KnowledgeScorer {
  /** 0..1; `e` is the text's embedding when one was computed (the search reuses it). */
  bestConfidence(text: string, e: Float32Array | null): number;
}

/** Stored in the model: the scale of the context inputs (they are 0..1, the embedding unit-norm). */
export interface ContextState {
  features: readonly string[];
  weight: number;
}

export const DEFAULT_CONTEXT_WEIGHT = 1;

/** The context inputs of one text, scaled; without a knowledge base its score is 0 (as trained). */
export function contextInputs(
  text: string,
  e: Float32Array | null,
  knowledge: KnowledgeScorer | null,
  weight: number,
): [number, number] {
  const kb = knowledge === null ? 0 : knowledge.bestConfidence(text, e);
  const ticket = mentionsTicketNumber(text) ? 1 : 0;
  return [kb * weight, ticket * weight];
}

/**
 * The dense input of the softmax: the embedding times `embeddingWeight`, followed by the context
 * inputs when the model has them. Training and serving both build it here, so they cannot drift.
 */
export function denseInput(
  e: Float32Array | null,
  embeddingWeight: number,
  context: readonly number[] | null,
): Float32Array | null {
  if (context === null) {
    if (e === null || embeddingWeight === 1) return e;
    return e.map((v) => v * embeddingWeight);
  }
  const dim = e?.length ?? 0;
  const out = new Float32Array(dim + context.length);
  for (let i = 0; i < dim; i++) out[i] = (e?.[i] as number) * embeddingWeight;
  out.set(context, dim);
  return out;
}
