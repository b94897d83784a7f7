import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadComposedExamples } from '../../../src/nlu/data/compositions.js';
import { nluDataHash } from '../../../src/nlu/data/data-hash.js';
import { loadIntentData } from '../../../src/nlu/data/intent-files.js';
import { loadNlu } from '../../../src/nlu/index.js';

const root = await mkdtemp(join(tmpdir(), 'chatdesk-compositions-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const DATA = join(import.meta.dirname, '../../../data');

const small = {
  perIntent: 5,
  seed: 3,
  frames: { problem: ['{thing} {act}', 'hi, {thing} {act}'], how_to: ['how do i {act} {thing}'] },
  acts: { any: ['froze', 'crashed'], device: ['won\u2019t turn on'], howto: ['fix', 'set up'] },
  intents: {
    incident_software: { acts: ['any'], things: ['excel', 'the crm'] },
    incident_hardware: { acts: ['any', 'device'], things: ['my tablet'] },
    how_to: { frames: 'how_to', acts: ['howto'], thingsOf: ['incident_software', 'incident_hardware'] },
    retired_intent: { acts: ['any'], things: ['the fax'] },
  },
};

async function dataDirWith(name: string, content: unknown): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'compositions.json'), JSON.stringify(content));
  return dir;
}

describe('composed problem reports (data/compositions.json)', () => {
  it('composes distinct texts from a thing, an act and a frame, the same on every run, for known intents only', async () => {
    const dir = await dataDirWith('small', small);
    const known = new Set(['incident_software', 'incident_hardware', 'how_to']);
    const a = await loadComposedExamples(dir, known);
    expect(await loadComposedExamples(dir, known)).toEqual(a);
    const software = a.filter((e) => e.label === 'incident_software');
    // 2 frames × 2 things × 2 faults = 8 possible texts; 5 asked for.
    expect(software).toHaveLength(5);
    expect(new Set(software.map((e) => e.text)).size).toBe(5);
    for (const e of software) expect(e.text).toMatch(/^(hi, )?(excel|the crm) (froze|crashed)$/);
    // 2 frames × 1 thing × 3 acts = 6 possible: 5 of them, including the device-only act's lexicon.
    expect(a.filter((e) => e.label === 'incident_hardware')).toHaveLength(5);
    // Its own frames, with the things of the intents it borrows from.
    const howTo = a.filter((e) => e.label === 'how_to');
    expect(howTo).toHaveLength(5);
    for (const e of howTo) expect(e.text).toMatch(/^how do i (fix|set up) (excel|the crm|my tablet)$/);
    expect(a.some((e) => e.label === 'retired_intent')).toBe(false);
  });

  it('lets an entry teach another intent with its own count', async () => {
    const dir = await dataDirWith('entries', {
      ...small,
      intents: {
        ...small.intents,
        how_to_needs: {
          intent: 'how_to',
          count: 2,
          frames: 'problem',
          acts: ['howto'],
          thingsOf: ['incident_software'],
        },
      },
    });
    const out = await loadComposedExamples(dir, new Set(['how_to']));
    // The how_to entry's 5 and the needs entry's 2, all labelled how_to.
    expect(out).toHaveLength(7);
    expect(out.every((e) => e.label === 'how_to')).toBe(true);
  });

  it('stops at what a small lexicon can make instead of repeating texts', async () => {
    const dir = await dataDirWith('tiny', { ...small, perIntent: 50 });
    const out = await loadComposedExamples(dir, new Set(['incident_software']));
    expect(out).toHaveLength(8);
  });

  it('is empty without the file, and names the field of a bad one', async () => {
    expect(await loadComposedExamples(join(root, 'none'), new Set(['incident_software']))).toEqual([]);
    const noAct = await dataDirWith('bad-frame', { ...small, frames: { problem: ['{thing} is bad'] } });
    await expect(loadComposedExamples(noAct, new Set())).rejects.toMatchObject({
      code: 'data_invalid',
      message: expect.stringMatching(/frames\.problem\.0.*\{thing\} and \{act\}/),
    });
    const unknownList = await dataDirWith('bad-list', {
      ...small,
      intents: { incident_software: { acts: ['apps'], things: ['excel'] } },
    });
    await expect(loadComposedExamples(unknownList, new Set())).rejects.toMatchObject({
      code: 'data_invalid',
      message: expect.stringContaining('act list "apps" is not defined'),
    });
    const noThings = await dataDirWith('bad-things', {
      ...small,
      intents: { how_to: { frames: 'how_to', acts: ['howto'], thingsOf: ['nothing_here'] } },
    });
    await expect(loadComposedExamples(noThings, new Set())).rejects.toMatchObject({
      code: 'data_invalid',
      message: expect.stringContaining('"nothing_here" is not an entry here'),
    });
  });

  it('a bad file stops training with the field named, before anything is written to models/', async () => {
    const dir = join(root, 'desk-data');
    await cp(DATA, dir, { recursive: true });
    await writeFile(
      join(dir, 'compositions.json'),
      JSON.stringify({ ...small, intents: { incident_software: { acts: ['apps'], things: ['excel'] } } }),
    );
    const models = join(root, 'desk-models');
    await expect(
      loadNlu({ dataDir: dir, modelsDir: models, embeddings: 'none', forceTrain: true, save: true }),
    ).rejects.toMatchObject({ code: 'data_invalid', message: expect.stringContaining('compositions.json') });
    expect(existsSync(models) ? await readdir(models) : []).toEqual([]);
  });

  it("the shipped file composes for the shipped intents, and editing it retrains (it is in the data's fingerprint)", async () => {
    const intents = await loadIntentData(DATA);
    const known = new Set(intents.examples.map((e) => e.label));
    const shipped = await loadComposedExamples(DATA, known);
    expect(shipped.length).toBeGreaterThan(300);
    expect(new Set(shipped.map((e) => e.label))).toEqual(
      new Set([
        'incident_software',
        'incident_hardware',
        'incident_network',
        'incident_printer',
        'incident_phone',
        'incident_email',
        'how_to',
        'out_of_scope',
      ]),
    );
    const dir = await dataDirWith('fingerprint', small);
    const before = await nluDataHash(dir, null);
    await writeFile(join(dir, 'compositions.json'), JSON.stringify({ ...small, seed: 4 }));
    expect(await nluDataHash(dir, null)).not.toBe(before);
  });
});
