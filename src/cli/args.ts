/**
 * Argument parsing shared by the CLI commands: `node:util` parseArgs for the shape, zod for the
 * values, `--help` prints the usage, and any mistake is one line on stderr plus the usage (exit 2).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { z } from 'zod';
import { formatIssues } from '../errors.js';

export type CommandArgs<T> = { ok: true; args: T; positionals: string[] } | { ok: false; exitCode: number };

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
    if (!parsed.success) throw new Error(formatIssues(parsed.error.issues));
    return { ok: true, args: parsed.data, positionals };
  } catch (e) {
    process.stderr.write(`chatdesk ${o.name}: ${(e as Error).message}\n${o.usage}\n`);
    return { ok: false, exitCode: 2 };
  }
}
