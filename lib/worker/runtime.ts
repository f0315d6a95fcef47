/**
 * The runtime worker: fetches (and caches) model bytes, creates onnxruntime sessions and runs
 * them. It hosts every session of the page that asks for its wasm thread count (and a batch
 * pool's extra worker hosts one session). Started by host.ts; never imported by the library's
 * main-thread code.
 */
import * as Comlink from 'comlink';
import type * as Ort from 'onnxruntime-web';
import { abortError, isMlPredictError, MlPredictError, throwIfAborted } from '../errors.js';
import { probeCapabilities } from '../backend/capabilities.js';
import { createSession, runError } from '../backend/session.js';
import { compiledModules, useCompiled, wasmOrigins } from '../backend/ort-env.js';
import { acquireModelBytes, cacheKey, dropStored } from '../cache/model-cache.js';
import { deleteAll } from '../cache/store.js';
import { checkSupported, inspectOnnx } from '../model/onnx-check.js';
import type { GraphClasses, OutputTensor, Tensor, TensorInfo, TensorType, TypedArray } from '../types.js';
import { tensorTypeOf } from '../tensor/convert.js';
import type { DriftOptions, DriftReference } from '../evaluate/drift.js';
import { DriftAccumulator } from '../evaluate/drift-accumulator.js';
import { monitorCategories, monitorRows } from '../evaluate/monitor-rows.js';
import {
  announceRunning,
  serveWorker,
  STOP_FLAG_SLOTS,
  transferablesOf,
  type LoadReply,
  type LoadRequest,
  type MonitorConfig,
  type PredictReply,
  type PredictRequest,
  type ProgressCallback,
  type RuntimeApi,
  type WarningCallback,
} from './protocol.js';

interface SessionEntry {
  name: string;
  session: Ort.InferenceSession;
  /** Each input's declared element type: the type every tensor fed to it is created with. */
  inputTypes: ReadonlyMap<string, TensorType>;
  ort: typeof Ort;
  /** Tail of the run queue: session.run calls never overlap on one session. */
  queue: Promise<unknown>;
  released: boolean;
  monitor?: { config: MonitorConfig; acc: DriftAccumulator };
}

/** Feeds one run's inputs and predicted labels to the session's drift monitor; never fails the run. */
function observe(entry: SessionEntry, feeds: Record<string, Tensor>, out: Record<string, OutputTensor>): void {
  const m = entry.monitor;
  if (!m) return;
  const rows = monitorRows(m.config, feeds);
  if (!rows) return;
  const names = m.config.labels;
  let labels: string[] | undefined;
  const label = m.config.labelOutput ? out[m.config.labelOutput] : undefined;
  const probs = m.config.probabilities ? out[m.config.probabilities] : undefined;
  if (label && label.data.length === rows.length) {
    labels = Array.from(label.data as ArrayLike<number | bigint | string>, (v) => (typeof v === 'string' ? v : (names?.[Number(v)] ?? String(v))));
  } else if (probs && names && probs.data.length === rows.length * names.length) {
    const p = probs.data as Float32Array;
    labels = rows.map((_, r) => {
      let best = 0;
      for (let j = 1; j < names.length; j++) if (p[r * names.length + j]! > p[r * names.length + best]!) best = j;
      return names[best]!;
    });
  }
  try {
    m.acc.observe(rows, labels);
  } catch {
    // A row the monitor cannot use (wrong width) is not the caller's error: the prediction stands.
  }
}

const sessions = new Map<number, SessionEntry>();
const controllers = new Map<number, AbortController>();
let nextSessionId = 1;

function controllerFor(callId: number): AbortController {
  const c = new AbortController();
  controllers.set(callId, c);
  return c;
}

function entryOf(sessionId: number): SessionEntry {
  const entry = sessions.get(sessionId);
  if (!entry || entry.released) {
    throw new MlPredictError('DISPOSED', `Session ${sessionId} was released: the model was disposed.`);
  }
  return entry;
}

/**
 * An onnxruntime tensor of the input's declared element type (the data was checked against it
 * on the page): onnxruntime would otherwise infer the type from the array, and read a `bool`
 * input (Uint8Array) as `uint8`, a `float16` one (Uint16Array) as `uint16`. A float16 tensor's
 * Uint16Array holds IEEE 754 half-precision bits, which onnxruntime takes as they are.
 */
function toOrtTensor(entry: SessionEntry, name: string, t: Tensor): Ort.Tensor {
  if (Array.isArray(t.data)) return new entry.ort.Tensor('string', t.data, t.dims);
  const type = entry.inputTypes.get(name);
  if (type === undefined || type === 'string') {
    throw new MlPredictError('INPUT_MISMATCH', `Model "${entry.name}" has no numeric input ${JSON.stringify(name)}. Expected one of: ${[...entry.inputTypes.keys()].map((n) => JSON.stringify(n)).join(', ')}.`);
  }
  return new entry.ort.Tensor(type, t.data as Ort.Tensor.DataTypeMap[typeof type], t.dims);
}

/**
 * Outputs carry float16 values as their IEEE 754 half-precision bits in a Uint16Array (as inputs
 * do, lib/tensor/convert.ts), also where onnxruntime hands out a Float16Array: same bytes, other view.
 */
function halfBits(data: TypedArray | string[]): TypedArray | string[] {
  if (Array.isArray(data) || data instanceof Uint16Array || data.constructor.name !== 'Float16Array') return data;
  return new Uint16Array(data.buffer as ArrayBuffer, data.byteOffset, data.length);
}

/** The page's stop flags (RuntimeApi.useStopFlags), where it shares memory. */
let stopFlags: Int32Array | undefined;

async function run(entry: SessionEntry, callId: number, feeds: Record<string, Tensor>, signal: AbortSignal): Promise<PredictReply> {
  throwIfAborted(signal);
  if (stopFlags && Atomics.load(stopFlags, callId % STOP_FLAG_SLOTS) === callId) throw abortError();
  const ortFeeds: Record<string, Ort.Tensor> = {};
  for (const [key, t] of Object.entries(feeds)) ortFeeds[key] = toOrtTensor(entry, key, t);
  let results: Ort.InferenceSession.ReturnType;
  // From here on the call cannot be stopped but by ending the worker: the page knows it runs.
  announceRunning(callId);
  try {
    results = await entry.session.run(ortFeeds);
  } catch (e) {
    throw runError(entry.name, e);
  }
  // onnxruntime has copied the inputs into its own memory: their buffers go back for reuse.
  const spent = transferablesOf(feeds);
  const taken = new Set<ArrayBufferLike>(spent);
  const out: Record<string, OutputTensor> = {};
  try {
    copyOutputs(results, taken, out);
  } catch (e) {
    // Copying an output out of onnxruntime's memory can fail for its size (RangeError).
    throw runError(entry.name, e);
  }
  observe(entry, feeds, out);
  throwIfAborted(signal);
  return { outputs: out, spent };
}

function copyOutputs(results: Ort.InferenceSession.ReturnType, taken: Set<ArrayBufferLike>, out: Record<string, OutputTensor>): void {
  for (const [key, tensor] of Object.entries(results)) {
    const data = tensor.data as TypedArray | string[];
    // onnxruntime copies each output out of its memory onto a buffer of its own, which is
    // transferred as it is; a view into a buffer that is shared (with another output, or
    // onnxruntime's memory) is copied first.
    let own = data;
    if (!Array.isArray(data)) {
      const whole = data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
      if (!whole || taken.has(data.buffer)) own = data.slice() as TypedArray;
      taken.add((own as TypedArray).buffer);
    }
    out[key] = { data: halfBits(own), dims: [...tensor.dims], type: tensorTypeOf(tensor.type) };
    tensor.dispose();
  }
}

/**
 * The bytes onnxruntime gets and what the graph tells about them: ZipMap outputs rewritten into
 * their probabilities tensors with the class labels, and the inputs where NaN is a missing value
 * the graph imputes (lib/model/zipmap.ts, loaded only for a graph with ZipMap, Imputer or IsNaN).
 * UNSUPPORTED_MODEL for outputs that still are not tensors.
 */
async function prepareGraph(
  original: Uint8Array,
  name: string,
): Promise<{ bytes: Uint8Array; classes: GraphClasses | undefined; missing: ReadonlySet<string>; usesMlOps: boolean }> {
  const summary = inspectOnnx(original, name);
  const usesMlOps = summary.domains.includes('ai.onnx.ml');
  const zipmap = summary.ops.includes('ZipMap');
  if (!zipmap && !summary.ops.includes('Imputer') && !summary.ops.includes('IsNaN')) {
    checkSupported(summary, name);
    return { bytes: original, classes: undefined, missing: new Set(), usesMlOps };
  }
  const graph = await import('../model/zipmap.js');
  const { bytes, rewritten } = graph.rewriteZipMap(original, name);
  const first = rewritten[0];
  const classes = first && { labels: first.labels, probabilities: first.output, ...(first.label !== undefined && { label: first.label }) };
  return { bytes, classes, missing: new Set(graph.inputsAllowingMissing(bytes, name)), usesMlOps };
}

const api: RuntimeApi = {
  probe: () => probeCapabilities(),

  async load(req: LoadRequest, onProgress?: ProgressCallback, onWarning?: WarningCallback): Promise<LoadReply> {
    const controller = controllerFor(req.callId);
    const { signal } = controller;
    try {
      useCompiled(req.compiled);
      const acquired = await acquireModelBytes(req, { signal, onProgress, onWarning });
      throwIfAborted(signal);
      const { bytes, classes, missing, usesMlOps } = await prepareGraph(acquired.bytes, req.name);
      onProgress?.({ phase: 'compile', loaded: 0, total: undefined });
      const created = await createSession({
        name: req.name,
        bytes,
        backends: req.backends,
        auto: req.auto,
        threads: req.threads,
        usesMlOps,
      }).catch(async (e: unknown) => {
        // A stored copy onnxruntime refuses is dropped, so the next load fetches the URL again.
        if (acquired.cached && isMlPredictError(e, 'MODEL_INVALID')) await dropStored(req);
        throw e;
      });
      if (signal.aborted) {
        await created.session.release();
        throw abortError(signal.reason);
      }
      const sessionId = nextSessionId++;
      sessions.set(sessionId, {
        name: req.name,
        session: created.session,
        inputTypes: new Map(created.inputs.map((i) => [i.name, i.type])),
        ort: created.ort,
        queue: Promise.resolve(),
        released: false,
      });
      return {
        sessionId,
        inputs: created.inputs.map((i): TensorInfo => (missing.has(i.name) ? { ...i, missing: true } : i)),
        outputs: created.outputs,
        ...(classes && { classes }),
        backend: created.backend,
        threads: created.threads,
        bytes: acquired.bytes.length,
        sha256: acquired.sha256,
        fromCache: acquired.fromCache,
        cached: acquired.cached,
        cacheReason: acquired.cacheReason,
        repaired: acquired.repaired,
        compiled: compiledModules(),
        wasm: wasmOrigins(),
      };
    } finally {
      controllers.delete(req.callId);
      // Let go of the caller's callback proxies (their message ports) once the load is over.
      for (const cb of [onProgress, onWarning] as unknown[]) {
        (cb as Partial<Comlink.Remote<unknown>> | undefined)?.[Comlink.releaseProxy]?.();
      }
    }
  },

  async prefetch(req: LoadRequest, onProgress?: ProgressCallback) {
    const { signal } = controllerFor(req.callId);
    try {
      const got = await acquireModelBytes(req, { signal, onProgress, mustStore: true });
      try {
        inspectOnnx(got.bytes, req.name);
      } catch (e) {
        if (req.source.kind === 'url') await deleteAll(cacheKey(req.source.url, req.version, req.integrity));
        throw e;
      }
      return { bytes: got.bytes.length, sha256: got.sha256, fromCache: got.fromCache, repaired: got.repaired };
    } finally {
      controllers.delete(req.callId);
      (onProgress as Partial<Comlink.Remote<unknown>> | undefined)?.[Comlink.releaseProxy]?.();
    }
  },

  async predict(req: PredictRequest) {
    const entry = entryOf(req.sessionId);
    const { signal } = controllerFor(req.callId);
    const result = entry.queue.then(() => run(entry, req.callId, req.feeds, signal));
    entry.queue = result.catch(() => undefined);
    try {
      const reply = await result;
      return Comlink.transfer(reply, [...transferablesOf(reply.outputs), ...reply.spent]);
    } finally {
      controllers.delete(req.callId);
    }
  },

  async release(sessionId: number) {
    const entry = sessions.get(sessionId);
    if (!entry || entry.released) return;
    entry.released = true;
    sessions.delete(sessionId);
    await entry.queue;
    await entry.session.release();
  },

  abort(callId: number) {
    controllers.get(callId)?.abort(new MlPredictError('ABORTED', 'The operation was aborted.'));
  },

  useStopFlags(buffer: SharedArrayBuffer) {
    stopFlags = new Int32Array(buffer);
  },

  monitor(sessionId: number, config: MonitorConfig | null) {
    const entry = entryOf(sessionId);
    const categories = config ? monitorCategories(config.features, config) : [];
    entry.monitor = config ? { config, acc: new DriftAccumulator(config.features, { capacity: config.capacity, seed: config.seed, categories }) } : undefined;
  },

  driftReport(sessionId: number, reference: DriftReference, options?: DriftOptions) {
    const m = entryOf(sessionId).monitor;
    if (!m) throw new MlPredictError('INVALID_ARGUMENT', `Model "${entryOf(sessionId).name}" is not monitored: call monitor() first.`);
    return { ...m.acc.report(reference, options), observed: m.acc.rows };
  },

  sessionCount: () => sessions.size,
};

serveWorker(api);
