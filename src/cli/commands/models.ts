/**
 * `chatdesk models pull <id> [--hub-url URL] [--revision main] [--quantized] [--force]`: fetches a
 * hub model's transformers.js files into models/<id>/ (where the internet or a mirror is reachable).
 * `chatdesk models list [--json]`: what models/ holds, with sizes and where each came from.
 */
import { z } from 'zod';
import {
  DEFAULT_HUB_URL,
  hubModelIdSchema,
  hubRevisionSchema,
  hubUrlSchema,
  pullHubModel,
} from '../../nlu/hub/hub-pull.js';
import { listModels } from '../../nlu/hub/model-inventory.js';
import { failureLine, parseCommandArgs, seeHelp } from '../args.js';

export const USAGE = `usage: chatdesk models pull <hub-id> [--models-dir models] [--hub-url ${DEFAULT_HUB_URL}] [--revision main] [--quantized] [--force]
       chatdesk models list [--models-dir models] [--json]

pull downloads config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx
(onnx/model_quantized.onnx with --quantized) into models/<hub-id>/; CHATDESK_HUB_URL sets the
default hub or mirror.`;

const pullSchema = z.object({
  id: z
    .string({ error: 'missing the hub model id, e.g. chatdesk models pull Xenova/all-MiniLM-L6-v2' })
    .pipe(hubModelIdSchema),
  'models-dir': z.string().min(1).default('models'),
  'hub-url': hubUrlSchema,
  revision: hubRevisionSchema.default('main'),
  quantized: z.boolean().default(false),
  force: z.boolean().default(false),
});

const listSchema = z.object({
  'models-dir': z.string().min(1).default('models'),
  json: z.boolean().default(false),
});

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'pull') return pull(rest);
  if (sub === 'list') return list(rest);
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  process.stderr.write(
    `chatdesk models: ${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`} (pull or list). ${seeHelp('models')}\n`,
  );
  return 2;
}

async function pull(argv: string[]): Promise<number> {
  // The id comes first (`pull <hub-id> --flags`); a leading flag means it is missing.
  const first = argv[0];
  const id = first === undefined || first.startsWith('-') ? undefined : first;
  const flags = id === undefined ? argv : argv.slice(1);
  const envHub = process.env.CHATDESK_HUB_URL;
  const hubFlag = flags.some((f) => f === '--hub-url' || f.startsWith('--hub-url='));
  if (envHub && !hubFlag && !hubUrlSchema.safeParse(envHub).success) {
    process.stderr.write(
      `chatdesk models pull: CHATDESK_HUB_URL="${envHub}" must be an http(s) URL, e.g. ${DEFAULT_HUB_URL}\n`,
    );
    return 2;
  }
  const parsed = parseCommandArgs({
    name: 'models pull',
    usage: USAGE,
    argv: flags,
    options: {
      'models-dir': { type: 'string' },
      'hub-url': { type: 'string' },
      revision: { type: 'string' },
      quantized: { type: 'boolean' },
      force: { type: 'boolean' },
    },
    schema: pullSchema,
    // The env variable is the default under the flag; zod validates whichever one is used.
    defaults: { id, 'hub-url': envHub || DEFAULT_HUB_URL },
  });
  if (!parsed.ok) return parsed.exitCode;
  const args = parsed.args;
  try {
    const t0 = performance.now();
    const { dir, manifest } = await pullHubModel({
      id: args.id,
      modelsDir: args['models-dir'],
      hubUrl: args['hub-url'],
      revision: args.revision,
      quantized: args.quantized,
      force: args.force,
      onFile: (f) => process.stdout.write(`  ${f.path}  ${megabytes(f.bytes)}\n`),
    });
    const total = manifest.files.reduce((s, f) => s + f.bytes, 0);
    process.stdout.write(
      `pulled ${args.id}@${args.revision} from ${args['hub-url']} into ${dir} (${megabytes(total)}, ${Math.round(performance.now() - t0)} ms)\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(`${failureLine('models pull', e)}\n`);
    return 1;
  }
}

async function list(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    name: 'models list',
    usage: USAGE,
    argv,
    options: { 'models-dir': { type: 'string' }, json: { type: 'boolean' } },
    schema: listSchema,
  });
  if (!parsed.ok) return parsed.exitCode;
  const models = await listModels(parsed.args['models-dir']);
  if (parsed.args.json) {
    process.stdout.write(`${JSON.stringify(models)}\n`);
    return 0;
  }
  if (models.length === 0) {
    process.stdout.write(
      `${parsed.args['models-dir']} holds no models; run "chatdesk train", "chatdesk distill" or "chatdesk models pull <id>".\n`,
    );
    return 0;
  }
  const rows = [
    ['id', 'kind', 'size', 'onnx', 'data hash / provider'],
    ...models.map((m) => [m.id, m.kind, megabytes(m.bytes), m.onnx ?? '-', m.provenance]),
  ];
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows)
    process.stdout.write(
      `${r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}\n`,
    );
  return 0;
}

const megabytes = (bytes: number): string =>
  bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
