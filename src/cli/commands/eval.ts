/**
 * `chatdesk eval --train <jsonl> --test <jsonl> [--val <jsonl>] [--oos-label oos] [--json]`:
 * trains the production intent classifier on `{"text","label"}` lines and measures it.
 * A file may be written `path#name` to use only its rows whose "split" field is `name`
 * (e.g. CLINC150's single file: `--train clinc150_full.jsonl#train`).
 */

import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { readJsonl } from '../../nlu/data/read-files.js';
import { CachedEmbedder } from '../../nlu/embeddings/embedding-cache.js';
import { selectEmbedder } from '../../nlu/embeddings/select-embedder.js';
import { evaluateIntents } from '../../nlu/evaluate-intents.js';
import type { LabeledText } from '../../nlu/intents/train-intents.js';
import { failureLine, parseCommandArgs } from '../args.js';

export const USAGE = `usage: chatdesk eval --train <jsonl> --test <jsonl> [--val <jsonl>] [--oos-label oos] [--json]
                     [--embeddings use|transformers|static|none] [--models-dir models] [--no-cache]
  Files hold {"text","label"} lines; "path#name" keeps only rows whose "split" field is name.`;

const argsSchema = z.object({
  train: z.string().min(1, '--train <jsonl> is required'),
  test: z.string().min(1, '--test <jsonl> is required'),
  val: z.string().min(1).optional(),
  'oos-label': z.string().min(1).default('oos'),
  json: z.boolean().default(false),
  embeddings: z.enum(['use', 'transformers', 'static', 'none']).default('use'),
  'models-dir': z.string().min(1).default('models'),
  'no-cache': z.boolean().default(false),
  help: z.boolean().default(false),
});

const rowSchema = z.looseObject({
  text: z.string().min(1, 'text must not be empty'),
  label: z.string().min(1, 'label must not be empty'),
  split: z.string().optional(),
});

async function readLabeledFile(spec: string): Promise<LabeledText[]> {
  const hash = spec.lastIndexOf('#');
  const [file, split] = hash > 0 ? [spec.slice(0, hash), spec.slice(hash + 1)] : [spec, undefined];
  const rows = await readJsonl(file, rowSchema);
  const kept = split === undefined ? rows : rows.filter((r) => r.split === split);
  if (kept.length === 0) {
    throw new AppError(
      'validation_failed',
      `${spec} has no rows${split === undefined ? '' : ` with split "${split}"`}.`,
      { field: 'file' },
    );
  }
  return kept.map((r) => ({ text: r.text, label: r.label }));
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    name: 'eval',
    usage: USAGE,
    argv,
    options: {
      train: { type: 'string' },
      test: { type: 'string' },
      val: { type: 'string' },
      'oos-label': { type: 'string' },
      json: { type: 'boolean' },
      embeddings: { type: 'string' },
      'models-dir': { type: 'string' },
      'no-cache': { type: 'boolean' },
    },
    schema: argsSchema,
    defaults: { train: '', test: '' },
  });
  if (!parsed.ok) return parsed.exitCode;
  const args = parsed.args;
  try {
    const [train, test, val] = await Promise.all([
      readLabeledFile(args.train),
      readLabeledFile(args.test),
      args.val === undefined ? Promise.resolve(undefined) : readLabeledFile(args.val),
    ]);
    const warn = (level: string, msg: string) => process.stderr.write(`${level}: ${msg}\n`);
    const base = await selectEmbedder(args.embeddings, args['models-dir'], warn);
    let embedder = base;
    let cache: CachedEmbedder | null = null;
    const cacheFile =
      base === null ? '' : join('.cache', 'nlu', `${base.id.replace(/[^a-z0-9.-]+/gi, '_')}.bin`);
    if (base !== null && !args['no-cache']) {
      cache = new CachedEmbedder(base);
      await cache.load(cacheFile);
      embedder = cache;
    }
    const result = await evaluateIntents(train, test, val, args['oos-label'], {
      embedder,
      latencyEmbedder: base,
    });
    if (cache !== null) await cache.save(cacheFile);
    if (args.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      const rows: Array<[string, string]> = [
        ['accuracy', result.accuracy.toFixed(4)],
        ['in-scope accuracy', result.in_scope_accuracy.toFixed(4)],
        ['in-scope accuracy (argmax, no OOS rule)', result.in_scope_accuracy_argmax.toFixed(4)],
        ['OOS recall', result.oos_recall.toFixed(4)],
        ['OOS precision', result.oos_precision.toFixed(4)],
        ['macro F1', result.macro_f1.toFixed(4)],
        ['ECE (in-scope)', result.ece.toFixed(4)],
        ['train / test texts', `${result.n_train} / ${result.n_test}`],
        ['train time', `${result.train_ms} ms`],
        ['latency p50 / p99', `${result.latency_p50_ms} / ${result.latency_p99_ms} ms`],
        ['calibrated on', `${result.held_out.source} (T=${result.held_out.temperature.toFixed(3)})`],
      ];
      for (const [k, v] of rows) process.stdout.write(`${k.padEnd(42)}${v}\n`);
    }
    return 0;
  } catch (e) {
    process.stderr.write(`${failureLine('eval', e)}\n`);
    return 1;
  }
}
