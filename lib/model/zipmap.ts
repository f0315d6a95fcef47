/**
 * ZipMap outputs read as tensors. A scikit-learn classifier exported by skl2onnx with its
 * default options ends in an ai.onnx.ml ZipMap node: its probabilities come out as a sequence of
 * maps (class → probability), which onnxruntime-web cannot hand out. `rewriteZipMap` replaces
 * each ZipMap whose output is a graph output by an Identity of the probabilities tensor that fed
 * it, under the same output name (tensor float [N, classes]), and reads the class labels from
 * ZipMap's `classlabels_strings` or `classlabels_int64s`. The bytes are spliced on the wire
 * format: every other field (initializers included) is copied once, as it is, never decoded.
 * Pure.
 */
import { MlPredictError } from '../errors.js';
import { checkSupported, inspectOnnx } from './onnx-check.js';
import { attributes, fields, onWire, readGraph, readInt64, text, type Field, type GraphLayout, type GraphNode } from './onnx-graph.js';
import { ProtoWriter } from './protobuf.js';

export { inputsAllowingMissing } from './onnx-graph.js';

/** One ZipMap output that now is the tensor of probabilities. */
export interface ZipMapRewrite {
  /** The graph output (ZipMap's output name, kept). */
  output: string;
  /** The class labels, in the order of the probabilities' last axis; int64 labels as their decimal text. */
  labels: string[];
  /**
   * The graph output with the predicted label of the classifier that fed ZipMap (its label
   * output, through Cast or Identity), when there is one: its values are the labels above
   * (an int64 label as the number itself).
   */
  label?: string;
}

export interface ZipMapResult {
  /** The rewritten model, or the very bytes given when nothing was rewritten. */
  bytes: Uint8Array;
  rewritten: ZipMapRewrite[];
}

/** The ai.onnx opset an added Identity is read under, for a model that imports ai.onnx.ml only. */
const IDENTITY_OPSET = 11;

function unsupported(name: string, outputs: { name: string; kind: string }[], why: string): MlPredictError {
  const list = outputs.map((o) => `"${o.name}" (${o.kind})`).join(', ');
  return new MlPredictError(
    'UNSUPPORTED_MODEL',
    `Model "${name}" has outputs that are not tensors: ${list}. onnxruntime-web returns tensors only; ${why} Export the classifier without ZipMap (skl2onnx: options={id(model): {"zipmap": False}}), or re-export the model so that every output is a tensor.`,
    { outputs },
  );
}

function invalid(name: string, message: string): MlPredictError {
  return new MlPredictError('MODEL_INVALID', `"${name}" is not a valid ONNX model: ${message}`);
}

/** ZipMap's class labels: `classlabels_strings` or `classlabels_int64s` (packed or not), exactly one of them. */
function zipMapLabels(b: Uint8Array, node: GraphNode, name: string): string[] {
  const attrs = attributes(b, node);
  const strings = attrs.get('classlabels_strings');
  const ints = attrs.get('classlabels_int64s');
  const where = `its ZipMap node "${node.name}"`;
  if ((strings === undefined) === (ints === undefined)) {
    throw invalid(name, `${where} must have exactly one of classlabels_strings and classlabels_int64s (it has ${strings ? 'both' : 'neither'}).`);
  }
  const labels: string[] = [];
  for (const g of fields(b, (strings ?? ints)!.start, (strings ?? ints)!.end)) {
    if (strings && g.field === 9 && g.wire === 2) labels.push(text(b, g));
    else if (ints && g.field === 8 && g.wire === 0) labels.push(String(readInt64(b, g.start, g.end)[0]));
    else if (ints && g.field === 8 && g.wire === 2) {
      for (let pos = g.start; pos < g.end; ) {
        const [v, next] = readInt64(b, pos, g.end);
        labels.push(String(v));
        pos = next;
      }
    }
  }
  if (labels.length === 0) throw invalid(name, `${where} lists no class labels.`);
  return labels;
}

const PASS_THROUGH = new Set(['Cast', 'Identity']);

/**
 * The graph output holding the predicted label of the classifier that fed `zipmap`: back from
 * ZipMap's input through single-input nodes (Normalizer, Cast…) to an ai.onnx.ml *Classifier,
 * then from its first output forward through Cast and Identity to a tensor graph output.
 */
function labelOutput(g: GraphLayout, zipmap: GraphNode, producer: ReadonlyMap<string, GraphNode>, rewritten: ReadonlySet<string>): string | undefined {
  let node = producer.get(zipmap.inputs[0]!);
  for (let steps = 0; node && steps < 8 && !(node.domain === 'ai.onnx.ml' && node.op.endsWith('Classifier')); steps++) {
    node = node.inputs.length === 1 ? producer.get(node.inputs[0]!) : undefined;
  }
  const first = node?.domain === 'ai.onnx.ml' && node.op.endsWith('Classifier') ? node.outputs[0] : undefined;
  if (!first) return undefined;
  const reached = new Set([first]);
  for (const n of g.nodes) if (PASS_THROUGH.has(n.op) && n.domain === '' && reached.has(n.inputs[0]!)) reached.add(n.outputs[0]!);
  return g.outputs.find((o) => o.kind === 'tensor' && reached.has(o.name) && !rewritten.has(o.name))?.name;
}

/** A NodeProto field of the graph: Identity(input) → output, under the ZipMap node's name. */
function identityNode(node: GraphNode): ProtoWriter {
  return new ProtoWriter().message(1, (n) => {
    n.string(1, node.inputs[0]!).string(2, node.outputs[0]!);
    if (node.name) n.string(3, node.name);
    n.string(4, 'Identity');
  });
}

/** A graph output field: tensor float [N (unknown), classes]. */
function probabilitiesOutput(output: string, classes: number): ProtoWriter {
  return new ProtoWriter().message(12, (v) => {
    v.string(1, output);
    v.message(2, (type) =>
      type.message(1, (tensor) => {
        tensor.int(1, 1);
        tensor.message(2, (shape) => {
          shape.message(1, () => undefined);
          shape.message(1, (dim) => dim.int(1, classes));
        });
      }),
    );
  });
}

/**
 * Replaces each ZipMap whose output is a graph output (and is read by no node) by an Identity
 * of its probabilities tensor, and that output's type by tensor float [N, classes]; value_info
 * entries naming those outputs are dropped, and an ai.onnx opset is imported when the model has
 * none. Returns the very `bytes` given and no rewrite when the graph has no such ZipMap.
 *
 * Throws MODEL_INVALID for bytes that are not an ONNX model (inspectOnnx) or a ZipMap without
 * class labels, and UNSUPPORTED_MODEL, with the fix, when a graph output that is not a tensor
 * remains (a sequence or map that no ZipMap makes).
 */
export function rewriteZipMap(bytes: Uint8Array, name: string): ZipMapResult {
  const summary = inspectOnnx(bytes, name);
  if (!summary.ops.includes('ZipMap') || summary.nonTensorOutputs.length === 0) {
    checkSupported(summary, name);
    return { bytes, rewritten: [] };
  }
  return onWire(name, bytes, () => {
    const g = readGraph(bytes, name);
    if (g.graphs > 1) throw invalid(name, `it has ${g.graphs} graph fields; a model has one graph.`);
    const producer = new Map<string, GraphNode>();
    const read = new Set<string>();
    for (const n of g.nodes) {
      for (const o of n.outputs) producer.set(o, n);
      for (const i of n.inputs) read.add(i);
    }
    const zipmaps = new Map<string, GraphNode>();
    const left: { name: string; kind: string }[] = [];
    for (const out of g.outputs) {
      if (out.kind === 'tensor') continue;
      const node = producer.get(out.name);
      const ok = node?.op === 'ZipMap' && node.domain === 'ai.onnx.ml' && node.inputs.length === 1 && node.outputs.length === 1 && !read.has(out.name);
      if (ok) zipmaps.set(out.name, node);
      else left.push({ name: out.name, kind: out.kind });
    }
    if (left.length > 0) {
      throw unsupported(name, left, 'ml-predict reads the output of a ZipMap node as the probabilities tensor that feeds it, but these are not the output of a ZipMap (or are read by other nodes).');
    }
    const names = new Set(zipmaps.keys());
    const rewritten: ZipMapRewrite[] = [];
    const replaced = new Map<Field, ProtoWriter | undefined>();
    for (const [output, node] of zipmaps) {
      const labels = zipMapLabels(bytes, node, name);
      const label = labelOutput(g, node, producer, names);
      rewritten.push({ output, labels, ...(label !== undefined && { label }) });
      replaced.set(node.field, identityNode(node));
      replaced.set(g.outputs.find((o) => o.name === output)!.field, probabilitiesOutput(output, labels.length));
    }
    for (const v of g.valueInfo) if (names.has(v.name)) replaced.set(v.field, undefined);
    // The graph's fields in their order: runs of untouched fields as views, the replaced ones new.
    const graph = new ProtoWriter();
    let from = g.graph.start;
    for (const f of g.order) {
      if (!replaced.has(f)) continue;
      graph.raw(bytes.subarray(from, f.at));
      const by = replaced.get(f);
      if (by) graph.append(by);
      from = f.end;
    }
    graph.raw(bytes.subarray(from, g.graph.end));
    const model = new ProtoWriter().raw(bytes.subarray(0, g.graph.at)).embed(7, graph).raw(bytes.subarray(g.graph.end));
    if (!summary.domains.includes('') && !summary.domains.includes('ai.onnx')) model.message(8, (opset) => opset.int(2, IDENTITY_OPSET));
    return { bytes: model.finish(), rewritten };
  });
}
