/**
 * Messages composed from `data/compositions.json`: a thing people use at work, an act (what goes
 * wrong with it, or what the person wants to do with it) and a frame around them. Real reports name
 * thousands of apps and devices our examples never mention; these teach the classifier that the kind
 * of incident follows from the thing that fails, whatever words say it fails ("my tablet froze",
 * "the crm stopped responding"), and that "how do I…" asks how, whatever it is about. They train
 * the weights only.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { LabeledText } from '../intents/train-intents.js';
import { mulberry32 } from '../model/softmax.js';
import { readJsonFile } from './read-files.js';

const phrase = z.string().trim().min(1, 'must not be empty');

const intentSpec = z
  .object({
    /** The intent its texts teach; by default the entry's own name. */
    intent: z.string().optional(),
    /** How many texts it makes, when not `perIntent`. */
    count: z.number().int().min(1).max(500).optional(),
    /** The frame list its texts are put in (default "problem"). */
    frames: z.string().default('problem'),
    /** The act lists that fit it: what goes wrong ("froze"), or what the person wants to do ("set up"). */
    acts: z.array(z.string()).min(1),
    things: z.array(phrase).min(1).optional(),
    /** Borrow the things of other intents (a how-to question is about the things incidents name). */
    thingsOf: z.array(z.string()).min(1).optional(),
  })
  .refine((i) => i.things !== undefined || i.thingsOf !== undefined, {
    message: 'give "things" or "thingsOf"',
  });

const compositionsSchema = z
  .object({
    about: z.string().optional(),
    perIntent: z.number().int().min(1).max(500),
    seed: z.number().int(),
    frames: z.record(
      z.string(),
      z
        .array(
          phrase.refine((f) => f.includes('{thing}') && f.includes('{act}'), {
            message: 'a frame must contain {thing} and {act}',
          }),
        )
        .min(1),
    ),
    /** Put before every thing, drawn alike for every intent, so that "the" or "my" tells nothing. */
    determiners: z.array(z.string()).min(1).default(['']),
    acts: z.record(z.string(), z.array(phrase).min(1)),
    intents: z.record(z.string(), intentSpec),
  })
  .superRefine((c, ctx) => {
    const missing = (path: Array<string | number>, message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    for (const [intent, spec] of Object.entries(c.intents)) {
      if (c.frames[spec.frames] === undefined)
        missing(['intents', intent, 'frames'], `frame list "${spec.frames}" is not defined under "frames"`);
      for (const a of spec.acts)
        if (c.acts[a] === undefined)
          missing(['intents', intent, 'acts'], `act list "${a}" is not defined under "acts"`);
      for (const other of spec.thingsOf ?? [])
        if (c.intents[other]?.things === undefined)
          missing(['intents', intent, 'thingsOf'], `"${other}" is not an entry here with its own "things"`);
    }
  });
export type Compositions = z.infer<typeof compositionsSchema>;

/** `perIntent` distinct texts per entry, the same ones on every run (seeded). */
export function composeExamples(c: Compositions): LabeledText[] {
  const rand = mulberry32(c.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const out: LabeledText[] = [];
  for (const entry of Object.keys(c.intents).sort()) {
    const spec = c.intents[entry] as Compositions['intents'][string];
    const intent = spec.intent ?? entry;
    const frames = c.frames[spec.frames] ?? [];
    const acts = spec.acts.flatMap((a) => c.acts[a] ?? []);
    const things = [
      ...(spec.things ?? []),
      ...(spec.thingsOf ?? []).flatMap((o) => c.intents[o]?.things ?? []),
    ];
    const seen = new Set<string>();
    // Bounded, so a small lexicon ends with fewer texts rather than spinning.
    const count = spec.count ?? c.perIntent;
    for (let tries = 0; seen.size < count && tries < count * 20; tries++) {
      const thing = pick(c.determiners) + pick(things);
      const text = pick(frames).replace('{thing}', thing).replace('{act}', pick(acts));
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
