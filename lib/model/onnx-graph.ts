/**
 * Reading ONNX bytes on the protobuf wire format, without decoding tensors: the fields of a
 * message with their byte ranges, the main graph's nodes and value infos, and the data flow
 * from graph inputs to the nodes that impute missing values. Every walk skips a payload it does
 * not need by its length, so big initializers cost nothing. Pure.
 */
import { MlPredictError } from '../errors.js';

/** One field of a message: its number, wire type and where it lies in the bytes. */
export interface Field {
  field: number;
  wire: number;
  /** Where the field's key starts (the field spans `at` to `end`, key and payload). */
  at: number;
  /** varint value (wire 0) */
  value?: number;
  /** The payload: a length-delimited field's bytes (wire 2), a fixed32/fixed64's (wires 5, 1), a varint's (wire 0). */
  start: number;
  end: number;
}

/** The bytes end inside a field. */
export class Truncated extends Error {}
/** The bytes are not protobuf (a bad wire type, field 0, a varint over 10 bytes). */
export class Malformed extends Error {}

export function readVarint(b: Uint8Array, pos: number, end: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new Truncated('varint runs past the end');
    const byte = b[pos++]!;
    if (shift < 53) result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return [result, pos];
  }
  throw new Malformed('varint longer than 10 bytes');
}

/** A varint as a signed 64-bit integer (an int64 field: negative values take 10 bytes). */
export function readInt64(b: Uint8Array, pos: number, end: number): [bigint, number] {
  let result = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new Truncated('varint runs past the end');
    const byte = b[pos++]!;
    result |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) return [BigInt.asIntN(64, result), pos];
  }
  throw new Malformed('varint longer than 10 bytes');
}

export function* fields(b: Uint8Array, start: number, end: number): Generator<Field> {
  let pos = start;
  while (pos < end) {
    const at = pos;
    const [key, p] = readVarint(b, pos, end);
    pos = p;
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field === 0) throw new Malformed('field number 0');
    switch (wire) {
      case 0: {
        const [value, q] = readVarint(b, pos, end);
        yield { field, wire, at, value, start: pos, end: q };
        pos = q;
        break;
      }
      case 1:
      case 5: {
        const size = wire === 1 ? 8 : 4;
        if (pos + size > end) throw new Truncated(`fixed${size * 8} runs past the end`);
        yield { field, wire, at, start: pos, end: pos + size };
        pos += size;
        break;
      }
      case 2: {
        const [len, q] = readVarint(b, pos, end);
        if (q + len > end) throw new Truncated(`a field of ${len} bytes runs past the end`);
        yield { field, wire, at, start: q, end: q + len };
        pos = q + len;
        break;
      }
      default:
        throw new Malformed(`wire type ${wire}`);
    }
  }
}

const decoder = new TextDecoder();
export const text = (b: Uint8Array, f: Field): string => decoder.decode(b.subarray(f.start, f.end));

/** MODEL_INVALID for bytes that are not a model, with what is wrong. */
export function notOnnx(name: string, bytes: Uint8Array, what: string): MlPredictError {
  return new MlPredictError(
    'MODEL_INVALID',
    `"${name}" is not a valid ONNX model (${bytes.length} bytes): ${what}. Check that the URL serves the .onnx file itself, complete and unmodified.`,
    { bytes: bytes.length },
  );
}

/** Runs a walk over `bytes`, turning the wire format's failures into MODEL_INVALID. */
export function onWire<T>(name: string, bytes: Uint8Array, walk: () => T): T {
  try {
    return walk();
  } catch (e) {
    if (e instanceof Truncated) throw notOnnx(name, bytes, `the bytes end early (${e.message}); the file looks truncated`);
    if (e instanceof Malformed) throw notOnnx(name, bytes, `the bytes are not protobuf (${e.message})`);
    throw e;
  }
}

/** Kind of a TypeProto: tensor, sequence, map, optional, sparse_tensor. */
export function typeKind(b: Uint8Array, start: number, end: number): string {
  for (const f of fields(b, start, end)) {
    switch (f.field) {
      case 1:
        return 'tensor';
      case 4:
        return 'sequence';
      case 5:
        return 'map';
      case 8:
        return 'sparse tensor';
      case 9:
        return 'optional';
    }
  }
  return 'unknown';
}

/** A NodeProto of the main graph: what the graph walks read of it, and its field in the graph. */
export interface GraphNode {
  op: string;
  /** '' for ai.onnx. */
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  field: Field;
}

/** A ValueInfoProto (graph input, output or value_info) and its field in the graph. */
export interface GraphValue {
  name: string;
  /** typeKind() of its type; 'tensor' when it has none. */
  kind: string;
  field: Field;
}

export interface GraphLayout {
  /** The ModelProto's graph field (the last, as protobuf reads a repeated message field). */
  graph: Field;
  /** How many graph fields the ModelProto has (protobuf merges several into one). */
  graphs: number;
  nodes: GraphNode[];
  inputs: GraphValue[];
  outputs: GraphValue[];
  valueInfo: GraphValue[];
  /** The order of the graph's fields, by field number, as they lie in the bytes. */
  order: Field[];
}

function readNode(b: Uint8Array, f: Field): GraphNode {
  const node: GraphNode = { op: '', domain: '', name: '', inputs: [], outputs: [], field: f };
  for (const g of fields(b, f.start, f.end)) {
    if (g.wire !== 2) continue;
    if (g.field === 1) node.inputs.push(text(b, g));
    else if (g.field === 2) node.outputs.push(text(b, g));
    else if (g.field === 3) node.name = text(b, g);
    else if (g.field === 4) node.op = text(b, g);
    else if (g.field === 7) node.domain = text(b, g);
  }
  if (node.domain === 'ai.onnx') node.domain = '';
  return node;
}

function readValue(b: Uint8Array, f: Field): GraphValue {
  let name = '';
  let kind = 'tensor';
  for (const g of fields(b, f.start, f.end)) {
    if (g.field === 1 && g.wire === 2) name = text(b, g);
    else if (g.field === 2 && g.wire === 2) kind = typeKind(b, g.start, g.end);
  }
  return { name, kind, field: f };
}

/**
 * The main graph's nodes, inputs, outputs and value infos. Throws Truncated or Malformed
 * (onWire turns them into MODEL_INVALID), and MODEL_INVALID for a model without a graph.
 */
export function readGraph(bytes: Uint8Array, name: string): GraphLayout {
  let graph: Field | undefined;
  let graphs = 0;
  for (const f of fields(bytes, 0, bytes.length)) {
    if (f.field === 7 && f.wire === 2) {
      graph = f;
      graphs++;
    }
  }
  if (!graph) throw notOnnx(name, bytes, 'it has no graph');
  const layout: GraphLayout = { graph, graphs, nodes: [], inputs: [], outputs: [], valueInfo: [], order: [] };
  for (const f of fields(bytes, graph.start, graph.end)) {
    layout.order.push(f);
    if (f.wire !== 2) continue;
    if (f.field === 1) layout.nodes.push(readNode(bytes, f));
    else if (f.field === 11) layout.inputs.push(readValue(bytes, f));
    else if (f.field === 12) layout.outputs.push(readValue(bytes, f));
    else if (f.field === 13) layout.valueInfo.push(readValue(bytes, f));
  }
  return layout;
}

/** A node's attributes (AttributeProto fields), by name. */
export function attributes(b: Uint8Array, node: GraphNode): Map<string, Field> {
  const out = new Map<string, Field>();
  for (const f of fields(b, node.field.start, node.field.end)) {
    if (f.field !== 5 || f.wire !== 2) continue;
    for (const g of fields(b, f.start, f.end)) {
      if (g.field === 1 && g.wire === 2) {
        out.set(text(b, g), f);
        break;
      }
    }
  }
  return out;
}

/** An attribute's float (AttributeProto.f), or undefined when it has none. */
function attributeFloat(b: Uint8Array, attribute: Field | undefined): number | undefined {
  if (!attribute) return undefined;
  let value: number | undefined;
  for (const g of fields(b, attribute.start, attribute.end)) {
    if (g.field === 2 && g.wire === 5) value = new DataView(b.buffer, b.byteOffset + g.start, 4).getFloat32(0, true);
  }
  return value;
}

/**
 * Whether a node turns NaN into something else: ai.onnx's IsNaN, or an ai.onnx.ml Imputer
 * whose `replaced_value_float` is NaN (what scikit-learn's SimpleImputer exports; an Imputer
 * that replaces another value leaves NaN as it is).
 */
function readsNaN(b: Uint8Array, node: GraphNode): boolean {
  if (node.op === 'IsNaN') return node.domain === '';
  if (node.op !== 'Imputer' || node.domain !== 'ai.onnx.ml') return false;
  const replaced = attributeFloat(b, attributes(b, node).get('replaced_value_float'));
  return replaced !== undefined && Number.isNaN(replaced);
}

/**
 * The graph inputs whose values reach a node that reads NaN as a missing value (an Imputer of
 * NaN, or IsNaN), following the data flow through every node on the way (Cast, Concat, Slice,
 * Gather…): NaN is a value these inputs may hold. In graph input order. Pure; MODEL_INVALID for
 * bytes that are not an ONNX model.
 */
export function inputsAllowingMissing(bytes: Uint8Array, name = 'model'): string[] {
  return onWire(name, bytes, () => {
    const g = readGraph(bytes, name);
    // Which graph inputs each tensor's values come from. Nodes are in topological order (ONNX requires it).
    const origins = new Map<string, ReadonlySet<string>>(g.inputs.map((i) => [i.name, new Set([i.name])]));
    const allowed = new Set<string>();
    for (const node of g.nodes) {
      const from = new Set<string>();
      for (const x of node.inputs) for (const o of origins.get(x) ?? []) from.add(o);
      if (from.size === 0) continue;
      if (readsNaN(bytes, node)) {
        for (const o of from) allowed.add(o);
        continue; // what comes out has no NaN left
      }
      for (const y of node.outputs) origins.set(y, from);
    }
    return g.inputs.map((i) => i.name).filter((n, i, all) => allowed.has(n) && all.indexOf(n) === i);
  });
}
