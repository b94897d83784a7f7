/**
 * Weak labels from the public sets in ../shared/datasets, mapped to our intents by
 * data/weak-labels.json. The texts are read at training time only and never stored: the model
 * keeps weights learned from them, not the texts (see train-intents `extra`).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { readJsonFile, readJsonl } from './read-files.js';

const sourceSchema = z.object({
  name: z.string().min(1),
  file: z.string().min(1),
  /** Field holding the source's label; null maps every row through `map["*"]`. */
  labelField: z.string().nullable().default('label'),
  agreeTopK: z.number().int().min(1).default(1),
  maxChars: z.number().int().positive().optional(),
  /** At most this many rows per source label (deterministic: by hash of the text). */
  perLabel: z.number().int().positive().optional(),
  map: z.record(z.string(), z.array(z.string().min(1)).min(1)),
});
const weakLabelConfigSchema = z.object({
  about: z.string().optional(),
  sources: z.array(sourceSchema),
});
type WeakSource = z.infer<typeof sourceSchema>;

export interface WeakCandidate {
  source: string;
  text: string;
  /** Our intents the source's label may mean, most likely first. */
  candidates: string[];
  agreeTopK: number;
}

const rowSchema = z.looseObject({ text: z.string(), split: z.string().optional() });

/** The datasets' deterministic split (README of ../shared/datasets): sha1 of the text mod 100. */
export function sha1Split(text: string): 'train' | 'val' | 'test' {
  const b = Number(BigInt(`0x${createHash('sha1').update(text, 'utf8').digest('hex')}`) % 100n);
  return b < 70 ? 'train' : b < 80 ? 'val' : 'test';
}

const splitOf = (row: { text: string; split?: string | undefined }): string =>
  row.split === 'train' || row.split === 'val' || row.split === 'test' ? row.split : sha1Split(row.text);

export async function loadWeakLabelConfig(dataDir: string): Promise<z.infer<typeof weakLabelConfigSchema>> {
  return readJsonFile(join(dataDir, 'weak-labels.json'), weakLabelConfigSchema);
}

/** Candidates of one split from every source whose file exists under `datasetsDir`. */
export async function readWeakCandidates(
  datasetsDir: string,
  sources: readonly WeakSource[],
  split: 'train' | 'test',
  knownIntents: ReadonlySet<string>,
): Promise<WeakCandidate[]> {
  const out: WeakCandidate[] = [];
  for (const s of sources) {
    const unknown = Object.values(s.map)
      .flat()
      .find((i) => !knownIntents.has(i));
    if (unknown !== undefined) {
      throw new AppError(
        'data_invalid',
        `data/weak-labels.json: source "${s.name}" maps to unknown intent "${unknown}".`,
        {
          field: 'map',
        },
      );
    }
    const rows = await readJsonl(join(datasetsDir, s.file), rowSchema);
    const byLabel = new Map<string, Array<{ text: string; key: string }>>();
    for (const r of rows) {
      const text = r.text.replace(/\s+/g, ' ').trim();
      if (text.length === 0 || (s.maxChars !== undefined && text.length > s.maxChars)) continue;
      if (splitOf(r) !== split) continue;
      const label = s.labelField === null ? '*' : String(r[s.labelField] ?? '');
      if (s.map[label] === undefined) continue;
      const list = byLabel.get(label) ?? [];
      list.push({ text, key: createHash('sha1').update(text).digest('hex') });
      byLabel.set(label, list);
    }
    for (const [label, list] of byLabel) {
      list.sort((a, b) => a.key.localeCompare(b.key));
      const kept = s.perLabel === undefined ? list : list.slice(0, s.perLabel);
      for (const { text } of kept)
        out.push({ source: s.name, text, candidates: s.map[label] as string[], agreeTopK: s.agreeTopK });
    }
  }
  return out;
}

/**
 * Keeps a candidate when one of its intents is among the model's `agreeTopK` best in-scope intents
 * (or, for out_of_scope, when the model hands the text over); labels it with that intent.
 */
export function agreeingLabel(
  c: WeakCandidate,
  ranked: readonly string[],
  outOfScope: boolean,
): string | null {
  if (c.candidates.includes('out_of_scope')) return outOfScope ? 'out_of_scope' : null;
  const top = ranked.filter((i) => i !== 'out_of_scope').slice(0, c.agreeTopK);
  return top.find((i) => c.candidates.includes(i)) ?? null;
}
