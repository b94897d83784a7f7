import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../../src/errors.js';
import { dot, type Embedder } from '../../../../src/nlu/embeddings/embedder.js';
import { selectEmbedder } from '../../../../src/nlu/embeddings/select-embedder.js';
import { createUseEmbedder } from '../../../../src/nlu/embeddings/sentence-encoder.js';
import { readTfjsSource } from '../../../../src/nlu/embeddings/sentence-encoder-export.js';
import {
  createUseOnnxEmbedder,
  defaultUseSourceDir,
  loadUseTokenizer,
  USE_FINETUNED_FILE,
  USE_ONNX_DIR,
} from '../../../../src/nlu/embeddings/sentence-encoder-onnx.js';
import { loadUseVocabulary, useTokenizer } from '../../../../src/nlu/embeddings/static-embedder.js';

const dir = await mkdtemp(join(tmpdir(), 'chatdesk-use-onnx-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const intentExamples = async (): Promise<string[]> => {
  const intents = join(import.meta.dirname, '..', '..', '..', '..', 'data', 'intents');
  const files = (await readdir(intents)).filter((f) => f.endsWith('.json')).sort();
  const all = await Promise.all(
    files.map(
      async (f) => (JSON.parse(await readFile(join(intents, f), 'utf8')) as { examples: string[] }).examples,
    ),
  );
  // Two per intent: a spread of real help-desk phrasing without embedding hundreds of texts.
  return all.flatMap((ex) => ex.slice(0, 2));
};

const edgeCases = [
  '',
  '   ',
  '\t\n',
  '?!',
  'HELLO WORLD!!!',
  'hello   world',
  'My VPN keeps dropping 😡😡 please help',
  '🙂🙃',
  'naïve café résumé',
  'ﬁle ﬂow ｆｕｌｌｗｉｄｔｈ',
  'Где мой пароль?',
  '我的密码忘了',
  'كلمة المرور لا تعمل',
  'C:\\Users\\joe ERROR 0x80070005: access denied :-( see https://intranet.example.com/wiki?x=1',
  'combining e\u0301 accent\u200b',
  'the printer on floor 3 is jammed again '.repeat(12),
];

describe('USE-lite tokenizer port', () => {
  it('gives the same ids as the tfjs-models tokenizer', async () => {
    const theirs = useTokenizer(loadUseVocabulary());
    const ours = await loadUseTokenizer();
    const texts = [...edgeCases, ...(await intentExamples()), 'a:b::c :) :-) http://x', 'x'.repeat(300)];
    for (const t of texts) expect(ours.encode(t), JSON.stringify(t)).toEqual(theirs.encode(t));
  });

  it('reads only as much text as the first tokens need, with the same ids', async () => {
    const theirs = useTokenizer(loadUseVocabulary());
    const ours = await loadUseTokenizer();
    const long = 'Outlook crashes when I open the shared calendar, error 0x8004010F. '.repeat(60);
    expect(ours.encode(long, 128)).toEqual(theirs.encode(long).slice(0, 128));
    // Unknown characters merge into one id, so 3000 emoji are few tokens: the words after them count.
    const emoji = `${'🙂'.repeat(3000)} hello there`;
    expect(ours.encode(emoji, 128)).toEqual(theirs.encode(emoji).slice(0, 128));
    const huge = 'lorem ipsum dolor sit amet '.repeat(40_000);
    const t0 = performance.now();
    expect(ours.encode(huge, 128)).toHaveLength(128);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('USE-lite on onnxruntime-node', () => {
  const modelsDir = join(dir, 'models');
  let onnx: Embedder;
  let tfjs: Embedder;
  beforeAll(async () => {
    [onnx, tfjs] = await Promise.all([createUseOnnxEmbedder(modelsDir), createUseEmbedder()]);
  });

  it('matches the tfjs encoder one by one and in padded batches, under the same id', async () => {
    expect(onnx.id).toBe(tfjs.id);
    expect(onnx.dim).toBe(512);
    const texts = [...edgeCases, ...(await intentExamples())];
    const expected = await tfjs.embed(texts);
    const batched = await onnx.embed(texts);
    const single = await Promise.all(texts.map(async (t) => (await onnx.embed([t]))[0] as Float32Array));
    texts.forEach((t, i) => {
      expect(dot(batched[i] as Float32Array, expected[i] as Float32Array), JSON.stringify(t)).toBeGreaterThan(
        0.9999,
      );
      expect(dot(single[i] as Float32Array, expected[i] as Float32Array), JSON.stringify(t)).toBeGreaterThan(
        0.9999,
      );
      expect(dot(single[i] as Float32Array, single[i] as Float32Array)).toBeCloseTo(1, 5);
    });
  });

  it('offers int8 feed-forward weights within 0.999 cosine, under its own id', async () => {
    const int8 = await createUseOnnxEmbedder(modelsDir, { int8: true });
    expect(int8.id).not.toBe(tfjs.id);
    const expected = await tfjs.embed(edgeCases);
    const got = await int8.embed(edgeCases);
    edgeCases.forEach((t, i) => {
      expect(dot(got[i] as Float32Array, expected[i] as Float32Array), JSON.stringify(t)).toBeGreaterThan(
        0.999,
      );
    });
  });

  it('embeds a huge text quickly, as its first 128 tokens', async () => {
    const words = 'please reset the password for the finance share ';
    const [huge, prefix] = await onnx.embed([words.repeat(20_000), words.repeat(40)]);
    expect(dot(huge as Float32Array, prefix as Float32Array)).toBeGreaterThan(0.9999);
  });

  it('reuses the cached file, and rebuilds it for other weights or a damaged file', async () => {
    const model = join(modelsDir, USE_ONNX_DIR, 'model.onnx');
    const metaFile = join(modelsDir, USE_ONNX_DIR, 'model.meta.json');
    const built = await stat(model);
    await createUseOnnxEmbedder(modelsDir);
    expect((await stat(model)).mtimeMs).toBe(built.mtimeMs);

    const meta = JSON.parse(await readFile(metaFile, 'utf8')) as { sourceSha256: string };
    await writeFile(metaFile, JSON.stringify({ ...meta, sourceSha256: 'other weights' }));
    await createUseOnnxEmbedder(modelsDir);
    expect(JSON.parse(await readFile(metaFile, 'utf8'))).toEqual(meta);

    await truncate(model, 1000);
    const healed = await createUseOnnxEmbedder(modelsDir);
    const [a] = await healed.embed(['vpn keeps dropping']);
    const [b] = await tfjs.embed(['vpn keeps dropping']);
    expect(dot(a as Float32Array, b as Float32Array)).toBeGreaterThan(0.9999);
    expect((await stat(model)).size).toBe(built.size);
  });

  it('reports damaged source weights as an actionable error', async () => {
    const source = join(dir, 'source');
    await cp(defaultUseSourceDir(), source, { recursive: true });
    const shard = (await readdir(source)).find((f) => f.includes('shard')) as string;
    await truncate(join(source, shard), 100);
    const err = await createUseOnnxEmbedder(join(dir, 'other-models'), { sourceDir: source }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('model_unavailable');
    expect((err as AppError).message).toMatch(/npm ci/);
  });

  it('falls back to the tfjs encoder with one warning when the model cannot be written', async () => {
    const blocked = join(dir, 'blocked');
    await mkdir(blocked);
    // A file where the model folder should be: nothing can be written there.
    await writeFile(join(blocked, USE_ONNX_DIR), 'not a folder');
    const warnings: string[] = [];
    const e = await selectEmbedder('use', blocked, (level, msg) => {
      if (level === 'warn') warnings.push(msg);
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/tfjs/);
    expect(e?.id).toBe('use-lite-512');
    const [v] = (await e?.embed(['printer jammed'])) ?? [];
    const [w] = await onnx.embed(['printer jammed']);
    expect(dot(v as Float32Array, w as Float32Array)).toBeGreaterThan(0.9999);
  });

  /** A fine-tuned weights file as scripts/encoder/finetune.py writes it, replacing one tensor. */
  const finetunedFile = (
    baseSha256: string,
    name: string,
    values: number[],
    dtype: 'float16' | 'float32',
  ) => {
    const data = Buffer.alloc(values.length * (dtype === 'float16' ? 2 : 4));
    values.forEach((v, i) => {
      // 0.5 and -0.25 are exact in float16: 0x3800 and 0xb400.
      if (dtype === 'float16') data.writeUInt16LE(v === 0.5 ? 0x3800 : 0xb400, 2 * i);
      else data.writeFloatLE(v, 4 * i);
    });
    const header = Buffer.from(
      JSON.stringify({
        format: 'chatdesk-use-finetuned',
        version: 1,
        baseSha256,
        tensors: [{ name, shape: [values.length], dtype, offset: 0 }],
      }),
    );
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    return Buffer.concat([Buffer.from('CDUSEFT1', 'latin1'), length, header, data]);
  };

  it('loads fine-tuned tensors from the models folder under an id of their own, and refuses a file for other weights', async () => {
    const { sha256 } = await readTfjsSource(defaultUseSourceDir());
    const bias = 'module/Encoder_en/hidden_layers/tanh_layer_0/bias';
    const values = Array.from({ length: 512 }, (_, i) => (i % 2 === 0 ? 0.5 : -0.25));
    const halfDir = join(dir, 'models-ft16');
    await mkdir(halfDir);
    await writeFile(join(halfDir, USE_FINETUNED_FILE), finetunedFile(sha256, bias, values, 'float16'));
    const half = await createUseOnnxEmbedder(halfDir);
    expect(half.id).toMatch(/^use-lite-512-ft-[0-9a-f]{12}$/);
    const metaFile = join(halfDir, USE_ONNX_DIR, 'model.meta.json');
    expect(JSON.parse(await readFile(metaFile, 'utf8')).finetunedSha256).toMatch(/^[0-9a-f]{64}$/);

    const fullFile = join(dir, 'ft32.bin');
    await writeFile(fullFile, finetunedFile(sha256, bias, values, 'float32'));
    const full = await createUseOnnxEmbedder(join(dir, 'models-ft32'), { weightsFile: fullFile });
    expect(full.id).not.toBe(half.id);
    const [h] = await half.embed(['vpn keeps dropping']);
    const [f] = await full.embed(['vpn keeps dropping']);
    const [stock] = await onnx.embed(['vpn keeps dropping']);
    expect(dot(h as Float32Array, f as Float32Array)).toBeGreaterThan(0.99999);
    expect(dot(h as Float32Array, stock as Float32Array)).toBeLessThan(0.99);

    // Removing the file goes back to the stock encoder (the cache is rebuilt, the id is the stock one).
    await rm(join(halfDir, USE_FINETUNED_FILE));
    const back = await createUseOnnxEmbedder(halfDir);
    expect(back.id).toBe('use-lite-512');
    const [b] = await back.embed(['vpn keeps dropping']);
    expect(dot(b as Float32Array, stock as Float32Array)).toBeGreaterThan(0.9999);

    await writeFile(fullFile, finetunedFile('0'.repeat(64), bias, values, 'float32'));
    const err = await createUseOnnxEmbedder(join(dir, 'models-ft-other'), { weightsFile: fullFile }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('model_unavailable');
    expect((err as AppError).message).toMatch(/other Universal Sentence Encoder weights/);
  });
});
