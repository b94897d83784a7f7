/**
 * The `chatdesk` command. Commands are listed in ./registry.ts; `--help` is answered here for all of
 * them before anything runs, and every failure is one line on stderr with a non-zero exit code.
 */
import { failureLine, wantsHelp } from './args.js';
import { COMMANDS, commandNamed, topLevelUsage } from './registry.js';

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(`${topLevelUsage()}\n`);
    return 2;
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    const topic = rest[0];
    if (topic === undefined) {
      process.stdout.write(`${topLevelUsage()}\n`);
      return 0;
    }
    return printUsage(topic);
  }
  const entry = commandNamed(command);
  if (!entry) {
    process.stderr.write(
      `chatdesk: unknown command "${command}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}. Run "chatdesk help" for the usage.\n`,
    );
    return 2;
  }
  try {
    const mod = await entry.load();
    if (wantsHelp(rest)) {
      process.stdout.write(`${mod.USAGE}\n`);
      return 0;
    }
    return await mod.run(rest);
  } catch (e) {
    process.stderr.write(`${failureLine(command, e)}\n`);
    const code = (e as { code?: unknown } | null)?.code;
    return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_') ? 2 : 1;
  }
}

async function printUsage(name: string): Promise<number> {
  const entry = commandNamed(name);
  if (!entry) {
    process.stderr.write(`chatdesk help: unknown command "${name}". Run "chatdesk help" for the list.\n`);
    return 2;
  }
  process.stdout.write(`${(await entry.load()).USAGE}\n`);
  return 0;
}
