/**
 * A fingerprint of every input the NLU is trained from, so models/ is reused only while it matches.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { listFiles } from './read-files.js';

/** Bumped whenever training code changes what a model means, so old artefacts are retrained. */
const NLU_TRAINING_VERSION = 2;

async function nluInputFiles(dataDir: string): Promise<string[]> {
  const lists = await Promise.all([
    listFiles(join(dataDir, 'intents'), '.json'),
    listFiles(join(dataDir, 'knowledge'), '.md'),
    listFiles(join(dataDir, 'triage'), '.jsonl'),
    listFiles(join(dataDir, 'triage'), '.json'),
    listFiles(join(dataDir, 'corrections'), '.jsonl'),
  ]);
  const compositions = join(dataDir, 'compositions.json');
  return [...lists.flat(), ...(existsSync(compositions) ? [compositions] : [])].sort();
}

export async function nluDataHash(dataDir: string, embedderId: string | null): Promise<string> {
  const h = createHash('sha256');
  h.update(`v${NLU_TRAINING_VERSION}\0${embedderId ?? 'none'}\0`);
  for (const file of await nluInputFiles(dataDir)) {
    h.update(relative(dataDir, file).split('\\').join('/'));
    h.update('\0');
    h.update(await readFile(file));
    h.update('\0');
  }
  return h.digest('hex');
}
