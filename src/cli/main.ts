/**
 * The `chatdesk` command. Each subcommand validates its own arguments; errors are one clear line
 * on stderr and a non-zero exit code.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createApp } from '../app.js';
import { loadConfig } from '../config.js';
import { isAppError } from '../errors.js';
import { createLogger } from '../log.js';

const USAGE = `Usage: chatdesk <command> [options]

Commands:
  serve                      migrate, seed an empty database, serve HTTP (Slack, Teams, REST, web chat)
  chat --user <email>        talk to the bot from the terminal (stdin lines in, replies out)
  train                      retrain the NLU models in MODELS_DIR from DATA_DIR
  eval --train F --test F    train on JSONL {"text","label"} and print metrics as JSON (see README)
  distill                    build the static (Model2Vec-style) encoder + ONNX export in MODELS_DIR
  models pull <hub-id>       download a transformers.js model from the Hugging Face hub into models/<hub-id>/
  models list                what models/ holds: ids, sizes, data hash or source
  assets import <csv>        import or update CMDB assets (also: assets list, assets show <tag>)
  people import <csv>        import or update people (also: people set-role <email> <role>)
  migrate                    bring the database schema up to date and exit
  report [--since 30d] [--group X] [--format table|json|csv] [--csi]
                             KPI report (MTTA, MTTR, SLA, FCR, CSAT, deflection…); --csi records missed targets
  import servicenow-log <dir>
                             load the UCI ServiceNow incident event log (events.csv, incidents.csv)
  config [--markdown]        print the effective configuration (secrets hidden) or the README table
  help                       this text

Configuration comes from environment variables; see README.md.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve': {
        const { serve } = await import('../main.js');
        return await serve(loadConfig());
      }
      case 'chat':
        return await chat(rest);
      case 'train': {
        const { run } = await import('./commands/train.js');
        return await run(rest);
      }
      case 'eval': {
        const { run } = await import('./commands/eval.js');
        return await run(rest);
      }
      case 'distill': {
        const { run } = await import('./commands/distill.js');
        return await run(rest);
      }
      case 'models': {
        const { run } = await import('./commands/models.js');
        return await run(rest);
      }
      case 'assets': {
        const { run } = await import('./commands/assets.js');
        return await run(rest);
      }
      case 'people': {
        const { run } = await import('./commands/people.js');
        return await run(rest);
      }
      case 'report': {
        const { run } = await import('./commands/report.js');
        return await run(rest);
      }
      case 'import': {
        const { run } = await import('./commands/import.js');
        return await run(rest);
      }
      case 'migrate': {
        const config = loadConfig();
        const app = await createApp(config, { serve: false, log: createLogger({ level: config.LOG_LEVEL }) });
        await app.close();
        process.stdout.write('database is up to date\n');
        return 0;
      }
      case 'config':
        return await configCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 1 : 0;
      default:
        process.stderr.write(`chatdesk: unknown command "${command}".\n\n${USAGE}\n`);
        return 2;
    }
  } catch (e) {
    process.stderr.write(
      `chatdesk ${command}: ${isAppError(e) ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    return 1;
  }
}

const chatArgs = z.object({
  user: z.email('--user must be an email address, e.g. --user alice@example.com'),
});

async function chat(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { user: { type: 'string', short: 'u' } },
    strict: true,
  });
  const parsed = chatArgs.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`chatdesk chat: ${parsed.error.issues[0]?.message ?? 'bad arguments'}\n`);
    return 2;
  }
  const config = loadConfig();
  // The terminal is for the conversation; logs go to stderr, and only warnings by default.
  const log = createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
  const { createConsolePort, runConsoleChat } = await import('../adapters/local/console.js');
  const choices: { current: import('../chat/message.js').Choice[] } = { current: [] };
  const port = createConsolePort(process.stdout, (c) => {
    if (c.length > 0) choices.current = c;
  });
  const app = await createApp(config, {
    serve: false,
    log,
    adapters: [{ port, mount: () => undefined, start: async () => undefined, stop: async () => undefined }],
  });
  try {
    const person = await app.directory.personByEmail(parsed.data.user);
    if (!person) {
      process.stderr.write(
        `chatdesk chat: no person with email ${parsed.data.user} in the directory. Demo users: alice@example.com, bob@example.com (see data/seed/people.json).\n`,
      );
      return 2;
    }
    const interactive = Boolean(process.stdin.isTTY);
    if (interactive)
      process.stdout.write(`Connected as ${person.displayName}. Type a message; /quit to leave.\n`);
    await runConsoleChat(
      app,
      { email: parsed.data.user, input: process.stdin, output: process.stdout, prompt: interactive },
      choices,
    );
    return 0;
  } finally {
    await app.close();
  }
}

async function configCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { markdown: { type: 'boolean' } }, strict: true });
  const { configTableMarkdown, secretsOf } = await import('../config.js');
  if (values.markdown) {
    process.stdout.write(`${configTableMarkdown()}\n`);
    return 0;
  }
  const config = loadConfig();
  let text = JSON.stringify(config, null, 2);
  for (const s of secretsOf(config)) text = text.split(s).join('***');
  process.stdout.write(`${text}\n`);
  return 0;
}
