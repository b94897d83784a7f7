/** The configuration table of docs/configuration.md, generated from the schema so the two cannot drift. */
import type { z } from 'zod';
import { configSchema } from './config.js';

export function configTableMarkdown(): string {
  const rows = Object.entries(configSchema.shape as Record<string, z.ZodType>).map(([key, schema]) => {
    const def = defaultOf(schema);
    return `| \`${key}\` | ${def === undefined ? '' : `\`${def}\``} | ${schema.description ?? ''} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

function defaultOf(schema: z.ZodType): string | undefined {
  const parsed = schema.safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return undefined;
  return Array.isArray(parsed.data) ? parsed.data.join(',') : String(parsed.data);
}
