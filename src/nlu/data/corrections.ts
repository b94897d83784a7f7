/**
 * Agents' corrections, appended as JSONL under `<dataDir>/corrections/`, where the next
 * `chatdesk train` (and any start with changed data) picks them up.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { triageTicketSchema } from '../triage/triage-model.js';
import { correctionSchema } from './intent-files.js';

export async function appendIntentCorrection(
  dataDir: string,
  c: { text: string; intent: string },
): Promise<void> {
  const row = correctionSchema.parse(c);
  await mkdir(join(dataDir, 'corrections'), { recursive: true });
  await appendFile(join(dataDir, 'corrections', 'intents.jsonl'), `${JSON.stringify(row)}\n`);
}

export async function appendTriageCorrection(
  dataDir: string,
  c: { text: string; category: string; group: string },
): Promise<void> {
  const row = triageTicketSchema.parse(c);
  await mkdir(join(dataDir, 'corrections'), { recursive: true });
  await appendFile(join(dataDir, 'corrections', 'triage.jsonl'), `${JSON.stringify(row)}\n`);
}
