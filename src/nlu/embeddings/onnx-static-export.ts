/**
 * Writes the distilled static embedding table as a transformers.js model directory: an ONNX graph
 * (Gather int8 rows → Cast → × per-token scale), a Unigram tokenizer.json with USE's sentencepiece
 * vocabulary, and a BERT-shaped config so the feature-extraction pipeline mean-pools it.
 * The protobuf is encoded by hand: the graph has four nodes, not worth a dependency.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Vocabulary } from './static-embedder.js';

// --- minimal protobuf writer -------------------------------------------------------------
const varint = (n: number | bigint): number[] => {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
};
const key = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, n: number | bigint) => Buffer.from([...key(field, 0), ...varint(n)]);
const bytes = (field: number, b: Uint8Array) =>
  Buffer.concat([Buffer.from([...key(field, 2), ...varint(b.length)]), b]);
const str = (field: number, s: string) => bytes(field, Buffer.from(s, 'utf8'));
const msg = (field: number, parts: Buffer[]) => bytes(field, Buffer.concat(parts));

const FLOAT = 1;
const INT8 = 3;
const INT64 = 7;

function tensor(name: string, dims: number[], type: number, raw: Uint8Array): Buffer[] {
  return [...dims.map((d) => int(1, d)), int(2, type), str(8, name), bytes(9, raw)];
}
function valueInfo(field: number, name: string, elemType: number, dims: Array<number | string>): Buffer {
  const shape = dims.map((d) => msg(1, [typeof d === 'number' ? int(1, d) : str(2, d)]));
  return msg(field, [str(1, name), msg(2, [msg(1, [int(1, elemType), msg(2, shape)])])]);
}
function node(inputs: string[], outputs: string[], op: string, name: string, attrs: Buffer[] = []): Buffer {
  return msg(1, [
    ...inputs.map((i) => str(1, i)),
    ...outputs.map((o) => str(2, o)),
    str(3, name),
    str(4, op),
    ...attrs,
  ]);
}

/** `rowsInt8`: V×dim int8 table; `rowScale`: per token, quantisation scale × SIF weight. */
export function staticOnnx(rowsInt8: Int8Array, rowScale: Float32Array, dim: number): Buffer {
  const V = rowScale.length;
  const graph = [
    node(['table', 'input_ids'], ['q'], 'Gather', 'gather_rows'),
    node(['q'], ['qf'], 'Cast', 'to_float', [msg(5, [str(1, 'to'), int(3, FLOAT), int(20, 2)])]),
    node(['scale', 'input_ids'], ['s'], 'Gather', 'gather_scale'),
    node(['qf', 's'], ['last_hidden_state'], 'Mul', 'rescale'),
    str(2, 'static_use'),
    msg(
      5,
      tensor(
        'table',
        [V, dim],
        INT8,
        new Uint8Array(rowsInt8.buffer, rowsInt8.byteOffset, rowsInt8.byteLength),
      ),
    ),
    msg(
      5,
      tensor(
        'scale',
        [V, 1],
        FLOAT,
        new Uint8Array(rowScale.buffer, rowScale.byteOffset, rowScale.byteLength),
      ),
    ),
    valueInfo(11, 'input_ids', INT64, ['batch', 'sequence']),
    // Unused by the graph; present because the pipeline always feeds it (and pools with it).
    valueInfo(11, 'attention_mask', INT64, ['batch', 'sequence']),
    valueInfo(12, 'last_hidden_state', FLOAT, ['batch', 'sequence', dim]),
  ];
  return Buffer.concat([int(1, 7), str(2, 'chatdesk'), msg(7, graph), msg(8, [str(1, ''), int(2, 13)])]);
}

export function unigramTokenizerJson(vocab: Vocabulary): object {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', add_prefix_space: true },
    post_processor: null,
    decoder: { type: 'Metaspace', replacement: '\u2581', add_prefix_space: true },
    model: { type: 'Unigram', unk_id: 0, vocab },
  };
}

export async function writeTransformersModel(
  dir: string,
  t: { dim: number; table: Float32Array; weights: Float32Array },
  vocab: Vocabulary,
): Promise<void> {
  const V = t.weights.length;
  const q = new Int8Array(V * t.dim);
  const scale = new Float32Array(V);
  for (let r = 0; r < V; r++) {
    let max = 0;
    for (let d = 0; d < t.dim; d++) max = Math.max(max, Math.abs(t.table[r * t.dim + d] as number));
    const s = max > 0 ? max / 127 : 1;
    for (let d = 0; d < t.dim; d++) q[r * t.dim + d] = Math.round((t.table[r * t.dim + d] as number) / s);
    // Control tokens (ids < 6) carry no meaning: zero them like the TypeScript encoder skips them.
    scale[r] = r < 6 ? 0 : s * (t.weights[r] as number);
  }
  await mkdir(join(dir, 'onnx'), { recursive: true });
  await writeFile(join(dir, 'onnx', 'model.onnx'), staticOnnx(q, scale, t.dim));
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(unigramTokenizerJson(vocab)));
  await writeFile(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({ model_max_length: 512, tokenizer_class: 'PreTrainedTokenizer' }),
  );
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({ model_type: 'bert', hidden_size: t.dim, architectures: ['BertModel'], vocab_size: V }),
  );
}
