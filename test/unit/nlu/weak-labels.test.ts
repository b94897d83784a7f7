import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  agreeingLabel,
  loadWeakLabelConfig,
  readWeakCandidates,
  sha1Split,
  type WeakCandidate,
} from '../../../src/nlu/data/weak-labels.js';

const root = await mkdtemp(join(tmpdir(), 'chatdesk-weak-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const TICKETS = join(
  import.meta.dirname,
  '../../../../shared/datasets/it_service_tickets/it_service_tickets.jsonl',
);
const DATA = join(import.meta.dirname, '../../../data');

describe('weak labels', () => {
  it.skipIf(!existsSync(TICKETS))("recomputes the shared datasets' sha1 split row by row", () => {
    const rows = readFileSync(TICKETS, 'utf8')
      .split('\n')
      .slice(0, 500)
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { text: string; split: string });
    for (const r of rows) expect(sha1Split(r.text)).toBe(r.split);
  });

  it('reads one split, maps labels to candidates, caps per label and rejects unknown intents', async () => {
    const dir = join(root, 'sets');
    await mkdir(join(dir, 'x'), { recursive: true });
    const rows = [
      { text: 'hello there', label: 'greet', split: 'train' },
      { text: 'hi', label: 'greet', split: 'train' },
      { text: 'hey you', label: 'greet', split: 'test' },
      { text: 'printer broken', label: 'open_incident', split: 'train' },
      { text: 'what is love', label: 'chitchat', split: 'train' },
      { text: 'a'.repeat(300), label: 'greet', split: 'train' },
    ];
    await writeFile(join(dir, 'x', 'set.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
    const source = {
      name: 'x',
      file: 'x/set.jsonl',
      labelField: 'label',
      agreeTopK: 2,
      maxChars: 100,
      perLabel: 1,
      map: { greet: ['greeting'], open_incident: ['incident_printer', 'incident_other'] },
    };
    const known = new Set(['greeting', 'incident_printer', 'incident_other']);
    const train = await readWeakCandidates(dir, [source], 'train', known);
    // One greeting (cap), one incident, no unmapped label, nothing over maxChars, no test row.
    expect(train.map((c) => c.candidates[0]).sort()).toEqual(['greeting', 'incident_printer']);
    expect(train.every((c) => c.text !== 'hey you' && c.text.length <= 100)).toBe(true);
    const test = await readWeakCandidates(dir, [source], 'test', known);
    expect(test.map((c) => c.text)).toEqual(['hey you']);
    await expect(
      readWeakCandidates(dir, [{ ...source, map: { greet: ['nope'] } }], 'train', known),
    ).rejects.toMatchObject({ code: 'data_invalid' });
  });

  it('keeps a text only when the model ranks one of its candidates high enough', () => {
    const c: WeakCandidate = {
      source: 's',
      text: 't',
      candidates: ['incident_printer', 'incident_other'],
      agreeTopK: 2,
    };
    expect(agreeingLabel(c, ['incident_other', 'incident_printer', 'thanks'], false)).toBe('incident_other');
    expect(agreeingLabel(c, ['out_of_scope', 'thanks', 'incident_printer'], true)).toBe('incident_printer');
    expect(agreeingLabel({ ...c, agreeTopK: 1 }, ['thanks', 'incident_printer'], false)).toBeNull();
    const oos: WeakCandidate = { ...c, candidates: ['out_of_scope'] };
    expect(agreeingLabel(oos, ['thanks'], true)).toBe('out_of_scope');
    expect(agreeingLabel(oos, ['thanks'], false)).toBeNull();
  });

  it('the shipped mapping parses and names only intents that exist in data/intents', async () => {
    const cfg = await loadWeakLabelConfig(DATA);
    const intents = new Set(
      (await import('node:fs')).readdirSync(join(DATA, 'intents')).map((f) => f.replace(/\.json$/, '')),
    );
    expect(cfg.sources.length).toBeGreaterThanOrEqual(4);
    for (const s of cfg.sources)
      for (const list of Object.values(s.map)) for (const i of list) expect(intents).toContain(i);
  });
});
