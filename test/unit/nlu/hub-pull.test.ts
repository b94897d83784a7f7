import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as runModels } from '../../../src/cli/commands/models.js';
import { writeTransformersModel } from '../../../src/nlu/embeddings/onnx-static-export.js';
import { createTransformersEmbedder } from '../../../src/nlu/embeddings/transformers-embedder.js';
import { PULL_MANIFEST_FILE, pullHubModel } from '../../../src/nlu/hub/hub-pull.js';
import { loadNlu } from '../../../src/nlu/index.js';
import { captureOutput } from '../../support/capture-output.js';

const ID = 'acme/tiny-static';
const dir = await mkdtemp(join(tmpdir(), 'chatdesk-hub-'));
const repoDir = join(dir, 'repo');
let server: Server;
let hub: string;
const requests: string[] = [];

/** A tiny static encoder in the transformers.js layout, built by the project's own ONNX exporter. */
async function buildFakeRepo(): Promise<void> {
  const pieces = ['▁hello', '▁world', '▁vpn', '▁printer', '▁password', '▁reset'];
  const vocab: Array<[string, number]> = [
    ...['<pad>', '<unk>', '<s>', '</s>', '<mask>', '<cls>'].map((p): [string, number] => [p, 0]),
    ...pieces.map((p, i): [string, number] => [p, -1 - i]),
  ];
  const dim = 4;
  const table = Float32Array.from({ length: vocab.length * dim }, (_, k) => Math.sin(k + 1));
  const weights = new Float32Array(vocab.length).fill(1);
  await writeTransformersModel(repoDir, { dim, table, weights }, vocab);
}

beforeAll(async () => {
  await buildFakeRepo();
  server = createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(url);
    // The hub redirects large files to its CDN; follow that like the real thing.
    const m = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(url);
    if (m?.[2] === 'onnx/model.onnx' && m[1] === ID) {
      res.writeHead(302, { location: `/cdn/${ID}/onnx/model.onnx` });
      return void res.end();
    }
    if (url.startsWith('/cdn/') || (m !== null && m[1] === ID)) {
      const file = url.startsWith('/cdn/') ? url.slice(`/cdn/${ID}/`.length) : (m?.[2] as string);
      readFile(join(repoDir, file)).then(
        (body) => {
          res.writeHead(200, { 'content-length': body.length });
          res.end(body);
        },
        () => {
          res.writeHead(404);
          res.end('Entry not found');
        },
      );
      return;
    }
    if (m?.[1] === 'acme/truncated') {
      if (m[2] !== 'onnx/model.onnx') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{}');
      }
      // Announces a megabyte, sends a few bytes, then drops the connection.
      res.writeHead(200, { 'content-length': 1_000_000 });
      res.write(Buffer.alloc(1000));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    res.writeHead(404, 'Not Found');
    res.end('Repository not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hub = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

describe('models pull', () => {
  it('lays out models/<owner>/<name>/ like transformers.js and the provider loads it', async () => {
    const modelsDir = join(dir, 'models-ok');
    const io = captureOutput();
    const code = await runModels(['pull', ID, '--models-dir', modelsDir, '--hub-url', `${hub}/`]);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toContain(
      `pulled ${ID}@main from ${hub} into ${join(modelsDir, 'acme', 'tiny-static')}`,
    );
    const target = join(modelsDir, 'acme', 'tiny-static');
    expect((await readdir(target)).sort()).toEqual(
      ['config.json', 'onnx', PULL_MANIFEST_FILE, 'tokenizer.json', 'tokenizer_config.json'].sort(),
    );
    expect(await readdir(join(target, 'onnx'))).toEqual(['model.onnx']);
    // Nothing but the model is left next to it (no staging directory, no .part files).
    expect(await readdir(join(modelsDir, 'acme'))).toEqual(['tiny-static']);
    const manifest = JSON.parse(await readFile(join(target, PULL_MANIFEST_FILE), 'utf8')) as {
      source: string;
      files: Array<{ path: string; bytes: number; sha256: string }>;
    };
    expect(manifest.source).toBe(hub);
    for (const f of manifest.files) {
      expect(f.sha256).toBe(await sha256(join(repoDir, f.path)));
      expect(f.bytes).toBe((await stat(join(target, f.path))).size);
    }
    vi.restoreAllMocks();
    const embedder = await createTransformersEmbedder(modelsDir, ID);
    const [v] = await embedder.embed(['reset password']);
    expect(v?.length).toBe(4);
    expect(embedder.id).toBe(`transformers:${ID}:4`);
    // The server's NLU picks it by name (NLU_TRANSFORMER_MODEL) and trains on it.
    const nlu = await loadNlu({
      dataDir: join(import.meta.dirname, '../../../data'),
      modelsDir,
      embeddings: 'transformers',
      transformerModel: ID,
    });
    expect(nlu.info.embedderId).toBe(`transformers:${ID}:4`);
    expect((await nlu.intents.classify('I forgot my password')).intent).toBeTruthy();
  });

  it('never overwrites an existing model unless --force', async () => {
    const modelsDir = join(dir, 'models-force');
    await pullHubModel({ id: ID, modelsDir, hubUrl: hub });
    const marker = join(modelsDir, 'acme', 'tiny-static', 'marker.txt');
    await writeFile(marker, 'old');
    await expect(pullHubModel({ id: ID, modelsDir, hubUrl: hub })).rejects.toThrow(/already exists.*--force/);
    await stat(marker);
    const r = await pullHubModel({ id: ID, modelsDir, hubUrl: hub, force: true });
    expect(r.manifest.files.map((f) => f.path)).toContain('onnx/model.onnx');
    await expect(stat(marker)).rejects.toThrow();
    expect(await readdir(join(modelsDir, 'acme'))).toEqual(['tiny-static']);
  });

  it('leaves no half-written model when the download breaks off', async () => {
    const modelsDir = join(dir, 'models-truncated');
    await expect(pullHubModel({ id: 'acme/truncated', modelsDir, hubUrl: hub })).rejects.toThrow(
      /model\.onnx.*(broke off|announced)/,
    );
    expect(await readdir(modelsDir)).toEqual([]);
  });

  it('names the URL on a 404, in one line, exit 1', async () => {
    const modelsDir = join(dir, 'models-404');
    const io = captureOutput();
    expect(await runModels(['pull', 'acme/missing', '--models-dir', modelsDir, '--hub-url', hub])).toBe(1);
    expect(io.err()).toBe(
      `chatdesk models pull: ${hub}/acme/missing/resolve/main/config.json answered 404 Not Found: no model "acme/missing" at that revision; check the id and --revision on the hub.\n`,
    );
    expect(await readdir(modelsDir)).toEqual([]);
  });

  it('says which URL is unreachable (the offline case), exit 1', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    vi.stubEnv('CHATDESK_HUB_URL', `http://127.0.0.1:${port}`);
    const io = captureOutput();
    expect(await runModels(['pull', ID, '--models-dir', join(dir, 'models-offline')])).toBe(1);
    expect(io.err()).toMatch(
      new RegExp(
        `^chatdesk models pull: cannot reach http://127\\.0\\.0\\.1:${port}/${ID}/resolve/main/config\\.json \\(ECONNREFUSED\\); .*CHATDESK_HUB_URL.*\\n$`,
      ),
    );
  });

  it('rejects a bad id, a bad hub URL and a bad CHATDESK_HUB_URL with exit 2 before any request', async () => {
    const before = requests.length;
    for (const [argv, message] of [
      [['pull', '../../etc', '--hub-url', hub], 'id: expected a hub model id'],
      [['pull', 'a/b/c', '--hub-url', hub], 'id: expected a hub model id'],
      [['pull', '--hub-url', hub], 'id: missing the hub model id'],
      [['pull', ID, '--hub-url', 'ftp://mirror'], 'hub-url: must be an http(s) URL'],
      [['pull', ID, '--revision', '../x', '--hub-url', hub], 'revision:'],
      [['fetch', ID], 'unknown subcommand "fetch"'],
    ] as const) {
      const io = captureOutput();
      expect(await runModels([...argv])).toBe(2);
      expect(io.err()).toContain(message);
      vi.restoreAllMocks();
    }
    vi.stubEnv('CHATDESK_HUB_URL', 'not a url');
    const io = captureOutput();
    expect(await runModels(['pull', ID])).toBe(2);
    expect(io.err()).toContain('CHATDESK_HUB_URL="not a url" must be an http(s) URL');
    expect(requests.length).toBe(before);
  });
});

describe('models list', () => {
  it('shows pulled models with size and source, and flags an unreadable NLU artefact', async () => {
    const modelsDir = join(dir, 'models-list');
    await pullHubModel({ id: ID, modelsDir, hubUrl: hub });
    await writeFile(join(modelsDir, 'nlu-model.json'), 'not json');
    let io = captureOutput();
    expect(await runModels(['list', '--models-dir', modelsDir, '--json'])).toBe(0);
    const rows = JSON.parse(io.out()) as Array<{
      id: string;
      kind: string;
      bytes: number;
      provenance: string;
    }>;
    const pulled = rows.find((r) => r.id === ID);
    expect(pulled).toMatchObject({ kind: 'transformers', onnx: 'model.onnx' });
    expect(pulled?.provenance).toContain(`${hub}/${ID}@main`);
    expect(pulled?.bytes).toBeGreaterThan((await stat(join(repoDir, 'onnx', 'model.onnx'))).size);
    expect(rows.find((r) => r.id === 'nlu-model.json')?.provenance).toMatch(/^unreadable: .*chatdesk train/);
    vi.restoreAllMocks();
    io = captureOutput();
    expect(await runModels(['list', '--models-dir', modelsDir])).toBe(0);
    expect(io.out()).toMatch(
      new RegExp(`^acme/tiny-static +transformers +[0-9.]+ kB +model\\.onnx +${hub}`, 'm'),
    );
    vi.restoreAllMocks();
    io = captureOutput();
    expect(await runModels(['list', '--models-dir', join(dir, 'empty')])).toBe(0);
    expect(io.out()).toContain('holds no models');
  });
});
