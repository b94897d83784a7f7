/**
 * File reading with errors that name the file and the line or field, for every authored input.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { AppError, formatIssues } from '../../errors.js';

export async function listFiles(dir: string, ext: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new AppError('data_invalid', `Cannot read the directory ${dir}.`, { cause });
  }
  return names
    .filter((n) => n.endsWith(ext) && !n.startsWith('.'))
    .sort()
    .map((n) => join(dir, n));
}

export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new AppError('data_invalid', `Cannot read ${file}: ${(cause as Error).message}`, {
      cause,
      details: { file },
    });
  }
}

export async function readJsonFile<T>(file: string, schema: z.ZodType<T>): Promise<T> {
  const text = await readText(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new AppError('data_invalid', `${file} is not valid JSON: ${(cause as Error).message}`, {
      cause,
      details: { file },
    });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new AppError('data_invalid', `${file}: ${formatIssues(parsed.error.issues)}`, {
      field: first?.path.map(String).join('.') ?? undefined,
      details: { file },
    });
  }
  return parsed.data;
}

/** Parses JSON Lines; blank lines are skipped, a bad line is reported with its 1-based number. */
export async function readJsonl<T>(file: string, schema: z.ZodType<T>): Promise<T[]> {
  return parseJsonl(await readText(file), file, schema);
}

export function parseJsonl<T>(text: string, file: string, schema: z.ZodType<T>): T[] {
  const out: T[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (cause) {
      throw new AppError(
        'data_invalid',
        `${file} line ${i + 1} is not valid JSON: ${(cause as Error).message}`,
        {
          cause,
          details: { file, line: i + 1 },
        },
      );
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new AppError('data_invalid', `${file} line ${i + 1}: ${formatIssues(parsed.error.issues)}`, {
        field: first?.path.map(String).join('.') ?? undefined,
        details: { file, line: i + 1 },
      });
    }
    out.push(parsed.data);
  });
  return out;
}

/** Like readJsonl, but a missing file is an empty list (optional inputs such as corrections). */
export async function readJsonlIfExists<T>(file: string, schema: z.ZodType<T>): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new AppError('data_invalid', `Cannot read ${file}: ${(cause as Error).message}`, {
      cause,
      details: { file },
    });
  }
  return parseJsonl(text, file, schema);
}
