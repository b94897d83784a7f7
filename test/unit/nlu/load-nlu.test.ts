import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { dot } from '../../../src/nlu/embeddings/embedder.js';
import { createUseEmbedder } from '../../../src/nlu/embeddings/sentence-encoder.js';
import { loadNlu } from '../../../src/nlu/index.js';
import { HybridKnowledgeSearch } from '../../../src/nlu/knowledge/knowledge-search.js';
import { TOY_INTENTS } from './hashing-embedder.js';

const root = await mkdtemp(join(tmpdir(), 'chatdesk-nlu-'));
afterAll(() => rm(root, { recursive: true, force: true }));

async function makeData(): Promise<string> {
  const d = await mkdtemp(join(root, 'data-'));
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(d, 'intents'));
  await mkdir(join(d, 'knowledge'));
  await mkdir(join(d, 'triage'));
  for (const [intent, examples] of Object.entries(TOY_INTENTS)) {
    await writeFile(
      join(d, 'intents', `${intent}.json`),
      JSON.stringify({ intent, description: intent, examples }),
    );
  }
  await writeFile(
    join(d, 'knowledge', 'pw.md'),
    '---\ntitle: Reset your password\ntags: password\ncategory: access\n---\nUse the portal.\n',
  );
  await writeFile(
    join(d, 'triage', 'tickets.jsonl'),
    ['vpn drops', 'wifi down', 'printer jammed', 'printer offline']
      .map((t, i) =>
        JSON.stringify({
          text: t,
          category: i < 2 ? 'network' : 'printer',
          group: i < 2 ? 'infra' : 'workplace',
        }),
      )
      .join('\n'),
  );
  return d;
}

type Logged = Array<{ level: string; msg: string }>;
const logger = (logs: Logged) => (level: 'info' | 'warn' | 'error', msg: string) => {
  logs.push({ level, msg });
};

describe('loadNlu', () => {
  it('trains when models/ is empty, then loads what train saved, and retrains when data changes', async () => {
    const dataDir = await makeData();
    const modelsDir = join(root, 'models-a');
    const logs: Logged = [];
    const first = await loadNlu({ dataDir, modelsDir, embeddings: 'none', log: logger(logs), save: true });
    expect(first.info.source).toBe('trained');
    expect(first.info.savedTo).toBe(join(modelsDir, 'nlu-model.json'));
    expect((await first.intents.classify('i forgot my password')).intent).toBe('password_reset');
    expect((await first.triage.predict('printer is jammed')).category).toBe('printer');
    expect((await first.knowledge.search('reset password'))[0]?.articleId).toBe('pw');

    const saved = JSON.parse(await readFile(join(modelsDir, 'nlu-model.json'), 'utf8'));
    expect(saved.intents.context).toEqual({ features: ['kb_score', 'ticket_number'], weight: 1 });

    const second = await loadNlu({ dataDir, modelsDir, embeddings: 'none' });
    expect(second.info.source).toBe('models');
    expect(second.info.dataHash).toBe(first.info.dataHash);
    // The loaded classifier reads its kb_score input from the knowledge search it serves with.
    const kb = vi.spyOn(HybridKnowledgeSearch.prototype, 'bestConfidence');
    await second.intents.classify('how do i reset my password');
    expect(kb).toHaveBeenCalledWith('how do i reset my password', null);
    kb.mockRestore();

    await writeFile(
      join(dataDir, 'intents', 'thanks.json'),
      JSON.stringify({ intent: 'thanks', examples: ['thank you', 'thanks a lot', 'cheers'] }),
    );
    const logs3: Logged = [];
    const third = await loadNlu({ dataDir, modelsDir, embeddings: 'none', log: logger(logs3) });
    expect(third.info.source).toBe('trained');
    expect(logs3.some((l) => l.msg.includes('other data'))).toBe(true);
    expect((await third.intents.classify('thanks a lot')).intent).toBe('thanks');
  });

  it('retrains with a warning when the model file is corrupt', async () => {
    const dataDir = await makeData();
    const modelsDir = join(root, 'models-b');
    await loadNlu({ dataDir, modelsDir, embeddings: 'none', save: true });
    await writeFile(join(modelsDir, 'nlu-model.json'), '{"format":"something else"}');
    const logs: Logged = [];
    const nlu = await loadNlu({ dataDir, modelsDir, embeddings: 'none', log: logger(logs) });
    expect(nlu.info.source).toBe('trained');
    expect(
      logs
        .filter((l) => l.level === 'warn')
        .map((l) => l.msg)
        .join(),
    ).toContain('nlu-model.json');
  });

  it('fails with the file name on invalid intent data', async () => {
    const dataDir = await makeData();
    await writeFile(
      join(dataDir, 'intents', 'broken.json'),
      JSON.stringify({ intent: 'greeting', examples: ['yo'] }),
    );
    await expect(loadNlu({ dataDir, modelsDir: join(root, 'models-c'), embeddings: 'none' })).rejects.toThrow(
      /broken\.json/,
    );
  });

  it('falls back from a missing transformer model to USE-lite with one warning, and USE embeds meaning', async () => {
    const dataDir = await makeData();
    const logs: Logged = [];
    const nlu = await loadNlu({
      dataDir,
      modelsDir: join(root, 'models-d'),
      embeddings: 'transformers',
      log: logger(logs),
    });
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(nlu.info.embedderId).toBe('use-lite-512');
    expect((await nlu.intents.classify('I cannot remember my password')).intent).toBe('password_reset');

    const use = await createUseEmbedder();
    const [a, b, c] = await use.embed([
      'my printer is broken',
      'the printer does not work',
      'what a lovely day at the beach',
    ]);
    expect(dot(a as Float32Array, b as Float32Array)).toBeGreaterThan(
      dot(a as Float32Array, c as Float32Array),
    );
    expect(Math.sqrt(dot(a as Float32Array, a as Float32Array))).toBeCloseTo(1, 4);
  }, 60_000);

  it('loads the shipped data with the shipped models/', async () => {
    const repo = join(import.meta.dirname, '..', '..', '..');
    const modelsDir = join(root, 'models-shipped');
    await cp(join(repo, 'models'), modelsDir, { recursive: true });
    const hasModel = await readFile(join(modelsDir, 'nlu-model.json'), 'utf8').then(
      () => true,
      () => false,
    );
    const nlu = await loadNlu({ dataDir: join(repo, 'data'), modelsDir, embeddings: 'use' });
    if (hasModel) expect(nlu.info.source).toBe('models');
    expect((await nlu.intents.classify('I forgot my password')).intent).toBe('password_reset');
    expect((await nlu.intents.classify('can I speak to a human please')).intent).toBe('talk_to_human');
  }, 60_000);
});
