/**
 * A quick structural read of ONNX bytes before onnxruntime sees them: is this a well-formed
 * ModelProto with a graph, which operator domains does it import, and are its outputs tensors?
 * Walks the protobuf wire format without decoding tensors, so it costs little even for large
 * models. Pure.
 */
import { MlPredictError } from '../errors.js';
import { fields, notOnnx, onWire, text, typeKind, type Field } from './onnx-graph.js';

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

export function inspectOnnx(bytes: Uint8Array, name: string): OnnxSummary {
  const problem = (what: string) => notOnnx(name, bytes, what);
  if (bytes.length === 0) throw problem('the file is empty');
  let irVersion = -1;
  let graph: Field | undefined;
  const domains: string[] = [];
  return onWire(name, bytes, () => {
    for (const f of fields(bytes, 0, bytes.length)) {
      if (f.field === 1 && f.wire === 0) irVersion = f.value!;
      else if (f.field === 7 && f.wire === 2) graph = f;
      else if (f.field === 8 && f.wire === 2) {
        let domain = '';
        for (const g of fields(bytes, f.start, f.end)) if (g.field === 1 && g.wire === 2) domain = text(bytes, g);
        domains.push(domain);
      }
    }
    if (irVersion < 1 || irVersion > 64) throw problem(irVersion < 0 ? 'it has no ir_version' : `ir_version ${irVersion} is out of range`);
    if (!graph) throw problem('it has no graph');
    const nonTensorOutputs: OnnxSummary['nonTensorOutputs'] = [];
    const ops = new Set<string>();
    let outputs = 0;
    for (const f of fields(bytes, graph.start, graph.end)) {
      if (f.field === 1 && f.wire === 2) {
        for (const g of fields(bytes, f.start, f.end)) if (g.field === 4 && g.wire === 2) ops.add(text(bytes, g));
      } else if (f.field === 12 && f.wire === 2) {
        outputs++;
        let outName = '';
        let kind = 'tensor';
        for (const g of fields(bytes, f.start, f.end)) {
          if (g.field === 1 && g.wire === 2) outName = text(bytes, g);
          else if (g.field === 2 && g.wire === 2) kind = typeKind(bytes, g.start, g.end);
        }
        if (kind !== 'tensor') nonTensorOutputs.push({ name: outName, kind });
      }
    }
    if (outputs === 0) throw problem('its graph has no outputs, so it cannot answer anything');
    return { irVersion, domains, nonTensorOutputs, ops: [...ops].sort(), outputs };
  });
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
