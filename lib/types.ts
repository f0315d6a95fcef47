/** Public types of ml-predict. */
import type { ModelCard } from './model/card.js';
import type { DriftOptions, DriftReport } from './evaluate/drift-types.js';

export type BackendName = 'wasm' | 'webgpu';
export type BackendOption = 'auto' | BackendName | readonly BackendName[];

/** Where a model comes from: a URL, or its bytes. */
export type ModelSource = string | URL | ArrayBuffer | Uint8Array | Blob;

export type LoadPhase = 'download' | 'verify' | 'compile';

export interface LoadProgress {
  phase: LoadPhase;
  /** Bytes (download, verify) done so far; never moves backwards within a phase. */
  loaded: number;
  /** Total bytes, or undefined when unknown (no content-length). */
  total: number | undefined;
}

export interface LoadOptions {
  /** Backends to try, in order. 'auto' probes WebGPU and falls back to wasm. Default 'auto'. */
  backend?: BackendOption;
  /** WebAssembly threads: 'auto' (one per core but one, which stays for the page; 1 to 4; 1 without cross-origin isolation) or a number. */
  threads?: 'auto' | number;
  /** Subresource-integrity form: 'sha256-<base64>'. A mismatch rejects with INTEGRITY_MISMATCH. */
  integrity?: string;
  /** Version of the model at this URL; part of the cache key. */
  version?: string;
  /** 'indexeddb' (default) keeps the model bytes for the next visit; 'none' always fetches. */
  cache?: 'indexeddb' | 'none';
  /** Largest number of bytes the model cache may hold; least recently used entries are evicted to stay below. */
  maxBytes?: number;
  /** Cancels download, compile and the load as a whole. */
  signal?: AbortSignal;
  onProgress?: (progress: LoadProgress) => void;
  /** Non-fatal problems (e.g. the model could not be cached). */
  onWarning?: (warning: LoadWarning) => void;
  /**
   * The model's card (see ModelCard): checked with validateCard() and refused (CARD_INVALID)
   * when its sha256 or size do not match the loaded bytes; then in `info.card`. The registry
   * (openRegistry, openManagedModel) passes it for you.
   */
  card?: ModelCard | false;
  /** A name for messages and info; defaults to the file name of the URL. */
  name?: string;
}

export interface LoadWarning {
  code: string;
  message: string;
}

export type TensorType =
  | 'float32'
  | 'float64'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool'
  | 'string'
  | 'float16';

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** Metadata of one input or output. A dynamic dimension is its symbolic name, or null when unnamed. */
export interface TensorInfo {
  name: string;
  type: TensorType;
  dims: ReadonlyArray<number | string | null>;
  /**
   * Inputs only: true when NaN is accepted in this input as a missing value, because the graph
   * imputes it (its values reach an ai.onnx.ml `Imputer` of NaN or an `IsNaN` node) or the
   * model's card marks a feature of it as allowing missing values (`missing: true`). Absent
   * where NaN is refused (INPUT_MISMATCH); ±Infinity is refused everywhere.
   */
  missing?: boolean;
}

/**
 * Class labels the model's graph names itself: a classifier exported with ZipMap (skl2onnx's
 * default) lists them in ZipMap's `classlabels_strings` or `classlabels_int64s`. The ZipMap
 * output is read as the probabilities tensor that fed it, under the same name.
 */
export interface GraphClasses {
  /** The class labels in the order of the probabilities' last axis (integer labels as their decimal text). */
  labels: string[];
  /** The output holding the probabilities, float32 [N, labels.length] (ZipMap's output name). */
  probabilities: string;
  /** The output holding each row's predicted label, when the graph gives it: its values are the labels themselves (an integer label as the number). */
  label?: string;
}

export interface Tensor {
  data: TypedArray | string[];
  dims: readonly number[];
}

export interface OutputTensor extends Tensor {
  type: TensorType;
}

/**
 * One named input: a tensor, rows of numbers (`number[][]`, shaped [rows, columns]), a flat
 * list of numbers for a rank-1 input, or strings for a string input.
 */
export type InputValue = Tensor | readonly (readonly number[])[] | readonly number[] | readonly string[];
export type Inputs = Record<string, InputValue>;
export type Outputs = Record<string, OutputTensor>;

export interface BackendAttempt {
  backend: BackendName;
  /** 'used': this backend runs the model; 'failed': tried and failed; 'skipped': not tried. */
  status: 'used' | 'failed' | 'skipped';
  reason?: string;
}

export interface BackendReport {
  /** The backend that runs the model. */
  name: BackendName;
  /** Backends in the order they were considered, with why each was or was not used. */
  attempts: BackendAttempt[];
}

export interface ModelInfo {
  name: string;
  /** The URL the model was loaded from, when it came from a URL. */
  url?: string;
  bytes: number;
  sha256?: string;
  version?: string;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  backend: BackendReport;
  /** WebAssembly threads in use by the runtime worker. */
  threads: number;
  /** Why `threads` is 1 where WebAssembly threads cannot run (no isolation, no SharedArrayBuffer). */
  threadsReason?: string;
  crossOriginIsolated: boolean;
  /** True when the bytes came from the IndexedDB cache rather than the network. */
  fromCache: boolean;
  /** True when the bytes are kept in the cache for the next load. */
  cached: boolean;
  /** Why the model was not cached, when it was not. */
  cacheReason?: string;
  /** True when a corrupt cache entry was found, deleted and fetched again. */
  repaired: boolean;
  card?: ModelCard;
  /**
   * The class labels the graph names (from ZipMap), when it names them: `interpret()` and
   * `<ml-predict>` show these names without a card; a card's `outputs.labels` wins over them.
   */
  classes?: GraphClasses;
  /** Milliseconds from loadModel() to a ready session. */
  loadMs: number;
}

export interface PredictOptions {
  /** Aborting it rejects the call with ABORTED and stops it (a run in progress by ending its worker). */
  signal?: AbortSignal;
  /** Stops the call after this many ms, as an abort would, with an ABORTED error naming the timeout. */
  timeoutMs?: number;
}

/** Rows done so far out of all rows, for `predictBatch` (moves forward only). */
export interface BatchProgress {
  done: number;
  total: number;
}

export interface PredictBatchOptions {
  /** Rows per `session.run`. Default: about 8 chunks per session, from 1,024 to 16,384 rows. */
  batchSize?: number;
  /**
   * Sessions to spread the chunks over: the model's own plus extra runtime workers, each with
   * cores ÷ workers wasm threads (a model session with more threads than that steps aside once
   * the extra workers are ready). Default: as many as fit on the cores next to the model's own
   * threads (cores ÷ `info.threads`, at most 4): 2 on 2 cores with `threads: 'auto'` (1 thread), 1 with `threads: 2`. Never more than the chunks.
   */
  workers?: number;
  /**
   * How long the extra workers wait for the next predictBatch of this model, in ms (default
   * 10,000; 0 ends them with the batch). A kept worker saves its start (hundreds of ms) on the
   * next batch; each holds its own wasm memory until it ends. `dispose()` ends them.
   */
  keepWorkers?: number;
  signal?: AbortSignal;
  onProgress?: (progress: BatchProgress) => void;
}

export interface MonitorOptions {
  /** Rows kept in the reservoir sample; default 1,000. */
  capacity?: number;
  /** Seed of the reservoir's random choices (reproducible tests). */
  seed?: number;
}

/** Outputs of a prediction from card values, with each row read as the card describes it. */
export interface ValuesPrediction {
  outputs: Outputs;
  /** Per row: a classifier's label and probability per label, or a regressor's value and unit. */
  results: Interpretation[];
}

export interface Model {
  readonly info: ModelInfo;
  predict(inputs: Inputs, options?: PredictOptions): Promise<Outputs>;
  /**
   * For a model with a card: predicts from values as a person or a CSV gives them (feature
   * values by name, one record or several, or a text) and returns the friendly results too.
   */
  predictValues(values: CardValues | readonly Readonly<Record<string, FeatureValue | undefined>>[], options?: PredictOptions): Promise<ValuesPrediction>;
  /**
   * Starts monitoring live inputs for drift (a model with a "features" card): the runtime worker
   * keeps a uniform reservoir sample of input rows (default 1,000) and counts predicted labels;
   * raw rows are not kept beyond that sample.
   */
  monitor(options?: MonitorOptions): Promise<void>;
  /** Drift of the live inputs seen since monitor() against the card's reference statistics. */
  driftReport(options?: DriftOptions): Promise<DriftReport & { observed: number }>;
  /** Predicts many rows in chunks (several workers, order kept); the outputs equal one `predict` on all rows. Rows may be given as `number[][]` for a model with one input. */
  predictBatch(inputs: Inputs | readonly (readonly number[])[], options?: PredictBatchOptions): Promise<Outputs>;
  dispose(): Promise<void>;
  readonly disposed: boolean;
}

export interface Capabilities {
  /** `fallback`: the adapter emulates a GPU on the CPU (e.g. SwiftShader): it works, but wasm is faster. */
  webgpu: { available: boolean; reason?: string; adapter?: string; fallback?: boolean };
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  wasmThreads: boolean;
  /** Why `wasmThreads` is false. */
  wasmThreadsReason?: string;
  wasmSimd: boolean;
}

/** A value for one feature: a number (or its text, as a form or a CSV gives it), or a category. */
export type FeatureValue = number | string;

/**
 * What a person enters for a card: feature values by feature name for a features card,
 * or `{ text }` (or the text itself) for a text card.
 */
export type CardValues = Readonly<Record<string, FeatureValue | undefined>> | string;

export interface ClassificationResult {
  kind: 'classification';
  /** The predicted label (a name from `card.outputs.labels` when the model gives class indices). */
  label: string;
  /** Probability per label, in the model's class order; empty when the model gives no probabilities. */
  probabilities: Record<string, number>;
}

export interface RegressionResult {
  kind: 'regression';
  value: number;
  unit: string | undefined;
}

export type Interpretation = ClassificationResult | RegressionResult;
