import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dot } from '../../../src/nlu/embeddings/embedder.js';
import { selectEmbedder } from '../../../src/nlu/embeddings/select-embedder.js';
import {
  loadStaticEmbedder,
  loadUseVocabulary,
  pca,
  project,
  STATIC_MODEL_DIR,
  sifWeights,
  useTokenizer,
  writeStaticModel,
} from '../../../src/nlu/embeddings/static-embedder.js';
import { mulberry32 } from '../../../src/nlu/model/softmax.js';

const dir = await mkdtemp(join(tmpdir(), 'chatdesk-static-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('static distilled embeddings', () => {
  it('PCA finds the dominant direction and projects onto it', () => {
    const rand = mulberry32(5);
    const n = 400;
    const x = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      const t = rand() * 10 - 5;
      x.set([t, t, rand() * 0.1], i * 3);
    }
    const p = pca(x, n, 3, 1);
    expect(Math.abs(p.basis[0] as number)).toBeCloseTo(Math.SQRT1_2, 2);
    expect(Math.abs(p.basis[2] as number)).toBeLessThan(0.05);
    expect(project(x, n, 3, p, 1).length).toBe(n);
  });

  it('weights frequent tokens down (SIF) and tokenizes with USE pieces', () => {
    const vocab = loadUseVocabulary();
    const w = sifWeights(vocab);
    const the = vocab.findIndex(([p]) => p === '▁the');
    expect(w[the] as number).toBeLessThan(0.1);
    expect(useTokenizer(vocab).encode('the printer').length).toBeGreaterThanOrEqual(2);
  });

  it('round-trips a table through models/ and embeds sentences sharing tokens closer', async () => {
    const vocab = loadUseVocabulary();
    const rand = mulberry32(9);
    const dim = 16;
    const table = Float32Array.from({ length: vocab.length * dim }, () => rand() * 2 - 1);
    await writeStaticModel(dir, { dim, table, weights: sifWeights(vocab) }, 'test');
    const e = await loadStaticEmbedder(dir);
    expect(e.dim).toBe(dim);
    const [a, b, c] = await e.embed(['printer jammed again', 'the printer is jammed', 'holiday in portugal']);
    expect(dot(a as Float32Array, b as Float32Array)).toBeGreaterThan(
      dot(a as Float32Array, c as Float32Array),
    );
    const [empty] = await e.embed(['']);
    expect(empty?.every((v) => v === 0)).toBe(true);
  });

  it('a broken table is an actionable error, and selection warns once before falling back', async () => {
    const bad = join(dir, 'bad');
    await mkdir(join(bad, STATIC_MODEL_DIR), { recursive: true });
    await writeFile(join(bad, STATIC_MODEL_DIR, 'static-embeddings.json'), '{}');
    await expect(loadStaticEmbedder(bad)).rejects.toThrow(/chatdesk distill/);
    const warnings: string[] = [];
    const none = await selectEmbedder('none', bad, (_l, m) => warnings.push(m));
    expect(none).toBeNull();
    expect(warnings).toHaveLength(0);
  });
});

describe('transformers.js provider over the exported ONNX model', () => {
  it('loads offline from models/ and matches the TypeScript static encoder', async () => {
    const { writeTransformersModel } = await import('../../../src/nlu/embeddings/onnx-static-export.js');
    const { createTransformersEmbedder } = await import(
      '../../../src/nlu/embeddings/transformers-embedder.js'
    );
    const vocab = loadUseVocabulary();
    const rand = mulberry32(11);
    const dim = 8;
    const table = Float32Array.from({ length: vocab.length * dim }, () => rand() * 2 - 1);
    const modelsDir = join(dir, 'tx');
    const weights = sifWeights(vocab);
    await writeStaticModel(modelsDir, { dim, table, weights }, 'test');
    await writeTransformersModel(join(modelsDir, STATIC_MODEL_DIR), { dim, table, weights }, vocab);
    const tx = await createTransformersEmbedder(modelsDir);
    const ts = await loadStaticEmbedder(modelsDir);
    expect(tx.dim).toBe(dim);
    const texts = ['My printer is broken', 'VPN keeps dropping!'];
    const [a, b] = [await tx.embed(texts), await ts.embed(texts)];
    for (let i = 0; i < texts.length; i++)
      expect(dot(a[i] as Float32Array, b[i] as Float32Array)).toBeGreaterThan(0.98);
  }, 60_000);
});
