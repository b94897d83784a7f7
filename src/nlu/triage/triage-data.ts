/**
 * Loader of the triage inputs: seed tickets, agents' re-categorisations and impact/urgency cues.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile, readJsonlIfExists } from '../data/read-files.js';
import { type CueFile, cueFileSchema, DEFAULT_CUES } from './priority-cues.js';
import { type TriageTicket, triageTicketSchema } from './triage-model.js';

export async function loadTriageTickets(dataDir: string): Promise<TriageTicket[]> {
  const seed = await readJsonlIfExists(join(dataDir, 'triage', 'tickets.jsonl'), triageTicketSchema);
  // Corrections win over seed tickets with the same text.
  const corrections = await readJsonlIfExists(
    join(dataDir, 'corrections', 'triage.jsonl'),
    triageTicketSchema,
  );
  const byText = new Map<string, TriageTicket>();
  for (const t of [...seed, ...corrections]) byText.set(t.text, t);
  return [...byText.values()];
}

export async function loadCues(dataDir: string): Promise<CueFile> {
  const file = join(dataDir, 'triage', 'cues.json');
  try {
    await readFile(file);
  } catch {
    return DEFAULT_CUES;
  }
  return readJsonFile(file, cueFileSchema);
}
