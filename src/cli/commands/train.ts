/**
 * `chatdesk train [--data-dir data] [--models-dir models] [--embeddings use|transformers|static|none]`:
 * retrains intents, triage and knowledge calibration from data/ (including agents' corrections in
 * data/corrections/) and writes models/.
 */

import { existsSync } from 'node:fs';
import { z } from 'zod';
import { loadNlu } from '../../nlu/index.js';
import { failureLine, parseCommandArgs } from '../args.js';

export const USAGE = `usage: chatdesk train [--data-dir data] [--models-dir models] [--embeddings use|transformers|static|none]
                      [--datasets <dir>] [--json]
  --datasets <dir>   also learn from weak labels of the public sets there (data/weak-labels.json maps
                     them; npm run train passes ../shared/datasets); skipped with a warning if absent`;

const argsSchema = z.object({
  'data-dir': z.string().min(1).default('data'),
  'models-dir': z.string().min(1).default('models'),
  embeddings: z.enum(['use', 'transformers', 'static', 'none']).optional(),
  datasets: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    name: 'train',
    usage: USAGE,
    argv,
    options: {
      'data-dir': { type: 'string' },
      'models-dir': { type: 'string' },
      embeddings: { type: 'string' },
      datasets: { type: 'string' },
      json: { type: 'boolean' },
    },
    schema: argsSchema,
  });
  if (!parsed.ok) return parsed.exitCode;
  const args = parsed.args;
  try {
    let datasetsDir = args.datasets;
    if (datasetsDir !== undefined && !existsSync(datasetsDir)) {
      process.stderr.write(`warn: ${datasetsDir} does not exist; training on data/ alone\n`);
      datasetsDir = undefined;
    }
    const nlu = await loadNlu({
      ...(datasetsDir === undefined ? {} : { datasetsDir }),
      dataDir: args['data-dir'],
      modelsDir: args['models-dir'],
      ...(args.embeddings === undefined ? {} : { embeddings: args.embeddings }),
      forceTrain: true,
      save: true,
      log: (level, msg) => {
        if (level !== 'info') process.stderr.write(`${level}: ${msg}\n`);
      },
    });
    const r = nlu.info.report;
    const summary = {
      saved_to: nlu.info.savedTo,
      embedder: nlu.info.embedderId,
      intents: r.intents.intents,
      examples: r.intents.examples,
      cv_accuracy: r.intents.heldOutAccuracy,
      cv_ece: r.intents.heldOutEce,
      temperature: r.intents.temperature,
      weak_labels: r.weak ?? null,
      composed_examples: r.composed ?? 0,
      triage_tickets: r.triageTickets,
      train_ms: r.trainMs,
      total_ms: nlu.info.loadMs,
    };
    if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      process.stdout.write(
        `trained ${summary.intents} intents from ${summary.examples} examples (${summary.embedder ?? 'no embeddings'}): ` +
          `cross-validated accuracy ${(summary.cv_accuracy * 100).toFixed(1)} %, ECE ${summary.cv_ece.toFixed(3)}; ` +
          `triage from ${summary.triage_tickets} tickets; ${summary.train_ms} ms; written to ${summary.saved_to}\n`,
      );
    }
    return 0;
  } catch (e) {
    process.stderr.write(`${failureLine('train', e)}\n`);
    return 1;
  }
}
