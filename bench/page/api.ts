/**
 * What the benchmark page offers the runner (bench/main.ts calls these through
 * `page.evaluate`): types only, shared by both sides.
 */
import type { BackendOption } from '../../lib/types.js';

/** One input tensor, filled with deterministic pseudo-random values (or `value`). */
export interface FeedSpec {
  name: string;
  type: 'float32' | 'int64';
  dims: number[];
  /** Every element this value instead of random numbers in [0, 1). */
  value?: number;
}

/**
 * 'roundtrip': a comlink call to the page's runtime worker that does no work (open it after an
 * ml-predict runner); 'worker-raw': onnxruntime-web in a plain worker, which reports its own
 * session.run times (see innerTimes).
 */
export type RunnerKind = 'ml-predict' | 'raw' | 'roundtrip' | 'worker-raw';

export interface RunnerSpec {
  kind: RunnerKind;
  url: string;
  feeds: FeedSpec[];
  /** ml-predict: the backend option (default 'wasm'). */
  backend?: BackendOption;
  /** ml-predict: the cache option (default 'none': the load is a download, not a cache read). */
  cache?: 'indexeddb' | 'none';
  /** ml-predict: the threads option (default 'auto'). */
  threads?: number | 'auto';
}

export interface OpenResult {
  loadMs: number;
  backend: string;
  threads: number;
}

export interface FirstPredictionSpec {
  /** 'url': loadModel(url); 'bytes': the page fetches the bytes first (not timed), then loadModel(bytes). */
  source: 'url' | 'bytes';
  url: string;
  feeds: FeedSpec[];
}

export interface FirstPrediction {
  /** loadModel() call to the first prediction's result. */
  totalMs: number;
  loadMs: number;
  predictMs: number;
  fromCache: boolean;
  /** When each load phase was first reported, in ms after loadModel() was called. */
  phases: Record<string, number>;
}

/** The mark longTasks() sets where its measurement starts (a trace of the run is read from there). */
export const LONG_TASKS_START = 'bench:long-tasks-start';

export interface LongTaskSpec {
  kind: RunnerKind;
  url: string;
  feeds: FeedSpec[];
  predictions: number;
}

export interface LongTaskResult {
  count: number;
  totalMs: number;
  maxMs: number;
  /** When each long task started, in ms from the start of the load. */
  startsMs: number[];
  /** Load plus all predictions, wall time. */
  elapsedMs: number;
  loadMs: number;
}

export interface CycleSpec {
  url: string;
  feeds: FeedSpec[];
  cycles: number;
}

export interface WorkerCounts {
  /** Workers constructed by the page's main thread so far. */
  created: number;
  /** terminate() calls so far. */
  terminated: number;
}

export interface PageFacts {
  userAgent: string;
  hardwareConcurrency: number;
  crossOriginIsolated: boolean;
  deviceMemory?: number;
}

export interface BatchSpec {
  url: string;
  columns: number;
  rows: number;
  /**
   * What to time, in rounds: 'raw' is one session.run on the main thread with all rows; a number
   * is predictBatch with that many workers, on one model loaded for the whole call (its extra
   * workers are kept from batch to batch). Each round times one batch of each, in an order
   * rotated from round to round (starting at `rotate`), so that a slower stretch of the machine
   * falls on all of them alike.
   */
  variants: Array<'raw' | number>;
  /** The model's input name (raw). */
  input: string;
  /** ml-predict: wasm threads of the model's own session (default 'auto'). */
  threads?: number | 'auto';
  /** Rounds (batches of each variant). */
  batches: number;
  /** Where the first round's order starts. */
  rotate?: number;
  /** After the timed batches, this many calls per worker count time where a predictBatch call's main-thread time goes (BatchProfile). */
  profile?: number;
}

/**
 * Where the main thread's part of a predictBatch call goes, from calls made after the timed
 * batches (p50 of BatchSpec.profile calls): the check and conversion of all rows (before any chunk is sent), and
 * per worker count the time to the first chunk's delivery and from the last one to the outputs.
 */
export interface BatchProfile {
  convertMs: number;
  byWorkers: Record<number, { firstChunkMs: number; afterLastChunkMs: number; chunks: number }>;
}

export interface BatchResult {
  /** Per variant (in the order given), every batch's time in ms. */
  all: number[][];
  rows: number;
  /** Why a variant could not run (e.g. predictBatch not in this build). */
  error?: string;
  profile?: BatchProfile;
}

export interface BenchApi {
  facts(): PageFacts;
  open(id: string, spec: RunnerSpec): Promise<OpenResult>;
  /** Runs `n` predictions on runner `id`, one after the other; returns each one's duration (ms). */
  /** With `group` > 1, each returned time is the mean of `group` calls in a row (for calls of a few timer ticks). */
  time(id: string, n: number, group?: number): Promise<number[]>;
  close(id: string): Promise<void>;
  firstPrediction(spec: FirstPredictionSpec): Promise<FirstPrediction>;
  longTasks(spec: LongTaskSpec): Promise<LongTaskResult>;
  cycles(spec: CycleSpec): Promise<void>;
  workerCounts(): WorkerCounts;
  /** Resolves once every worker this page made has been terminated (or after `timeoutMs`); returns the counts. */
  workersGone(timeoutMs: number): Promise<WorkerCounts>;
  setIdleTimeout(ms: number): void;
  clearCache(): Promise<void>;
  batch(spec: BatchSpec): Promise<BatchResult>;
  /** Starts one more runtime worker and loads the model in it, as a batch pool does; ms until ready. */
  extraWorkerStart(url: string): Promise<number>;
  /** For a 'worker-raw' runner: session.run's own duration inside the worker, for every call so far (ms). */
  innerTimes(id: string): number[];
  /** Round trip to a plain worker that spins `busyMs` before replying, minus busyMs, `n` times (ms). */
  wakeCost(busyMs: number, n: number): Promise<number[]>;
  /** The WebGPU adapter's own description (vendor, architecture, …), or why there is none. */
  gpuAdapter(): Promise<string>;
}

declare global {
  interface Window {
    bench: BenchApi;
  }
}
