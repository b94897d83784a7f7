/**
 * Downloads a Hugging Face hub model repo's transformers.js files into `models/<id>/`, the layout
 * the transformers provider loads (config.json, tokenizer files, onnx/model.onnx). Every file is
 * streamed into a hidden staging directory next to the target and the directory is renamed into
 * place only when all files are complete, so an interrupted pull never leaves half a model.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import { AppError } from '../../errors.js';

export const DEFAULT_HUB_URL = 'https://huggingface.co';
/** Written next to the pulled files: where they came from, with sizes and SHA-256 sums. */
export const PULL_MANIFEST_FILE = 'chatdesk-pull.json';

/** `owner/name` or `name`, as on the hub; no `..`, so the id can never leave models/. */
export const hubModelIdSchema = z
  .string()
  .max(96, 'the model id is longer than the hub allows (96 characters)')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/,
    'expected a hub model id like "Xenova/all-MiniLM-L6-v2" (letters, digits, "-", "_", "." and one "/")',
  )
  .refine((id) => !id.split('/').some((part) => part === '.' || part === '..' || part.endsWith('.')), {
    message: 'a model id part must not be "." or ".." nor end with "."',
  });

export const hubUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://huggingface.co' })
  .transform((u) => u.replace(/\/+$/, ''));

export const hubRevisionSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'expected a branch, tag or commit, e.g. main')
  .refine((r) => !r.split('/').includes('..'), { message: 'a revision must not contain ".."' });

/** The files transformers.js reads for feature extraction; the ONNX graph is full or quantized. */
function hubModelFiles(quantized: boolean): string[] {
  return [
    'config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    quantized ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx',
  ];
}

interface PulledFile {
  path: string;
  bytes: number;
  sha256: string;
}

export const pullManifestSchema = z.object({
  format: z.literal('chatdesk-hub-pull'),
  id: z.string(),
  source: z.string(),
  revision: z.string(),
  pulledAt: z.string(),
  files: z.array(z.object({ path: z.string(), bytes: z.number(), sha256: z.string() })),
});
type PullManifest = z.infer<typeof pullManifestSchema>;

interface PullOptions {
  id: string;
  modelsDir: string;
  hubUrl: string;
  revision?: string;
  quantized?: boolean;
  /** Replace an existing models/<id>/ (otherwise a pull never overwrites anything). */
  force?: boolean;
  /** Give up when the server has not answered (status line and headers) within this time. */
  responseTimeoutMs?: number;
  onFile?: (file: PulledFile) => void;
}

interface PullResult {
  dir: string;
  manifest: PullManifest;
}

const modelDirOf = (modelsDir: string, id: string): string => join(modelsDir, ...id.split('/'));

export async function pullHubModel(o: PullOptions): Promise<PullResult> {
  const revision = o.revision ?? 'main';
  const target = modelDirOf(o.modelsDir, o.id);
  if (!o.force && (await exists(target))) {
    throw new AppError(
      'conflict',
      `${target} already exists; pass --force to replace it, or remove it first.`,
      { details: { dir: target } },
    );
  }
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  // Same parent as the target, so the final rename stays on one file system and is atomic.
  const staging = join(parent, `.pull-${o.id.split('/').pop()}-${process.pid}-${Date.now()}`);
  await mkdir(staging, { recursive: true });
  try {
    const files: PulledFile[] = [];
    for (const path of hubModelFiles(o.quantized ?? false)) {
      const url = `${o.hubUrl}/${o.id}/resolve/${encodeURIComponent(revision).replaceAll('%2F', '/')}/${path}`;
      const file = await download(url, join(staging, path), o.responseTimeoutMs ?? 30_000, o.id);
      if (path.endsWith('.json')) await checkJson(join(staging, path), url);
      const pulled = { path, ...file };
      files.push(pulled);
      o.onFile?.(pulled);
    }
    const manifest: PullManifest = {
      format: 'chatdesk-hub-pull',
      id: o.id,
      source: o.hubUrl,
      revision,
      pulledAt: new Date().toISOString(),
      files,
    };
    await writeFile(join(staging, PULL_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await moveIntoPlace(staging, target);
    return { dir: target, manifest };
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    // The owner directory made for this pull goes too when it is empty (rmdir refuses otherwise).
    if (o.id.includes('/')) await rmdir(parent).catch(() => undefined);
    throw e;
  }
}

async function moveIntoPlace(staging: string, target: string): Promise<void> {
  if (!(await exists(target))) return rename(staging, target);
  const old = `${staging}.replaced`;
  await rename(target, old);
  try {
    await rename(staging, target);
  } catch (e) {
    await rename(old, target);
    throw e;
  }
  await rm(old, { recursive: true, force: true });
}

async function download(
  url: string,
  dest: string,
  timeoutMs: number,
  id: string,
): Promise<{ bytes: number; sha256: string }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', signal: abort.signal });
  } catch (cause) {
    const reason = abort.signal.aborted ? `no answer within ${timeoutMs / 1000} s` : networkReason(cause);
    throw new AppError(
      'model_unavailable',
      `cannot reach ${url} (${reason}); check the network or proxy, or point --hub-url / CHATDESK_HUB_URL at a reachable mirror.`,
      { cause, details: { url } },
    );
  } finally {
    clearTimeout(timer);
  }
  if (!res.ok || res.body === null) {
    await res.body?.cancel();
    throw new AppError('model_unavailable', httpProblem(url, res.status, res.statusText, id), {
      details: { url, status: res.status },
    });
  }
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.part`;
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await pipeline(
      Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk);
          bytes += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(tmp),
    );
  } catch (cause) {
    throw new AppError(
      'model_unavailable',
      `the download of ${url} broke off after ${bytes} bytes (${networkReason(cause)}); run the pull again.`,
      { cause, details: { url } },
    );
  }
  const expected = Number(res.headers.get('content-length') ?? Number.NaN);
  // A compressed response reports the compressed length; only a plain body can be checked.
  if (Number.isFinite(expected) && !res.headers.get('content-encoding') && expected !== bytes) {
    throw new AppError(
      'model_unavailable',
      `${url} announced ${expected} bytes but sent ${bytes}; run the pull again.`,
      { details: { url } },
    );
  }
  await rename(tmp, dest);
  return { bytes, sha256: hash.digest('hex') };
}

function httpProblem(url: string, status: number, statusText: string, id: string): string {
  const what = `${url} answered ${status}${statusText ? ` ${statusText}` : ''}`;
  if (status === 404) {
    return url.includes('/onnx/')
      ? `${what}: "${id}" has no ONNX export at that path; pick a transformers.js-ready repo (e.g. under Xenova/ or onnx-community/) or try --quantized.`
      : `${what}: no model "${id}" at that revision; check the id and --revision on the hub.`;
  }
  if (status === 401 || status === 403)
    return `${what}: the repo is private or gated; download it by hand into models/${id}/.`;
  return `${what}; try again later or use another --hub-url.`;
}

function networkReason(cause: unknown): string {
  const c = (cause as { cause?: { code?: string; message?: string } }).cause;
  return c?.code ?? c?.message ?? (cause as Error).message ?? String(cause);
}

async function checkJson(file: string, url: string): Promise<void> {
  try {
    JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new AppError(
      'model_unavailable',
      `${url} did not return JSON (a proxy or login page?); check --hub-url.`,
      { details: { url } },
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
