/**
 * Reading an authored JSON file from `data/` through a zod schema. A bad file must tell the admin
 * which file and which field, so every failure becomes AppError('data_invalid', "<file>: <path>: <problem>").
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { AppError, formatIssues } from '../errors.js';

/** Validates already-parsed JSON; `source` names the file (or other origin) in the error message. */
export function parseDataWith<S extends z.ZodType>(schema: S, json: unknown, source: string): z.output<S> {
  const result = schema.safeParse(json);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new AppError('data_invalid', `${source}: ${formatIssues(result.error.issues)}`, {
      ...(first && first.path.length > 0 ? { field: first.path.map(String).join('.') } : {}),
      details: { file: source },
    });
  }
  return result.data;
}

/** Reads and validates one JSON file. Missing file, bad JSON and schema errors all name the file. */
export async function loadDataFile<S extends z.ZodType>(schema: S, file: string): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new AppError(
      'data_invalid',
      `${file}: cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`,
      {
        details: { file },
        cause,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AppError('data_invalid', `${file}: not valid JSON (${(cause as Error).message})`, {
      details: { file },
      cause,
    });
  }
  return parseDataWith(schema, json, file);
}
