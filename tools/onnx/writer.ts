/**
 * A small typed writer for ONNX models (ModelProto), over the field numbers of onnx.proto3.
 * Enough for the demo models and test fixtures: tensors, value infos (tensor, sequence, map),
 * nodes with typed attributes, graphs, opset imports and metadata. Output is deterministic.
 */
import { ProtoWriter } from './protobuf.js';

/** onnx.TensorProto.DataType */
export const DataType = {
  float: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  double: 11,
  uint32: 12,
  uint64: 13,
} as const;
export type ElemType = keyof typeof DataType;

/** A dimension: a fixed size, a symbolic name (dynamic), or null for an unknown one (what skl2onnx writes for None). */
export type Dim = number | string | null;

export type ValueType =
  | { tensor: ElemType; shape?: Dim[] }
  | { sequence: ValueType }
  | { map: { key: ElemType; value: ValueType } };

export interface ValueInfo {
  name: string;
  type: ValueType;
  doc?: string;
}

export interface TensorInit {
  name: string;
  type: ElemType;
  dims: number[];
  /** float/double/int32/int64/uint8/bool values, or strings for string tensors. */
  values: ArrayLike<number> | readonly bigint[] | readonly string[];
}

export type AttributeValue =
  | { f: number }
  | { i: number }
  | { s: string }
  | { floats: ArrayLike<number> }
  /** `unpacked`: one field per value, as ONNX's proto2 schema writes them (protobuf's Python encoder); packed by default. */
  | { ints: ArrayLike<number | bigint>; unpacked?: boolean }
  | { strings: readonly string[] }
  | { t: TensorInit }
  /** A subgraph (Loop's body, If's branches). */
  | { g: GraphDef };

export interface NodeDef {
  op: string;
  inputs: string[];
  outputs: string[];
  domain?: string;
  name?: string;
  attributes?: Record<string, AttributeValue>;
}

export interface GraphDef {
  name: string;
  nodes: NodeDef[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers?: TensorInit[];
  /** Types of intermediate values (GraphProto.value_info). */
  valueInfo?: ValueInfo[];
  doc?: string;
}

export interface ModelDef {
  graph: GraphDef;
  /** opset versions by domain; '' is ai.onnx. Defaults to { '': 17 }. */
  opsets?: Record<string, number>;
  irVersion?: number;
  producer?: string;
  producerVersion?: string;
  modelVersion?: number;
  doc?: string;
  metadata?: Record<string, string>;
}

/** AttributeProto.AttributeType */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

function writeTensor(w: ProtoWriter, t: TensorInit): void {
  w.packedInts(1, t.dims);
  w.int(2, DataType[t.type]);
  w.string(8, t.name);
  const values = t.values;
  switch (t.type) {
    case 'float':
      w.packedFloats(4, values as ArrayLike<number>);
      break;
    case 'double':
      w.packedDoubles(10, values as ArrayLike<number>);
      break;
    case 'int64':
      w.packedInts(7, values as ArrayLike<number | bigint>);
      break;
    case 'int32':
    case 'uint8':
    case 'int8':
    case 'bool':
    case 'int16':
    case 'uint16':
      w.packedInts(5, values as ArrayLike<number>);
      break;
    case 'string':
      for (const s of values as readonly string[]) w.string(6, s);
      break;
    default:
      throw new Error(`writeTensor: element type "${t.type}" is not supported by this writer`);
  }
}

function writeType(w: ProtoWriter, type: ValueType): void {
  if ('tensor' in type) {
    w.message(1, (tt) => {
      tt.int(1, DataType[type.tensor]);
      if (type.shape) {
        const shape = type.shape;
        tt.message(2, (s) => {
          for (const d of shape) {
            s.message(1, (dim) => {
              if (typeof d === 'number') dim.int(1, d);
              else if (d !== null) dim.string(2, d);
            });
          }
        });
      }
    });
  } else if ('sequence' in type) {
    w.message(4, (seq) => seq.message(1, (inner) => writeType(inner, type.sequence)));
  } else {
    w.message(5, (map) => {
      map.int(1, DataType[type.map.key]);
      map.message(2, (inner) => writeType(inner, type.map.value));
    });
  }
}

function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (t) => writeType(t, v.type));
  if (v.doc) w.string(3, v.doc);
}

function writeAttribute(w: ProtoWriter, name: string, a: AttributeValue): void {
  w.string(1, name);
  if ('f' in a) {
    w.float(2, a.f).int(20, AttrType.FLOAT);
  } else if ('i' in a) {
    w.int(3, a.i).int(20, AttrType.INT);
  } else if ('s' in a) {
    w.string(4, a.s).int(20, AttrType.STRING);
  } else if ('t' in a) {
    w.message(5, (t) => writeTensor(t, a.t)).int(20, AttrType.TENSOR);
  } else if ('g' in a) {
    w.message(6, (g) => writeGraph(g, a.g)).int(20, AttrType.GRAPH);
  } else if ('floats' in a) {
    w.packedFloats(7, a.floats).int(20, AttrType.FLOATS);
  } else if ('ints' in a) {
    if (a.unpacked) for (let i = 0; i < a.ints.length; i++) w.int(8, a.ints[i]!);
    else w.packedInts(8, a.ints);
    w.int(20, AttrType.INTS);
  } else {
    for (const s of a.strings) w.string(9, s);
    w.int(20, AttrType.STRINGS);
  }
}

function writeNode(w: ProtoWriter, n: NodeDef, index: number): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name ?? `${n.op}_${index}`);
  w.string(4, n.op);
  // Attributes in name order so that the bytes do not depend on object key order.
  for (const key of Object.keys(n.attributes ?? {}).sort()) {
    w.message(5, (a) => writeAttribute(a, key, n.attributes![key]!));
  }
  if (n.domain) w.string(7, n.domain);
}

function writeGraph(w: ProtoWriter, g: GraphDef): void {
  g.nodes.forEach((n, i) => w.message(1, (nw) => writeNode(nw, n, i)));
  w.string(2, g.name);
  for (const t of g.initializers ?? []) w.message(5, (tw) => writeTensor(tw, t));
  if (g.doc) w.string(10, g.doc);
  for (const v of g.inputs) w.message(11, (vw) => writeValueInfo(vw, v));
  for (const v of g.outputs) w.message(12, (vw) => writeValueInfo(vw, v));
  for (const v of g.valueInfo ?? []) w.message(13, (vw) => writeValueInfo(vw, v));
}

/** Encodes a model to ONNX bytes. */
export function writeModel(m: ModelDef): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, m.irVersion ?? 8);
  w.string(2, m.producer ?? 'ml-predict-tools');
  w.string(3, m.producerVersion ?? '1');
  if (m.modelVersion !== undefined) w.int(5, m.modelVersion);
  if (m.doc) w.string(6, m.doc);
  w.message(7, (g) => writeGraph(g, m.graph));
  const opsets = m.opsets ?? { '': 17 };
  for (const domain of Object.keys(opsets).sort()) {
    w.message(8, (o) => {
      if (domain) o.string(1, domain);
      o.int(2, opsets[domain]!);
    });
  }
  const meta = m.metadata ?? {};
  for (const key of Object.keys(meta).sort()) {
    w.message(14, (e) => e.string(1, key).string(2, meta[key]!));
  }
  return w.finish();
}
