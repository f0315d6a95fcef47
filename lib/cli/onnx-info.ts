/**
 * What an ONNX file declares, read from its protobuf wire format (onnx.proto3 field numbers)
 * without decoding tensor data: graph inputs and outputs with their types and dims, opset
 * imports, every node (subgraphs of If/Loop/Scan included) with its domain, ZipMap nodes and
 * their class labels, and initializers stored as external data. Pure; bytes that are not
 * protobuf are MODEL_INVALID with the library's own message (onWire).
 */
import { fields, onWire, readInt64, text, type Field } from '../model/onnx-graph.js';

export type Dim = number | string | null;

export interface ValueType {
  kind: 'tensor' | 'sequence' | 'map' | 'optional' | 'sparse tensor' | 'unknown';
  /** Element type of a tensor (onnxruntime's names: float32, int64, string…). */
  elem?: string;
  /** Dims of a tensor: a size, a symbolic name, or null (unknown); undefined when no shape is declared. */
  dims?: Dim[];
  /** How it reads: "float32 [N, 30]", "seq(map(int64, float32))". */
  text: string;
}

export interface ValueInfo {
  name: string;
  type: ValueType;
}

export interface NodeInfo {
  op: string;
  /** '' is ai.onnx. */
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  /** 0 for the main graph, deeper for subgraphs. */
  depth: number;
}

export interface ZipMapInfo {
  node: string;
  /** The probabilities tensor it reads. */
  input: string;
  /** The map output. */
  output: string;
  labels: string[];
}

export interface OnnxInfo {
  irVersion: number;
  producer: string;
  opsets: { domain: string; version: number }[];
  /** Graph inputs that are not initializers (what a caller feeds). */
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: NodeInfo[];
  initializers: number;
  /** Initializers whose data lives in another file (data_location EXTERNAL). */
  externalData: { tensor: string; location: string }[];
  zipMaps: ZipMapInfo[];
  /** Model-local functions (their names), which onnxruntime inlines. */
  functions: string[];
  metadata: Record<string, string>;
}

/** The fields of a message, in order. */
const list = (b: Uint8Array, start: number, end: number): Field[] => [...fields(b, start, end)];
const str = (b: Uint8Array, f: Field) => text(b, f);
const int = (b: Uint8Array, f: Field) => Number(readInt64(b, f.start, f.end)[0]);

/** onnx.TensorProto.DataType → onnxruntime's type name. */
const ELEM: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 10: 'float16',
  11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16', 17: 'float8e4m3fn',
  18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4', 23: 'float4e2m1',
};

const elemName = (n: number) => ELEM[n] ?? `type ${n}`;

function shapeOf(b: Uint8Array, f: Field): Dim[] {
  return list(b, f.start, f.end)
    .filter((d) => d.field === 1 && d.wire === 2)
    .map((d) => {
      let dim: Dim = null;
      for (const g of list(b, d.start, d.end)) {
        if (g.field === 1 && g.wire === 0) dim = int(b, g);
        else if (g.field === 2 && g.wire === 2) dim = str(b, g);
      }
      return dim;
    });
}

function typeOf(b: Uint8Array, start: number, end: number): ValueType {
  for (const f of list(b, start, end)) {
    if (f.wire !== 2) continue;
    if (f.field === 1 || f.field === 8) {
      let elem = 'undefined';
      let dims: Dim[] | undefined;
      for (const g of list(b, f.start, f.end)) {
        if (g.field === 1 && g.wire === 0) elem = elemName(int(b, g));
        else if (g.field === 2 && g.wire === 2) dims = shapeOf(b, g);
      }
      const shape = dims ? ` [${dims.map((d) => d ?? '?').join(', ')}]` : '';
      return { kind: f.field === 1 ? 'tensor' : 'sparse tensor', elem, dims, text: `${f.field === 8 ? 'sparse ' : ''}${elem}${shape}` };
    }
    if (f.field === 4 || f.field === 9) {
      const inner = list(b, f.start, f.end).find((g) => g.field === 1 && g.wire === 2);
      const t = inner ? typeOf(b, inner.start, inner.end).text : '?';
      return f.field === 4 ? { kind: 'sequence', text: `seq(${t})` } : { kind: 'optional', text: `optional(${t})` };
    }
    if (f.field === 5) {
      let key = '?';
      let value = '?';
      for (const g of list(b, f.start, f.end)) {
        if (g.field === 1 && g.wire === 0) key = elemName(int(b, g));
        else if (g.field === 2 && g.wire === 2) value = typeOf(b, g.start, g.end).text;
      }
      return { kind: 'map', text: `map(${key}, ${value})` };
    }
  }
  return { kind: 'unknown', text: 'no type' };
}

function valueInfo(b: Uint8Array, f: Field): ValueInfo {
  let name = '';
  let type: ValueType = { kind: 'unknown', text: 'no type' };
  for (const g of list(b, f.start, f.end)) {
    if (g.field === 1 && g.wire === 2) name = str(b, g);
    else if (g.field === 2 && g.wire === 2) type = typeOf(b, g.start, g.end);
  }
  return { name, type };
}

/** A TensorProto's name and, when its data is external, its file. */
function tensorOf(b: Uint8Array, f: Field): { name: string; external?: string } {
  let name = '';
  let location = 0;
  let file = '';
  for (const g of list(b, f.start, f.end)) {
    if (g.field === 8 && g.wire === 2) name = str(b, g);
    else if (g.field === 14 && g.wire === 0) location = int(b, g);
    else if (g.field === 13 && g.wire === 2) {
      const kv = list(b, g.start, g.end);
      const key = kv.find((x) => x.field === 1 && x.wire === 2);
      const value = kv.find((x) => x.field === 2 && x.wire === 2);
      if (key && str(b, key) === 'location' && value) file = str(b, value);
    }
  }
  return location === 1 ? { name, external: file || '(no location)' } : { name };
}

/** Packed or repeated int64s of an AttributeProto's `ints` (field 8). */
function attrInts(b: Uint8Array, attr: Field[]): string[] {
  const out: string[] = [];
  for (const f of attr) {
    if (f.field !== 8) continue;
    if (f.wire === 0) out.push(String(readInt64(b, f.start, f.end)[0]));
    else if (f.wire === 2) {
      let pos = f.start;
      while (pos < f.end) {
        const [v, q] = readInt64(b, pos, f.end);
        out.push(String(v));
        pos = q;
      }
    }
  }
  return out;
}

function readGraph(b: Uint8Array, start: number, end: number, depth: number, info: OnnxInfo): { inputs: ValueInfo[]; outputs: ValueInfo[] } {
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  const inits = new Set<string>();
  for (const f of list(b, start, end)) {
    if (f.wire !== 2) continue;
    if (f.field === 1) readNode(b, f, depth, info);
    else if (f.field === 5 || f.field === 15) {
      const t = tensorOf(b, f.field === 15 ? (list(b, f.start, f.end).find((g) => g.field === 1 && g.wire === 2) ?? f) : f);
      inits.add(t.name);
      if (depth === 0) info.initializers++;
      if (t.external) info.externalData.push({ tensor: t.name, location: t.external });
    } else if (f.field === 11) inputs.push(valueInfo(b, f));
    else if (f.field === 12) outputs.push(valueInfo(b, f));
  }
  return { inputs: inputs.filter((i) => !inits.has(i.name)), outputs };
}

function readNode(b: Uint8Array, f: Field, depth: number, info: OnnxInfo): void {
  const node: NodeInfo = { op: '', domain: '', name: '', inputs: [], outputs: [], depth };
  const labels: string[] = [];
  for (const g of list(b, f.start, f.end)) {
    if (g.wire !== 2) continue;
    if (g.field === 1) node.inputs.push(str(b, g));
    else if (g.field === 2) node.outputs.push(str(b, g));
    else if (g.field === 3) node.name = str(b, g);
    else if (g.field === 4) node.op = str(b, g);
    else if (g.field === 7) node.domain = str(b, g);
    else if (g.field === 5) {
      const attr = list(b, g.start, g.end);
      const nameField = attr.find((a) => a.field === 1 && a.wire === 2);
      const attrName = nameField ? str(b, nameField) : '';
      if (attrName === 'classlabels_strings') for (const a of attr) if (a.field === 9 && a.wire === 2) labels.push(str(b, a));
      if (attrName === 'classlabels_int64s') labels.push(...attrInts(b, attr));
      for (const a of attr) {
        if (a.wire !== 2) continue;
        if (a.field === 6 || a.field === 11) readGraph(b, a.start, a.end, depth + 1, info);
        else if (a.field === 5 || a.field === 10) {
          const t = tensorOf(b, a);
          if (t.external) info.externalData.push({ tensor: t.name || `${node.name || node.op}.${attrName}`, location: t.external });
        }
      }
    }
  }
  info.nodes.push(node);
  if (node.op === 'ZipMap' && node.domain === 'ai.onnx.ml') {
    info.zipMaps.push({ node: node.name, input: node.inputs[0] ?? '', output: node.outputs[0] ?? '', labels });
  }
}

/** Reads an ONNX model's declarations. Bytes that are not protobuf are MODEL_INVALID naming `file`. */
export function readOnnx(bytes: Uint8Array, file: string): OnnxInfo {
  const info: OnnxInfo = {
    irVersion: 0,
    producer: '',
    opsets: [],
    inputs: [],
    outputs: [],
    nodes: [],
    initializers: 0,
    externalData: [],
    zipMaps: [],
    functions: [],
    metadata: {},
  };
  onWire(file, bytes, () => {
    let producer = '';
    let producerVersion = '';
    for (const f of list(bytes, 0, bytes.length)) {
      if (f.field === 1 && f.wire === 0) info.irVersion = int(bytes, f);
      else if (f.wire !== 2) continue;
      else if (f.field === 2) producer = str(bytes, f);
      else if (f.field === 3) producerVersion = str(bytes, f);
      else if (f.field === 8) {
        let domain = '';
        let version = 0;
        for (const g of list(bytes, f.start, f.end)) {
          if (g.field === 1 && g.wire === 2) domain = str(bytes, g);
          else if (g.field === 2 && g.wire === 0) version = int(bytes, g);
        }
        info.opsets.push({ domain, version });
      } else if (f.field === 7) {
        const g = readGraph(bytes, f.start, f.end, 0, info);
        info.inputs = g.inputs;
        info.outputs = g.outputs;
      } else if (f.field === 14) {
        const kv = list(bytes, f.start, f.end);
        const k = kv.find((x) => x.field === 1 && x.wire === 2);
        const v = kv.find((x) => x.field === 2 && x.wire === 2);
        if (k) info.metadata[str(bytes, k)] = v ? str(bytes, v) : '';
      } else if (f.field === 25) {
        const n = list(bytes, f.start, f.end).find((x) => x.field === 1 && x.wire === 2);
        info.functions.push(n ? str(bytes, n) : '(unnamed)');
      }
    }
    info.producer = [producer, producerVersion].filter(Boolean).join(' ');
  });
  return info;
}

/** The opset version the model imports for a domain ('' and 'ai.onnx' are the same). */
export function opsetOf(info: OnnxInfo, domain: string): number | undefined {
  const d = domain === 'ai.onnx' ? '' : domain;
  return info.opsets.find((o) => (o.domain === 'ai.onnx' ? '' : o.domain) === d)?.version;
}
