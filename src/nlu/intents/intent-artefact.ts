/**
 * JSON form of a trained intent model for models/: weights as int8 rows with per-row scales.
 */
import { z } from 'zod';
import { base64ToF32, decodeInt8Rows, encodeInt8Rows, f32ToBase64 } from '../model/codec.js';
import { ACTIONS, OUT_OF_SCOPE } from '../types.js';
import type { IntentModelState } from './intent-model.js';

const int8Rows = z.object({ scales: z.string(), data: z.string() });

export const intentArtefactSchema = z.object({
  format: z.literal('chatdesk-intent-model'),
  version: z.literal(1),
  labels: z.array(z.string()).min(2),
  actions: z.array(z.enum(ACTIONS)).optional(),
  tfidf: z.object({
    options: z.object({ charNgrams: z.boolean(), wordBigrams: z.boolean().optional(), minDf: z.number() }),
    terms: z.array(z.string()),
    idf: z.array(z.number()),
  }),
  sparseDim: z.number().int().nonnegative(),
  denseDim: z.number().int().nonnegative(),
  sparseW: int8Rows,
  denseW: int8Rows,
  bias: z.string(),
  embeddingWeight: z.number(),
  temperature: z.number().positive(),
  oos: z.object({ alpha: z.number(), threshold: z.number() }),
  embedderId: z.string().nullable(),
  /** Absent from models trained before the context inputs existed. */
  context: z
    .object({ features: z.tuple([z.literal('kb_score'), z.literal('ticket_number')]), weight: z.number() })
    .nullable()
    .optional(),
  examples: z.array(z.object({ text: z.string(), label: z.number().int().nonnegative() })),
});
export type IntentArtefact = z.infer<typeof intentArtefactSchema>;

export function toIntentArtefact(s: IntentModelState): IntentArtefact {
  const C = s.softmax.classes;
  return {
    format: s.format,
    version: s.version,
    labels: s.labels,
    actions: s.actions,
    tfidf: s.tfidf,
    sparseDim: s.softmax.sparseDim,
    denseDim: s.softmax.denseDim,
    sparseW: encodeInt8Rows(s.softmax.sparseW, C),
    denseW: encodeInt8Rows(s.softmax.denseW, C),
    bias: f32ToBase64(s.softmax.bias),
    embeddingWeight: s.embeddingWeight,
    temperature: s.temperature,
    oos: s.oos,
    embedderId: s.embedderId,
    context:
      s.context === null ? null : { features: ['kb_score', 'ticket_number'], weight: s.context.weight },
    examples: s.examples,
  };
}

export function fromIntentArtefact(a: IntentArtefact): IntentModelState {
  const C = a.labels.length;
  return {
    format: a.format,
    version: a.version,
    labels: a.labels,
    actions: a.actions ?? a.labels.map((l) => (l === OUT_OF_SCOPE ? 'out_of_scope' : 'other')),
    tfidf: a.tfidf,
    softmax: {
      classes: C,
      sparseDim: a.sparseDim,
      denseDim: a.denseDim,
      sparseW: decodeInt8Rows(a.sparseW, C),
      denseW: decodeInt8Rows(a.denseW, C),
      bias: base64ToF32(a.bias),
    },
    embeddingWeight: a.embeddingWeight,
    temperature: a.temperature,
    oos: a.oos,
    embedderId: a.embedderId,
    context: a.context ?? null,
    examples: a.examples,
  };
}
