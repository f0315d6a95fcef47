/**
 * A quick structural read of ONNX bytes before onnxruntime sees them: is this a well-formed
 * ModelProto with a graph, which operator domains does it import, and are its outputs tensors?
 * Walks the protobuf wire format without decoding tensors, so it costs little even for large
 * models. Pure.
 */
import { MlPredictError } from '../errors.js';

export interface OnnxSummary {
  irVersion: number;
  /** Operator set domains imported ('' is ai.onnx). */
  domains: string[];
  /** Graph outputs whose type is not a tensor (sequence, map…), with the type's kind. */
  nonTensorOutputs: { name: string; kind: string }[];
  /** Operator types used in the main graph. */
  ops: string[];
  /** Number of graph outputs (at least 1: a graph without outputs is refused). */
  outputs: number;
}

interface Field {
  field: number;
  wire: number;
  /** varint value (wire 0) */
  value?: number;
  /** bounds of a length-delimited payload (wire 2) */
  start?: number;
  end?: number;
}

class Truncated extends Error {}
class Malformed extends Error {}

function readVarint(b: Uint8Array, pos: number, end: number): [number, number] {
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

function* fields(b: Uint8Array, start: number, end: number): Generator<Field> {
  let pos = start;
  while (pos < end) {
    const [key, p] = readVarint(b, pos, end);
    pos = p;
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field === 0) throw new Malformed('field number 0');
    switch (wire) {
      case 0: {
        const [value, q] = readVarint(b, pos, end);
        pos = q;
        yield { field, wire, value };
        break;
      }
      case 1:
        if (pos + 8 > end) throw new Truncated('fixed64 runs past the end');
        pos += 8;
        yield { field, wire };
        break;
      case 2: {
        const [len, q] = readVarint(b, pos, end);
        if (q + len > end) throw new Truncated(`a field of ${len} bytes runs past the end`);
        yield { field, wire, start: q, end: q + len };
        pos = q + len;
        break;
      }
      case 5:
        if (pos + 4 > end) throw new Truncated('fixed32 runs past the end');
        pos += 4;
        yield { field, wire };
        break;
      default:
        throw new Malformed(`wire type ${wire}`);
    }
  }
}

const decoder = new TextDecoder();
const text = (b: Uint8Array, f: Field) => decoder.decode(b.subarray(f.start, f.end));

/** Kind of a TypeProto: tensor, sequence, map, optional, sparse_tensor. */
function typeKind(b: Uint8Array, start: number, end: number): string {
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

export function inspectOnnx(bytes: Uint8Array, name: string): OnnxSummary {
  const problem = (what: string) =>
    new MlPredictError(
      'MODEL_INVALID',
      `"${name}" is not a valid ONNX model (${bytes.length} bytes): ${what}. Check that the URL serves the .onnx file itself, complete and unmodified.`,
      { bytes: bytes.length },
    );
  if (bytes.length === 0) throw problem('the file is empty');
  let irVersion = -1;
  let graph: Field | undefined;
  const domains: string[] = [];
  try {
    for (const f of fields(bytes, 0, bytes.length)) {
      if (f.field === 1 && f.wire === 0) irVersion = f.value!;
      else if (f.field === 7 && f.wire === 2) graph = f;
      else if (f.field === 8 && f.wire === 2) {
        let domain = '';
        for (const g of fields(bytes, f.start!, f.end!)) if (g.field === 1 && g.wire === 2) domain = text(bytes, g);
        domains.push(domain);
      }
    }
    if (irVersion < 1 || irVersion > 64) throw problem(irVersion < 0 ? 'it has no ir_version' : `ir_version ${irVersion} is out of range`);
    if (!graph) throw problem('it has no graph');
    const nonTensorOutputs: OnnxSummary['nonTensorOutputs'] = [];
    const ops = new Set<string>();
    let outputs = 0;
    for (const f of fields(bytes, graph.start!, graph.end!)) {
      if (f.field === 1 && f.wire === 2) {
        for (const g of fields(bytes, f.start!, f.end!)) if (g.field === 4 && g.wire === 2) ops.add(text(bytes, g));
      } else if (f.field === 12 && f.wire === 2) {
        outputs++;
        let outName = '';
        let kind = 'tensor';
        for (const g of fields(bytes, f.start!, f.end!)) {
          if (g.field === 1 && g.wire === 2) outName = text(bytes, g);
          else if (g.field === 2 && g.wire === 2) kind = typeKind(bytes, g.start!, g.end!);
        }
        if (kind !== 'tensor') nonTensorOutputs.push({ name: outName, kind });
      }
    }
    if (outputs === 0) throw problem('its graph has no outputs, so it cannot answer anything');
    return { irVersion, domains, nonTensorOutputs, ops: [...ops].sort(), outputs };
  } catch (e) {
    if (e instanceof MlPredictError) throw e;
    if (e instanceof Truncated) throw problem(`the bytes end early (${e.message}); the file looks truncated`);
    if (e instanceof Malformed) throw problem(`the bytes are not protobuf (${e.message})`);
    throw e;
  }
}

/** Rejects models onnxruntime-web cannot serve usefully, with the fix in the message. */
export function checkSupported(summary: OnnxSummary, name: string): void {
  if (summary.nonTensorOutputs.length > 0) {
    const list = summary.nonTensorOutputs.map((o) => `"${o.name}" (${o.kind})`).join(', ');
    const zipmap = summary.ops.includes('ZipMap');
    throw new MlPredictError(
      'UNSUPPORTED_MODEL',
      `Model "${name}" has outputs that are not tensors: ${list}. onnxruntime-web returns tensors only.` +
        (zipmap
          ? ' The graph ends in ZipMap: export the classifier without it (skl2onnx: options={id(model): {"zipmap": False}}), so probabilities come out as a tensor.'
          : ' Re-export the model so that every output is a tensor.'),
      { outputs: summary.nonTensorOutputs },
    );
  }
}
