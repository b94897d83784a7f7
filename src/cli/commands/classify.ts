/**
 * `chatdesk classify`: texts on stdin, one JSON decision per text on stdout, from exactly the NLU
 * the server loads for this configuration (DATA_DIR, MODELS_DIR, NLU_EMBEDDINGS…). It answers
 * "why did the bot do that?" and is how accuracy is measured on sets kept outside the repository.
 */
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { loadConfig } from '../../config.js';
import { formatIssues } from '../../errors.js';
import type { LoadedNlu } from '../../nlu/index.js';
import type { IntentPrediction } from '../../nlu/types.js';
import { failureLine, parseCommandArgs } from '../args.js';

export const USAGE = `usage: chatdesk classify [--explain] [--top <n>] < texts

Reads texts on stdin, one a line, or JSON lines with a "text" field (other fields such as "id" or
"label" are copied to the output). Prints one JSON line per text:
  {"text","intent","action","confidence","outOfScope","alternatives":[{"intent","action","confidence"}]}
Blank lines are skipped; an unreadable JSON line prints {"line":<n>,"error":"..."} and the exit code
is 1 at the end. Uses the model the server would load (DATA_DIR, MODELS_DIR, NLU_EMBEDDINGS).
  --explain     add the terms and nearest training examples behind each decision
  --top <n>     alternatives to print (default 3, at most 10)`;

const argsSchema = z.object({
  explain: z.boolean().default(false),
  top: z.coerce.number().int('--top must be a whole number').min(0).max(10, '--top is at most 10').default(3),
});

const jsonLineSchema = z.looseObject({
  text: z.string({ error: 'a "text" string is required' }).trim().min(1, '"text" must not be empty'),
});

type Input = { text: string; extra: Record<string, unknown> } | { error: string };

/** A line is JSON when it starts with "{"; anything else is the text itself. */
function parseInputLine(line: string): Input | null {
  const trimmed = line.trim();
  if (trimmed.length === 0) return null;
  if (!trimmed.startsWith('{')) return { text: trimmed, extra: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(trimmed);
  } catch {
    return { error: 'not valid JSON (a line starting with "{" must be a JSON object with "text")' };
  }
  const parsed = jsonLineSchema.safeParse(raw);
  if (!parsed.success) return { error: formatIssues(parsed.error.issues) };
  const { text, ...extra } = parsed.data;
  return { text, extra };
}

/** The printed form of one decision; alternatives carry their action so a look-up needs no model. */
function decisionLine(
  p: IntentPrediction,
  actionOf: (intent: string) => string,
  top: number,
  explain: boolean,
): Record<string, unknown> {
  return {
    intent: p.intent,
    action: p.action ?? actionOf(p.intent),
    confidence: Number(p.confidence.toFixed(4)),
    ...(p.actionConfidence === undefined ? {} : { actionConfidence: Number(p.actionConfidence.toFixed(4)) }),
    outOfScope: p.outOfScope,
    alternatives: p.alternatives.slice(0, top).map((a) => ({
      intent: a.intent,
      action: actionOf(a.intent),
      confidence: Number(a.confidence.toFixed(4)),
    })),
    ...(explain ? { explanation: p.explanation } : {}),
  };
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    name: 'classify',
    usage: USAGE,
    argv,
    options: { explain: { type: 'boolean' }, top: { type: 'string' } },
    schema: argsSchema,
  });
  if (!parsed.ok) return parsed.exitCode;
  const { explain, top } = parsed.args;
  let nlu: LoadedNlu;
  try {
    const config = loadConfig();
    // Loaded here, not at the top: `--help` must not load the encoder.
    const { loadNlu, nluOptionsFor } = await import('../../nlu/index.js');
    nlu = await loadNlu(
      nluOptionsFor(config, (level, msg) => {
        // The server trains in memory when models/ is stale; say so, as it would.
        if (level !== 'info' || msg.startsWith('models/')) process.stderr.write(`${level}: ${msg}\n`);
      }),
    );
  } catch (e) {
    process.stderr.write(`${failureLine('classify', e)}\n`);
    return 1;
  }
  const classifier = nlu.intents;
  const actionOf = (intent: string): string =>
    classifier.actionOf?.(intent) ?? (intent === 'out_of_scope' ? 'out_of_scope' : 'other');
  let failed = false;
  let n = 0;
  const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of rl) {
      n++;
      const input = parseInputLine(line);
      if (input === null) continue;
      if ('error' in input) {
        failed = true;
        process.stdout.write(`${JSON.stringify({ line: n, error: input.error })}\n`);
        continue;
      }
      const p = await nlu.intents.classify(input.text);
      const out = { ...input.extra, text: input.text, ...decisionLine(p, actionOf, top, explain) };
      process.stdout.write(`${JSON.stringify(out)}\n`);
    }
  } catch (e) {
    process.stderr.write(`${failureLine('classify', e)}\n`);
    return 1;
  }
  return failed ? 1 : 0;
}
