/**
 * Writes the distilled static embedding table as a transformers.js model directory: an ONNX graph
 * (Gather int8 rows → Cast → × per-token scale), a Unigram tokenizer.json with USE's sentencepiece
 * vocabulary, and a BERT-shaped config so the feature-extraction pipeline mean-pools it.
 * The protobuf is encoded by hand (onnx-proto.ts): the graph has four nodes, not worth a dependency.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  attrInt,
  FLOAT,
  graphInput,
  graphOutput,
  INT8,
  INT64,
  initializer,
  model,
  node,
} from './onnx-proto.js';
import type { Vocabulary } from './static-embedder.js';

/** `rowsInt8`: V×dim int8 table; `rowScale`: per token, quantisation scale × SIF weight. */
function staticOnnx(rowsInt8: Int8Array, rowScale: Float32Array, dim: number): Buffer {
  const V = rowScale.length;
  const graph = [
    node(['table', 'input_ids'], ['q'], 'Gather', 'gather_rows'),
    node(['q'], ['qf'], 'Cast', 'to_float', [attrInt('to', FLOAT)]),
    node(['scale', 'input_ids'], ['s'], 'Gather', 'gather_scale'),
    node(['qf', 's'], ['last_hidden_state'], 'Mul', 'rescale'),
    initializer(
      'table',
      [V, dim],
      INT8,
      new Uint8Array(rowsInt8.buffer, rowsInt8.byteOffset, rowsInt8.byteLength),
    ),
    initializer(
      'scale',
      [V, 1],
      FLOAT,
      new Uint8Array(rowScale.buffer, rowScale.byteOffset, rowScale.byteLength),
    ),
    graphInput('input_ids', INT64, ['batch', 'sequence']),
    // Unused by the graph; present because the pipeline always feeds it (and pools with it).
    graphInput('attention_mask', INT64, ['batch', 'sequence']),
    graphOutput('last_hidden_state', FLOAT, ['batch', 'sequence', dim]),
  ];
  return model('static_use', graph, { irVersion: 7, opset: 13 });
}

function unigramTokenizerJson(vocab: Vocabulary): object {
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
