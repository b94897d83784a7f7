/**
 * Every `chatdesk` command, in the order `chatdesk help` lists them. A command is one entry here and
 * one module in `./commands/` exporting `USAGE` and `run(argv)`. The entry is all the CLI needs to
 * answer `chatdesk <name> --help` (or `chatdesk help <name>`) with the module's USAGE, without
 * running anything: no database opened, no server started. `test/e2e/cli-help.test.ts` checks that
 * for every entry.
 */

interface CommandModule {
  /** Printed on stdout for `--help`; the first line starts with `usage: chatdesk <name>`. */
  USAGE: string;
  /** Runs the command; resolves with the exit code. May throw: main() turns it into one line. */
  run(argv: string[]): Promise<number>;
}

interface CommandEntry {
  name: string;
  /** How the command is called, for `chatdesk help` (e.g. `chat --user <email>`). */
  synopsis: string;
  /** One line (or two) for `chatdesk help`. */
  summary: string;
  load(): Promise<CommandModule>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'serve',
    synopsis: 'serve',
    summary: 'migrate, seed an empty database, serve Slack, Teams, REST, web chat, dashboard',
    load: () => import('./commands/serve.js'),
  },
  {
    name: 'chat',
    synopsis: 'chat --user <email>',
    summary: 'talk to the bot from the terminal (stdin lines in, replies out)',
    load: () => import('./commands/chat.js'),
  },
  {
    name: 'migrate',
    synopsis: 'migrate',
    summary: 'bring the database schema up to date and exit',
    load: () => import('./commands/migrate.js'),
  },
  {
    name: 'backup',
    synopsis: 'backup <file>',
    summary: 'online backup of the SQLite database (safe while the server runs)',
    load: () => import('./commands/backup.js'),
  },
  {
    name: 'config',
    synopsis: 'config [--markdown]',
    summary: 'the effective configuration (secrets hidden), or the README table',
    load: () => import('./commands/config.js'),
  },
  {
    name: 'assets',
    synopsis: 'assets import <csv>',
    summary: 'import or update CMDB assets (also: assets list, assets show <tag>)',
    load: () => import('./commands/assets.js'),
  },
  {
    name: 'people',
    synopsis: 'people import <csv>',
    summary: 'import or update people (also: people set-role <email> <role>)',
    load: () => import('./commands/people.js'),
  },
  {
    name: 'weblogin',
    synopsis: 'weblogin <email>',
    summary: 'a one-time login link to the web chat for one person',
    load: () => import('./commands/weblogin.js'),
  },
  {
    name: 'report',
    synopsis: 'report [--since 30d] [--csi]',
    summary: 'KPI report (MTTA, MTTR, SLA, FCR, CSAT…); --csi records missed targets',
    load: () => import('./commands/report.js'),
  },
  {
    name: 'improvements',
    synopsis: 'improvements list|move|owner',
    summary: 'work the improvement (CSI) register (also: improvements evaluate)',
    load: () => import('./commands/improvements.js'),
  },
  {
    name: 'import',
    synopsis: 'import servicenow-log <dir>',
    summary: 'load the UCI ServiceNow incident event log',
    load: () => import('./commands/import.js'),
  },
  {
    name: 'train',
    synopsis: 'train',
    summary: 'retrain the NLU models in MODELS_DIR from DATA_DIR',
    load: () => import('./commands/train.js'),
  },
  {
    name: 'eval',
    synopsis: 'eval --train F --test F',
    summary: 'train on JSONL {"text","label"} and print metrics',
    load: () => import('./commands/eval.js'),
  },
  {
    name: 'classify',
    synopsis: 'classify < texts',
    summary: 'intent, action, confidence and alternatives of each stdin line, as the server decides',
    load: () => import('./commands/classify.js'),
  },
  {
    name: 'distill',
    synopsis: 'distill',
    summary: 'build the static (Model2Vec-style) encoder and its ONNX export',
    load: () => import('./commands/distill.js'),
  },
  {
    name: 'models',
    synopsis: 'models pull <hub-id> | list',
    summary: 'fetch a transformers.js model into models/, or list models/',
    load: () => import('./commands/models.js'),
  },
];

export const commandNamed = (name: string): CommandEntry | undefined => COMMANDS.find((c) => c.name === name);

export function topLevelUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.synopsis.length)) + 2;
  const lines = COMMANDS.map((c) => `  ${c.synopsis.padEnd(width)}${c.summary}`);
  return [
    'usage: chatdesk <command> [options]',
    '',
    'Commands:',
    ...lines,
    `  ${'help [<command>]'.padEnd(width)}this text, or the usage of one command`,
    '',
    'Every command answers --help. Configuration comes from environment variables:',
    '"chatdesk config" shows them; README.md explains them.',
  ].join('\n');
}
