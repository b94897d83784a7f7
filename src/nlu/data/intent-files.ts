/**
 * Loader of `data/intents/<intent>.json` files and of agents' intent corrections.
 */
import { basename, join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { LabeledText } from '../intents/train-intents.js';
import { normalizeText } from '../text/normalize.js';
import { ACTIONS, type IntentAction } from '../types.js';
import { listFiles, readJsonFile, readJsonlIfExists } from './read-files.js';

const intentFileSchema = z.object({
  intent: z
    .string()
    .trim()
    .min(1, 'the intent name must not be empty')
    .regex(/^[a-z][a-z0-9_]*$/, 'use lower_snake_case intent names'),
  /** What kind of thing the intent asks for; the classifier decides it before the intent. */
  action: z
    .enum(ACTIONS.filter((a) => a !== 'other') as [IntentAction, ...IntentAction[]], {
      error: `action must be one of ${ACTIONS.filter((a) => a !== 'other').join(', ')}`,
    })
    .optional(),
  description: z.string().optional(),
  examples: z
    .array(z.string().trim().min(1, 'an example must not be empty'))
    .min(1, 'an intent needs at least one example'),
});
type IntentFile = z.infer<typeof intentFileSchema>;

export const correctionSchema = z.object({
  text: z.string().trim().min(1, 'text must not be empty'),
  intent: z.string().trim().min(1, 'intent must not be empty'),
});

export interface IntentData {
  intents: Array<IntentFile & { file: string }>;
  examples: LabeledText[];
  /** The action each intent file names (intents without one are absent). */
  actions: Map<string, IntentAction>;
  /** Problems worth telling an admin that do not stop training. */
  warnings: string[];
}

/**
 * Reads every intent file; a duplicate intent name or an invalid file is an error naming the file.
 * Corrections (`<dataDir>/corrections/intents.jsonl`, `{"text","intent"}`) override the authored
 * label of the same text and otherwise add examples.
 */
export async function loadIntentData(dataDir: string): Promise<IntentData> {
  const files = await listFiles(join(dataDir, 'intents'), '.json');
  const intents: IntentData['intents'] = [];
  const owner = new Map<string, string>();
  for (const file of files) {
    const f = await readJsonFile(file, intentFileSchema);
    const prev = owner.get(f.intent);
    if (prev !== undefined) {
      throw new AppError(
        'data_invalid',
        `Intent "${f.intent}" is defined twice: in ${prev} and in ${file}. Merge them into one file.`,
        {
          field: 'intent',
          details: { file },
        },
      );
    }
    owner.set(f.intent, file);
    intents.push({ ...f, file });
  }
  const warnings: string[] = [];
  const byText = new Map<string, LabeledText & { file: string }>();
  for (const f of intents) {
    for (const text of f.examples) {
      const key = normalizeText(text);
      const seen = byText.get(key);
      if (seen !== undefined && seen.label !== f.intent) {
        warnings.push(
          `"${text}" is an example of both ${seen.label} (${basename(seen.file)}) and ${f.intent} (${basename(f.file)}); kept as ${seen.label}.`,
        );
        continue;
      }
      if (seen === undefined) byText.set(key, { text, label: f.intent, file: f.file });
    }
  }
  const correctionsFile = join(dataDir, 'corrections', 'intents.jsonl');
  const corrections = await readJsonlIfExists(correctionsFile, correctionSchema);
  for (const c of corrections) {
    if (!owner.has(c.intent)) {
      warnings.push(`Correction "${c.text}" names unknown intent "${c.intent}"; ignored.`);
      continue;
    }
    byText.set(normalizeText(c.text), { text: c.text, label: c.intent, file: correctionsFile });
  }
  const actions = new Map<string, IntentAction>();
  for (const f of intents) if (f.action !== undefined) actions.set(f.intent, f.action);
  return {
    intents,
    examples: [...byText.values()].map(({ text, label }) => ({ text, label })),
    actions,
    warnings,
  };
}
