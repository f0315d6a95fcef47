/**
 * loadModel(): checks the options on the main thread, loads (or joins) a shared session in the
 * runtime worker, and returns a Model handle whose predict() validates inputs before sending.
 */
import { MlPredictError, oneOf, quote, throwIfAborted } from '../errors.js';
import { checkOptions, MAX_BYTES_RULE, type OptionRules } from '../options.js';
import { parseBackendOption, resolveThreads, threadFacts } from '../backend/select.js';
import { prepareFeeds } from '../tensor/validate.js';
import { isDetached, typedBuffer } from '../tensor/brand.js';
import { isRestart, MAX_RESENDS, sharedSession, type SharedSession } from '../worker/host.js';
import { callScope, predictOn, type CallScope } from '../worker/session-client.js';
import { nameFromUrl } from '../cache/model-name.js';
import type { LoadRequest, MonitorConfig, WireSource } from '../worker/protocol.js';
import type { DriftOptions, DriftReport } from '../evaluate/drift.js';
import type { BackendOption, Inputs, LoadOptions, Model, ModelInfo, Outputs, PredictBatchOptions, PredictOptions, ModelSource, TensorInfo, ValuesPrediction, MonitorOptions } from '../types.js';
import type { ModelCard } from './card.js';
import { base64ToHex, integrityRule } from './integrity.js';
import type { CardValues, FeatureValue } from './interpret.js';
import { internalsOf, setInternals } from './internals.js';

/** predict()'s options, in the order PredictOptions documents them (setTimeout's range for timeoutMs). */
const PREDICT_RULES: OptionRules = {
  signal: 'signal',
  timeoutMs: { number: [0, 2 ** 31 - 1], unit: 'a number of milliseconds' },
};

/** loadModel()'s options, in the order LoadOptions documents them. */
const LOAD_RULES: OptionRules = {
  backend: (value) => void parseBackendOption(value as BackendOption),
  threads: (value) =>
    value === 'auto' || (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 64) ? undefined : '"auto" or an integer from 1 to 64',
  integrity: integrityRule,
  version: 'string',
  cache: { oneOf: ['indexeddb', 'none'] },
  maxBytes: MAX_BYTES_RULE,
  signal: 'signal',
  onProgress: 'function',
  onWarning: 'function',
  card: (value) => (value === false || (value !== null && typeof value === 'object') ? undefined : 'a model card (an object) or false'),
  name: 'string',
};

function invalid(message: string): MlPredictError {
  return new MlPredictError('INVALID_ARGUMENT', message);
}

function wireSource(source: ModelSource): WireSource {
  if (typeof source === 'string' || source instanceof URL) {
    let url: URL;
    try {
      url = new URL(String(source), globalThis.location?.href);
    } catch {
      throw invalid(`Model source ${quote(String(source))} is not a valid URL.`);
    }
    if (!['http:', 'https:', 'blob:', 'data:'].includes(url.protocol)) {
      throw invalid(`Model URL ${quote(url.href)} has protocol ${quote(url.protocol)}. Expected one of: "http:", "https:", "blob:", "data:".`);
    }
    return { kind: 'url', url: url.href };
  }
  // Bytes are copied (never transferred): the caller's buffer stays usable, and what reaches the
  // worker is an ArrayBuffer of its own, even from a SharedArrayBuffer (which crypto.subtle refuses).
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) {
    const buffer = source instanceof ArrayBuffer ? source : typedBuffer(source);
    if (isDetached(buffer)) {
      throw invalid(
        `Model source ${source instanceof ArrayBuffer ? 'ArrayBuffer' : 'Uint8Array'} is detached: its buffer was transferred away (postMessage or structuredClone with transfer) and has byteLength 0. Pass bytes that are still yours, e.g. a copy made before transferring.`,
      );
    }
    // An ArrayBuffer is cloned by postMessage; a view's own bytes are copied into a new ArrayBuffer.
    return { kind: 'bytes', bytes: source instanceof ArrayBuffer ? source : new Uint8Array(source).buffer };
  }
  if (source instanceof Blob) return { kind: 'bytes', bytes: source };
  throw invalid(
    `Model source ${quote(source)} is not supported. Expected a URL (string or URL), an ArrayBuffer, a Uint8Array or a Blob.`,
  );
}

export class ModelHandle implements Model {
  disposed = false;
  /** predict() calls in flight: dispose() stops them (DISPOSED). */
  private readonly calls = new Set<CallScope>();

  constructor(
    readonly info: ModelInfo,
    /** The shared session this handle predicts on. */
    private readonly shared: SharedSession,
  ) {
    setInternals(this, { request: shared.request, batchWorkers: undefined });
  }

  /**
   * Validates, then runs on the shared session. The call's signal joins the caller's, the
   * `timeoutMs` timer and dispose(); a call that only failed because its worker was ended to stop
   * another call (isRestart) is prepared from `inputs` again and sent to the new worker.
   */
  async predict(inputs: Inputs, options?: PredictOptions): Promise<Outputs> {
    options = checkOptions(options, 'predict()', PREDICT_RULES);
    if (this.disposed) {
      throw new MlPredictError('DISPOSED', `Model "${this.info.name}" was disposed; load it again to predict.`);
    }
    throwIfAborted(options.signal);
    let prepared = prepareFeeds(this.info.name, this.info.inputs, inputs);
    const scope = callScope(this.info.name, options.signal, options.timeoutMs);
    this.calls.add(scope);
    try {
      for (let sends = 0; ; sends++) {
        const lease = await this.shared.acquire(scope.signal);
        try {
          return await predictOn(lease.worker, lease.reply.sessionId, prepared, scope.signal);
        } catch (e) {
          if (!isRestart(e) || sends >= MAX_RESENDS || scope.signal.aborted) throw e;
          prepared = prepareFeeds(this.info.name, this.info.inputs, inputs);
        }
      }
    } finally {
      scope.done();
      this.calls.delete(scope);
    }
  }

  async predictValues(
    values: CardValues | readonly Readonly<Record<string, FeatureValue | undefined>>[],
    options?: PredictOptions,
  ): Promise<ValuesPrediction> {
    const card = this.info.card;
    if (!card) {
      throw new MlPredictError('INVALID_ARGUMENT', `Model "${this.info.name}" has no card, so its values cannot be read: load it with a card (or from a registry), or call predict() with its inputs ${oneOf(this.info.inputs.map((i) => i.name))}.`);
    }
    // Loaded on first use, so that `import { loadModel }` stays small.
    const { cardToInputs, interpretRows } = await import('./interpret.js');
    const outputs = await this.predict(cardToInputs(card, values, this.info.inputs), options);
    return { outputs, results: interpretRows(card, outputs, this.info.classes) };
  }

  async monitor(options: MonitorOptions = {}): Promise<void> {
    const card = this.info.card;
    const input = card?.input;
    if (!card || !input || (input.kind !== 'features' && input.kind !== 'columns') || !card.reference) {
      throw new MlPredictError(
        'INVALID_ARGUMENT',
        `Model "${this.info.name}" cannot be monitored for drift: that needs a card with "features" or "columns" input and reference statistics${card ? ` (its input is ${quote(card.input.kind)}${card.reference ? '' : ', and it has no reference'})` : ' (it has none)'}.`,
      );
    }
    const config: MonitorConfig = {
      // A "columns" card: each feature's tensor (its name by default), categories for the categorical ones.
      ...(input.kind === 'features'
        ? { input: input.tensor }
        : { columns: input.features.map((f) => ({ tensor: f.tensor ?? f.name, ...(f.type === 'category' && { categories: f.categories }) })) }),
      features: input.features.map((f) => f.name),
      labelOutput: card.outputs.label,
      probabilities: card.outputs.probabilities,
      labels: card.outputs.labels,
      capacity: options.capacity,
      seed: options.seed,
    };
    this.shared.monitorConfig = config;
    const lease = await this.shared.acquire();
    await lease.worker.call((api) => api.monitor(lease.reply.sessionId, config));
  }

  async driftReport(options?: DriftOptions): Promise<DriftReport & { observed: number }> {
    const reference = this.info.card?.reference;
    if (!this.shared.monitorConfig || !reference) {
      throw new MlPredictError('INVALID_ARGUMENT', `Model "${this.info.name}" is not monitored: call monitor() first.`);
    }
    const lease = await this.shared.acquire();
    return lease.worker.call((api) => api.driftReport(lease.reply.sessionId, reference, options));
  }

  /** Chunked predictions over a worker pool: lib/batch/predict-batch.ts. */
  async predictBatch(inputs: Inputs | readonly (readonly number[])[], options?: PredictBatchOptions): Promise<Outputs> {
    const { predictBatch } = await import('../batch/predict-batch.js');
    return predictBatch(this, inputs, options);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    // Calls in flight reject with DISPOSED: queued ones are aborted in the worker, a running one
    // ends it (it would hold the session, and release() would wait for it, for as long as it runs).
    const stopped = new MlPredictError('DISPOSED', `Model "${this.info.name}" was disposed during the call.`);
    for (const scope of this.calls) scope.stop(stopped);
    internalsOf(this)?.batchWorkers?.close();
    this.shared.refs--;
    if (this.shared.refs === 0) await this.shared.release();
  }
}

/**
 * `inputs` with `missing: true` on each tensor a feature of `card` allowing missing values
 * (`missing: true`) goes to: a "features" card's one tensor, or a "columns" card's feature
 * tensor (`feature.tensor`, default the feature's name).
 */
function withCardMissing(inputs: TensorInfo[], card: ModelCard): TensorInfo[] {
  const input = card.input as { kind?: unknown; tensor?: unknown; features?: unknown };
  const features = Array.isArray(input.features) ? (input.features as { name?: unknown; tensor?: unknown; missing?: unknown }[]) : [];
  const allowing = new Set<unknown>();
  for (const f of features) {
    if (f?.missing !== true) continue;
    if (input.kind === 'features') allowing.add(input.tensor);
    else if (input.kind === 'columns') allowing.add(f.tensor ?? f.name);
  }
  return allowing.size === 0 ? inputs : inputs.map((i) => (allowing.has(i.name) && !i.missing ? { ...i, missing: true } : i));
}

/**
 * Loads an ONNX model into the runtime worker and returns a handle to predict with.
 *
 * @example
 * const model = await loadModel('/models/iris.onnx', { backend: 'wasm' });
 * const { probabilities } = await model.predict({ features: [[5.1, 3.5, 1.4, 0.2]] });
 */
export async function loadModel(source: ModelSource, options: LoadOptions = {}): Promise<Model> {
  const started = performance.now();
  checkOptions(options, 'loadModel()', LOAD_RULES);
  const plan = parseBackendOption(options.backend);
  const facts = threadFacts();
  const { threads, reason: threadsReason } = resolveThreads(options.threads, facts);
  const wire = wireSource(source);
  const name = options.name ?? (wire.kind === 'url' ? nameFromUrl(wire.url) : 'model');
  const { signal } = options;
  throwIfAborted(signal);
  const cards = options.card ? await import('./card.js') : undefined;
  const card = options.card ? cards!.validateCard(options.card, name) : undefined;

  const request: Omit<LoadRequest, 'callId'> = {
    name,
    source: wire,
    backends: plan.backends,
    auto: plan.auto,
    threads,
    integrity: options.integrity,
    version: options.version,
    cache: options.cache ?? 'indexeddb',
    maxBytes: options.maxBytes,
  };
  const key =
    wire.kind === 'url'
      ? JSON.stringify([wire.url, options.version ?? '', options.integrity ?? '', plan.backends, plan.auto, threads, request.cache])
      : undefined;
  const shared = sharedSession(key, request);
  shared.refs++;
  const { onProgress, onWarning } = options;
  if (onProgress) shared.progress.add(onProgress);
  if (onWarning) shared.warnings.add(onWarning);
  let lease;
  try {
    lease = await shared.acquire(signal);
  } catch (e) {
    shared.refs--;
    if (shared.refs === 0) await shared.release();
    throw e;
  } finally {
    if (onProgress) shared.progress.delete(onProgress);
    if (onWarning) shared.warnings.delete(onWarning);
  }
  const r = lease.reply;
  if (card) {
    try {
      cards!.checkCardMatches(card, base64ToHex(r.sha256), r.bytes);
      cards!.checkCardInputs(card, r.inputs);
    } catch (e) {
      shared.refs--;
      if (shared.refs === 0) await shared.release();
      throw e;
    }
  }
  const info: ModelInfo = {
    name,
    url: wire.kind === 'url' ? wire.url : undefined,
    bytes: r.bytes,
    sha256: r.sha256,
    version: options.version,
    inputs: card ? withCardMissing(r.inputs, card) : r.inputs,
    outputs: r.outputs,
    ...(r.classes && { classes: r.classes }),
    backend: r.backend,
    threads: r.threads,
    ...(threadsReason && { threadsReason }),
    crossOriginIsolated: facts.isolated,
    fromCache: r.fromCache,
    cached: r.cached,
    cacheReason: r.cacheReason,
    repaired: r.repaired,
    card,
    loadMs: performance.now() - started,
  };
  return new ModelHandle(info, shared);
}
