/**
 * Argument parsing shared by the CLI commands: `node:util` parseArgs for the shape, zod for the
 * values, `--help` prints the usage, and any mistake is one line on stderr that says what to do
 * (exit 2). `failureLine` is the one place that turns an error into that line.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { z } from 'zod';
import { formatIssues, isAppError } from '../errors.js';

type CommandArgs<T> = { ok: true; args: T; positionals: string[] } | { ok: false; exitCode: number };

/** True when `--help` or `-h` comes before a `--` terminator: the command must only print its usage. */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** Where every error message of a command points for the rest. */
export const seeHelp = (name: string): string => `Run "chatdesk ${name} --help" for the usage.`;

/**
 * One line for an error a command met: the AppError's message (it says what to do), a readable
 * argument mistake, or, for anything unexpected, its message without the stack (LOG_LEVEL=debug
 * shows the stack).
 */
export function failureLine(name: string, e: unknown): string {
  if (isAppError(e)) return `chatdesk ${name}: ${e.message}`;
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
    // Node appends advice about `--` that does not apply to our commands; keep the first sentence.
    const first = message.split(/\.\s/)[0]?.replace(/\.$/, '') ?? message;
    return `chatdesk ${name}: ${first}. ${seeHelp(name)}`;
  }
  const stack =
    process.env.LOG_LEVEL === 'debug' && e instanceof Error && e.stack
      ? `\n${e.stack}`
      : ' (LOG_LEVEL=debug shows the stack trace)';
  return `chatdesk ${name}: ${message}${stack}`;
}

export function parseCommandArgs<S extends z.ZodType>(o: {
  name: string;
  usage: string;
  argv: string[];
  options: NonNullable<ParseArgsConfig['options']>;
  schema: S;
  /** Values parsed under the flags, e.g. placeholders so that zod names a missing required flag. */
  defaults?: Record<string, unknown>;
  allowPositionals?: boolean;
}): CommandArgs<z.output<S>> {
  try {
    const { values, positionals } = parseArgs({
      args: o.argv,
      options: { ...o.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: o.allowPositionals ?? false,
    });
    const { help, ...rest } = values;
    if (help === true) {
      process.stdout.write(`${o.usage}\n`);
      return { ok: false, exitCode: 0 };
    }
    const parsed = o.schema.safeParse({ ...o.defaults, ...rest });
    if (!parsed.success) {
      process.stderr.write(`chatdesk ${o.name}: ${formatIssues(parsed.error.issues)}. ${seeHelp(o.name)}\n`);
      return { ok: false, exitCode: 2 };
    }
    return { ok: true, args: parsed.data, positionals };
  } catch (e) {
    process.stderr.write(`${failureLine(o.name, e)}\n`);
    return { ok: false, exitCode: 2 };
  }
}
