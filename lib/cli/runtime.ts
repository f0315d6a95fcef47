/**
 * The model as `loadModel` would serve it, run in Node on the very onnxruntime-web build a
 * browser gets (`onnxruntime-web/wasm`, one thread): the same graph preparation (ZipMap
 * rewritten to its probabilities tensor, inputs where the graph imputes NaN), the same session
 * creation and load errors (lib/backend/session.ts), the same input checks before each run
 * (lib/tensor/validate.ts) and the same run errors. So a model that loads and predicts here
 * loads and predicts in the browser's wasm backend.
 */
import { createSession, runError } from '../backend/session.js';
import { checkSupported, inspectOnnx, type OnnxSummary } from '../model/onnx-check.js';
import { inputsAllowingMissing, rewriteZipMap, type ZipMapRewrite } from '../model/zipmap.js';
import { tensorTypeOf } from '../tensor/convert.js';
import { checkFeeds } from '../tensor/validate.js';
import type { Inputs, Outputs, TensorInfo } from '../types.js';

/** What loading does to the bytes before onnxruntime sees them. */
export interface PreparedGraph {
  /** The bytes the session is created from (the file's own, or with ZipMap rewritten). */
  bytes: Uint8Array;
  summary: OnnxSummary;
  zipMaps: ZipMapRewrite[];
  /** Inputs whose values reach an Imputer of NaN or an IsNaN node: NaN is accepted there. */
  missing: string[];
}

/**
 * The graph as the runtime worker prepares it (lib/worker/runtime.ts): MODEL_INVALID for bytes
 * that are not ONNX, UNSUPPORTED_MODEL for outputs that are not tensors and no ZipMap makes.
 */
export function prepareGraph(original: Uint8Array, name: string): PreparedGraph {
  const summary = inspectOnnx(original, name);
  let bytes = original;
  let zipMaps: ZipMapRewrite[] = [];
  if (summary.ops.includes('ZipMap')) ({ bytes, rewritten: zipMaps } = rewriteZipMap(original, name));
  else checkSupported(summary, name);
  const imputes = summary.ops.includes('Imputer') || summary.ops.includes('IsNaN');
  return { bytes, summary, zipMaps, missing: imputes ? inputsAllowingMissing(bytes, name) : [] };
}

export interface NodeSession {
  name: string;
  /** Inputs with `missing: true` where NaN is accepted. */
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** onnxruntime-web's version. */
  version: string;
  loadMs: number;
  predict(inputs: Inputs): Promise<Outputs>;
  release(): Promise<void>;
}

/**
 * Creates a wasm session of a prepared graph. `missing` adds inputs where NaN is accepted
 * (a card's features that allow missing values) to the graph's own.
 */
export async function openSession(graph: PreparedGraph, name: string, missing: readonly string[] = []): Promise<NodeSession> {
  const started = performance.now();
  const created = await createSession({
    name,
    bytes: graph.bytes,
    backends: ['wasm'],
    auto: false,
    threads: 1,
    usesMlOps: graph.summary.domains.includes('ai.onnx.ml'),
  });
  const nan = new Set([...graph.missing, ...missing]);
  const inputs = created.inputs.map((i): TensorInfo => (nan.has(i.name) ? { ...i, missing: true } : i));
  const { ort, session } = created;
  return {
    name,
    inputs,
    outputs: created.outputs,
    version: ort.env.versions?.web ?? 'unknown',
    loadMs: performance.now() - started,
    async predict(values: Inputs): Promise<Outputs> {
      const { feeds } = checkFeeds(name, inputs, values);
      const ortFeeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
      for (const info of inputs) {
        const t = feeds[info.name];
        if (t) ortFeeds[info.name] = new ort.Tensor(info.type as 'float32', t.data as Float32Array, [...t.dims]);
      }
      let results;
      try {
        results = await session.run(ortFeeds);
      } catch (e) {
        throw runError(name, e);
      }
      const out: Outputs = {};
      for (const [key, t] of Object.entries(results)) {
        out[key] = { data: t.data as Float32Array, dims: [...t.dims], type: tensorTypeOf(t.type) };
      }
      return out;
    },
    release: () => session.release(),
  };
}
