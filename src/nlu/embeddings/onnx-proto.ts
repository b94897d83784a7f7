/**
 * A minimal ONNX protobuf writer: just the messages our hand-built graphs need (ModelProto,
 * GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto). Field numbers follow onnx.proto.
 * Encoding by hand keeps a protobuf/onnx dependency out for graphs of a few dozen nodes.
 */

const varint = (n: number | bigint): number[] => {
  // Negative int64 values are written as their 64-bit two's complement (ten bytes), as protobuf does.
  let v = BigInt.asUintN(64, BigInt(n));
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

/**
 * An encoded fragment as a list of chunks; concatenated once at the end, so a 20 MB weight tensor
 * is copied once instead of once per nesting level.
 */
export type Encoded = Uint8Array[];
const byteLength = (e: Encoded) => e.reduce((n, c) => n + c.length, 0);

const int = (field: number, n: number | bigint): Encoded => [
  Uint8Array.from([...key(field, 0), ...varint(n)]),
];
const bytes = (field: number, b: Uint8Array): Encoded => [
  Uint8Array.from([...key(field, 2), ...varint(b.length)]),
  b,
];
const str = (field: number, s: string): Encoded => bytes(field, Buffer.from(s, 'utf8'));
const msg = (field: number, parts: Encoded[]): Encoded => {
  const flat = parts.flat();
  return [Uint8Array.from([...key(field, 2), ...varint(byteLength(flat))]), ...flat];
};
const fixed32Float = (field: number, f: number): Encoded => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(f);
  return [Uint8Array.from(key(field, 5)), b];
};

/** TensorProto.DataType values. */
export const FLOAT = 1;
export const INT8 = 3;
export const INT32 = 6;
export const INT64 = 7;

/** A NodeProto attribute (AttributeProto, field 5 of NodeProto). */
export type Attr = Encoded;
export const attrInt = (name: string, v: number): Attr => msg(5, [str(1, name), int(3, v), int(20, 2)]);
export const attrFloat = (name: string, v: number): Attr =>
  msg(5, [str(1, name), fixed32Float(2, v), int(20, 1)]);
export const attrInts = (name: string, vs: number[]): Attr =>
  msg(5, [str(1, name), ...vs.map((v) => int(8, v)), int(20, 7)]);

function tensor(name: string, dims: number[], type: number, raw: Uint8Array): Encoded[] {
  return [...dims.map((d) => int(1, d)), int(2, type), str(8, name), bytes(9, raw)];
}

/** An initializer (GraphProto field 5). */
export const initializer = (name: string, dims: number[], type: number, raw: Uint8Array): Encoded =>
  msg(5, tensor(name, dims, type, raw));

export const floatInit = (name: string, dims: number[], data: Float32Array): Encoded =>
  initializer(name, dims, FLOAT, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));

export const int64Init = (name: string, values: number[]): Encoded => {
  const data = BigInt64Array.from(values, (v) => BigInt(v));
  return initializer(name, [values.length], INT64, new Uint8Array(data.buffer));
};

function valueInfo(field: number, name: string, elemType: number, dims: Array<number | string>): Encoded {
  const shape = dims.map((d) => msg(1, [typeof d === 'number' ? int(1, d) : str(2, d)]));
  return msg(field, [str(1, name), msg(2, [msg(1, [int(1, elemType), msg(2, shape)])])]);
}
export const graphInput = (name: string, elemType: number, dims: Array<number | string>) =>
  valueInfo(11, name, elemType, dims);
export const graphOutput = (name: string, elemType: number, dims: Array<number | string>) =>
  valueInfo(12, name, elemType, dims);

/** `domain`: '' for standard ONNX ops, 'com.microsoft' for onnxruntime's contrib ops. */
export function node(
  inputs: string[],
  outputs: string[],
  op: string,
  name: string,
  attrs: Attr[] = [],
  domain = '',
): Encoded {
  return msg(1, [
    ...inputs.map((i) => str(1, i)),
    ...outputs.map((o) => str(2, o)),
    str(3, name),
    str(4, op),
    ...attrs,
    ...(domain === '' ? [] : [str(7, domain)]),
  ]);
}

/** A ModelProto holding one graph (its nodes, initializers, inputs and outputs already encoded). */
export function model(
  graphName: string,
  graph: Encoded[],
  opts: { irVersion: number; opset: number; domains?: Record<string, number> },
): Buffer {
  const opsets = [['', opts.opset] as const, ...Object.entries(opts.domains ?? {})];
  return Buffer.concat([
    ...int(1, opts.irVersion),
    ...str(2, 'chatdesk'),
    ...msg(7, [...graph, str(2, graphName)]),
    ...opsets.flatMap(([domain, version]) => msg(8, [str(1, domain), int(2, version)])),
  ]);
}
