import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { run as runEval } from '../../../src/cli/commands/eval.js';
import { run as runTrain } from '../../../src/cli/commands/train.js';
import { captureOutput } from '../../support/capture-output.js';
import { TOY_INTENTS, toyRows } from './hashing-embedder.js';

const dir = await mkdtemp(join(tmpdir(), 'chatdesk-cli-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
});

describe('chatdesk eval', () => {
  it('prints the DESIGN §8 JSON object', async () => {
    const rows = toyRows().map((r) => ({
      ...r,
      label: r.label === 'out_of_scope' ? 'oos' : r.label,
      split: '',
    }));
    rows.forEach((r, i) => {
      r.split = i % 3 === 0 ? 'test' : 'train';
    });
    const file = join(dir, 'all.jsonl');
    await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    const io = captureOutput();
    const code = await runEval([
      '--train',
      `${file}#train`,
      '--test',
      `${file}#test`,
      '--oos-label',
      'oos',
      '--json',
      '--embeddings',
      'none',
    ]);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(io.out()) as Record<string, number>;
    for (const k of [
      'accuracy',
      'in_scope_accuracy',
      'oos_recall',
      'oos_precision',
      'macro_f1',
      'n_train',
      'n_test',
      'train_ms',
      'latency_p50_ms',
      'latency_p99_ms',
    ]) {
      expect(typeof result[k]).toBe('number');
    }
    expect(result.n_test).toBe(rows.filter((r) => r.split === 'test').length);
    expect(result.in_scope_accuracy).toBeGreaterThan(0.4);
  });

  it('rejects bad arguments and bad files with exit codes 2 and 1', async () => {
    let io = captureOutput();
    expect(await runEval(['--test', 'x.jsonl'])).toBe(2);
    expect(io.err()).toContain('--train');
    vi.restoreAllMocks();
    io = captureOutput();
    expect(await runEval(['--train', 'a', '--test', 'b', '--embeddings', 'bert'])).toBe(2);
    expect(io.err()).toContain('embeddings');
    vi.restoreAllMocks();
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, '{"text":"hi","label":"greeting"}\n{"text":"","label":"x"}\n');
    io = captureOutput();
    expect(await runEval(['--train', bad, '--test', bad, '--embeddings', 'none'])).toBe(1);
    expect(io.err()).toContain('bad.jsonl line 2');
  });
});

describe('chatdesk train', () => {
  it('trains from a data directory and writes models/', async () => {
    const dataDir = join(dir, 'data');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dataDir, 'intents'), { recursive: true });
    for (const [intent, examples] of Object.entries(TOY_INTENTS)) {
      await writeFile(join(dataDir, 'intents', `${intent}.json`), JSON.stringify({ intent, examples }));
    }
    const io = captureOutput();
    const code = await runTrain([
      '--data-dir',
      dataDir,
      '--models-dir',
      join(dir, 'models'),
      '--embeddings',
      'none',
      '--json',
    ]);
    expect(code).toBe(0);
    const summary = JSON.parse(io.out()) as { intents: number; examples: number; saved_to: string };
    expect(summary.intents).toBe(Object.keys(TOY_INTENTS).length);
    expect(summary.saved_to).toBe(join(dir, 'models', 'nlu-model.json'));
  });

  it('refuses unknown options', async () => {
    const io = captureOutput();
    expect(await runTrain(['--bogus'])).toBe(2);
    expect(io.err()).toContain('usage');
  });
});
