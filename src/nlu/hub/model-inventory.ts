/**
 * What is in models/: the trained NLU artefact (with the data hash it was trained on), the
 * distilled static encoder, and transformers.js model directories, pulled from a hub (with their
 * source recorded in chatdesk-pull.json) or put there by hand.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { STATIC_MODEL_DIR } from '../embeddings/static-embedder.js';
import { ARTEFACT_FILE, EMBEDDING_CACHE_FILE, readNluArtefact } from '../nlu-artefacts.js';
import { PULL_MANIFEST_FILE, pullManifestSchema } from './hub-pull.js';

interface ModelEntry {
  /** What to pass on: the file name for the NLU artefact, the directory under models/ otherwise. */
  id: string;
  kind: 'nlu-artefact' | 'transformers' | 'static';
  bytes: number;
  /** Where it came from: the data hash and encoder for the artefact, the hub URL@revision, or "local". */
  provenance: string;
  /** The ONNX graph a transformers directory holds (model.onnx or model_quantized.onnx). */
  onnx?: string;
}

export async function listModels(modelsDir: string): Promise<ModelEntry[]> {
  const out: ModelEntry[] = [];
  const artefact = await readNluArtefact(modelsDir).catch((e: Error) => e);
  if (artefact instanceof Error || artefact !== null) {
    out.push({
      id: ARTEFACT_FILE,
      kind: 'nlu-artefact',
      bytes:
        (await sizeOf(join(modelsDir, ARTEFACT_FILE))) +
        (await sizeOf(join(modelsDir, EMBEDDING_CACHE_FILE))),
      provenance:
        artefact instanceof Error
          ? `unreadable: ${artefact.message}`
          : `data ${artefact.dataHash.slice(0, 12)}, encoder ${artefact.embedderId ?? 'none'}, ${artefact.createdAt}`,
    });
  }
  for (const dir of await modelDirs(modelsDir, '', 2)) out.push(await describeDir(modelsDir, dir));
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** Directories (relative to models/) that hold a model; `owner/name` ids sit two levels down. */
async function modelDirs(root: string, rel: string, depth: number): Promise<string[]> {
  const entries = await readdir(join(root, rel), { withFileTypes: true }).catch(() => []);
  const names = new Set(entries.map((e) => e.name));
  if (rel !== '' && (names.has('onnx') || names.has(PULL_MANIFEST_FILE) || names.has('config.json')))
    return [rel];
  if (rel !== '' && rel === STATIC_MODEL_DIR) return [rel];
  if (depth === 0) return [];
  const found: string[] = [];
  for (const e of entries) {
    // Hidden directories are pulls in progress (or the embedding cache); never models.
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    found.push(...(await modelDirs(root, rel === '' ? e.name : `${rel}/${e.name}`, depth - 1)));
  }
  return found;
}

async function describeDir(modelsDir: string, id: string): Promise<ModelEntry> {
  const dir = join(modelsDir, ...id.split('/'));
  const bytes = await sizeOf(dir);
  const onnxFiles = (await readdir(join(dir, 'onnx')).catch(() => [] as string[])).filter((f) =>
    f.endsWith('.onnx'),
  );
  const onnx = onnxFiles.includes('model.onnx') ? 'model.onnx' : onnxFiles[0];
  const manifest = await readFile(join(dir, PULL_MANIFEST_FILE), 'utf8')
    .then((t) => pullManifestSchema.safeParse(JSON.parse(t)))
    .catch(() => null);
  const provenance = manifest?.success
    ? `${manifest.data.source}/${manifest.data.id}@${manifest.data.revision}, ${manifest.data.pulledAt}`
    : id === STATIC_MODEL_DIR
      ? 'local (chatdesk distill)'
      : 'local';
  return {
    id,
    kind: onnx === undefined && id === STATIC_MODEL_DIR ? 'static' : 'transformers',
    bytes,
    provenance,
    ...(onnx === undefined ? {} : { onnx }),
  };
}

async function sizeOf(path: string): Promise<number> {
  const s = await stat(path).catch(() => null);
  if (s === null) return 0;
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const name of await readdir(path)) total += await sizeOf(join(path, name));
  return total;
}
