/**
 * Problem reports composed from `data/compositions.json`: a thing people use at work, a fault, and
 * a frame around them. Real reports name thousands of apps and devices our examples never mention;
 * these teach the classifier that the kind of incident follows from the thing that fails, whatever
 * words say it fails ("my tablet froze", "the crm stopped responding"). They train the weights only.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { LabeledText } from '../intents/train-intents.js';
import { mulberry32 } from '../model/softmax.js';
import { readJsonFile } from './read-files.js';

const phrase = z.string().trim().min(1, 'must not be empty');

const compositionsSchema = z
  .object({
    about: z.string().optional(),
    perIntent: z.number().int().min(1).max(500),
    seed: z.number().int(),
    frames: z
      .array(
        phrase.refine((f) => f.includes('{thing}') && f.includes('{fault}'), {
          message: 'a frame must contain {thing} and {fault}',
        }),
      )
      .min(1),
    /** Put before every thing, drawn alike for every intent, so that "the" or "my" tells nothing. */
    determiners: z.array(z.string()).min(1).default(['']),
    faults: z.record(z.string(), z.array(phrase).min(1)),
    intents: z.record(
      z.string(),
      z.object({ faults: z.array(z.string()).min(1), things: z.array(phrase).min(1) }),
    ),
  })
  .superRefine((c, ctx) => {
    for (const [intent, spec] of Object.entries(c.intents)) {
      for (const f of spec.faults) {
        if (c.faults[f] === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['intents', intent, 'faults'],
            message: `fault list "${f}" is not defined under "faults"`,
          });
      }
    }
  });
export type Compositions = z.infer<typeof compositionsSchema>;

/** `perIntent` distinct texts per intent, the same ones on every run (seeded). */
export function composeExamples(c: Compositions): LabeledText[] {
  const rand = mulberry32(c.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const out: LabeledText[] = [];
  for (const intent of Object.keys(c.intents).sort()) {
    const spec = c.intents[intent] as Compositions['intents'][string];
    const faults = spec.faults.flatMap((f) => c.faults[f] ?? []);
    const seen = new Set<string>();
    // Bounded, so a small lexicon ends with fewer texts rather than spinning.
    for (let tries = 0; seen.size < c.perIntent && tries < c.perIntent * 20; tries++) {
      const thing = pick(c.determiners) + pick(spec.things);
      const text = pick(c.frames).replace('{thing}', thing).replace('{fault}', pick(faults));
      if (seen.has(text)) continue;
      seen.add(text);
      out.push({ text, label: intent });
    }
  }
  return out;
}

/**
 * The composed examples of `dataDir`, for the intents the data defines (an admin who removes an
 * intent file does not get its compositions back); none when the file is absent.
 */
export async function loadComposedExamples(
  dataDir: string,
  knownIntents: ReadonlySet<string>,
): Promise<LabeledText[]> {
  const compositions = await readCompositions(dataDir);
  if (compositions === null) return [];
  return composeExamples(compositions).filter((e) => knownIntents.has(e.label));
}

/** `data/compositions.json` validated, or null when the desk has none. */
export async function readCompositions(dataDir: string): Promise<Compositions | null> {
  const file = join(dataDir, 'compositions.json');
  return existsSync(file) ? readJsonFile(file, compositionsSchema) : null;
}
