/**
 * The shipped model on our own probes of IT-desk messages (bench/data/probe-it*.jsonl): texts we wrote
 * in the voice of employees typing to a desk bot, never used for training, labelled with our intents.
 * It is scored the way the outside set of issue 17 is: the decided action (out of scope included)
 * and the exact intent, per action class. It is a smoke gauge, not the outside measurement: we wrote
 * both the probe and the training examples, so it overstates what the desk does on strangers' words.
 */
import { z } from 'zod';
import { readJsonl } from '../src/nlu/data/read-files.js';
import type { IntentClassifier } from '../src/nlu/types.js';

export interface ProbeResult {
  readonly n: number;
  readonly action: number;
  readonly intent: number;
  readonly perAction: ReadonlyMap<string, { right: number; n: number }>;
  readonly misses: readonly string[];
}

export async function scoreProbe(intents: IntentClassifier, file: string): Promise<ProbeResult> {
  const actionOf = (intent: string): string => intents.actionOf?.(intent) ?? 'other';
  // A label the model does not know would count as a miss of action "other": refuse it by line.
  const probeRow = z.object({
    text: z.string().min(1),
    label: z
      .string()
      .refine((l) => actionOf(l) !== 'other', { message: 'not an intent of the shipped model' }),
  });
  const rows = await readJsonl(file, probeRow);
  const perAction = new Map<string, { right: number; n: number }>();
  const misses: string[] = [];
  let action = 0;
  let intent = 0;
  for (const row of rows) {
    const p = await intents.classify(row.text);
    const decided = p.intent;
    const want = actionOf(row.label);
    const cell = perAction.get(want) ?? { right: 0, n: 0 };
    cell.n++;
    if (actionOf(decided) === want) {
      action++;
      cell.right++;
    }
    perAction.set(want, cell);
    if (decided === row.label) intent++;
    else misses.push(`${row.label} -> ${decided} (${p.confidence.toFixed(2)}): ${row.text}`);
  }
  return { n: rows.length, action: action / rows.length, intent: intent / rows.length, perAction, misses };
}
