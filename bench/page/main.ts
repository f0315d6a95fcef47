/**
 * The benchmark page: runs ml-predict and its baselines (onnxruntime-web used directly on the
 * main thread, with or without its own proxy worker) in the browser, and times them with
 * performance.now(). The runner drives it through `window.bench` (see api.ts).
 *
 * Query parameters: `ortProxy=1` turns on onnxruntime's `env.wasm.proxy` for the raw runners of
 * this page (it is a page-wide setting of onnxruntime, fixed at its first session); `threads=N`
 * sets the raw runners' wasm threads.
 */
import { counts, workersGone } from './counters.js';
import { clearCache, loadModel, type Inputs, type LoadProgress, type Model } from 'ml-predict';
import { RuntimeWorker, runtimeWorker, setIdleTimeout } from '../../lib/worker/host.js';
import { resolveThreads, threadFacts } from '../../lib/backend/select.js';
import { checkFeeds } from '../../lib/tensor/validate.js';
import { recycleOwned } from '../../lib/tensor/buffers.js';
import { summarize } from '../stats.js';
import type * as Ort from 'onnxruntime-web';
import type {
  BatchProfile,
  BatchResult,
  BatchSpec,
  BenchApi,
  CycleSpec,
  FeedSpec,
  FirstPrediction,
  FirstPredictionSpec,
  LongTaskResult,
  LongTaskSpec,
  OpenResult,
  RunnerSpec,
} from './api.js';
import { LONG_TASKS_START } from './api.js';

const params = new URLSearchParams(location.search);
const ortProxy = params.get('ortProxy') === '1';
/** `threads=N`: onnxruntime's wasm threads on this page (raw runners) instead of what ml-predict's 'auto' picks. */
const ortThreads = params.has('threads') ? Number(params.get('threads')) : undefined;

/** Deterministic pseudo-random numbers in [0, 1). */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    s ^= s + Math.imul(s ^ (s >>> 7), 61 | s);
    return ((s ^ (s >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Feed {
  type: 'float32' | 'int64';
  data: Float32Array | BigInt64Array;
  dims: number[];
}

function makeFeeds(specs: FeedSpec[]): Record<string, Feed> {
  const feeds: Record<string, Feed> = {};
  specs.forEach((spec, i) => {
    const n = spec.dims.reduce((a, b) => a * b, 1);
    const random = seeded(1000 + i);
    if (spec.type === 'int64') {
      const data = new BigInt64Array(n);
      for (let j = 0; j < n; j++) data[j] = BigInt(Math.round(spec.value ?? random() * 10));
      feeds[spec.name] = { type: 'int64', data, dims: spec.dims };
    } else {
      const data = new Float32Array(n);
      for (let j = 0; j < n; j++) data[j] = spec.value ?? random();
      feeds[spec.name] = { type: 'float32', data, dims: spec.dims };
    }
  });
  return feeds;
}

function libraryInputs(feeds: Record<string, Feed>): Inputs {
  const inputs: Inputs = {};
  for (const [name, f] of Object.entries(feeds)) inputs[name] = { data: f.data, dims: f.dims };
  return inputs;
}

/** Reads every output value once, as a caller would. */
function touch(outputs: Record<string, { data: unknown }>): number {
  let n = 0;
  for (const t of Object.values(outputs)) n += (t.data as ArrayLike<unknown>).length;
  return n;
}

// ---- onnxruntime-web used directly on this page ------------------------------------------

let ortModule: Promise<typeof Ort> | undefined;

/** Threads as ml-predict's `threads: 'auto'` picks them (its own rule), so both sides compute alike. */
function autoThreads(): number {
  return resolveThreads('auto', threadFacts()).threads;
}

function ort(): Promise<typeof Ort> {
  ortModule ??= (import('onnxruntime-web/wasm') as Promise<typeof Ort>).then((m) => {
    m.env.wasm.numThreads = ortThreads ?? autoThreads();
    m.env.wasm.proxy = ortProxy;
    m.env.logLevel = 'error';
    return m;
  });
  return ortModule;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

interface Runner {
  predict(): Promise<unknown>;
  dispose(): Promise<void>;
  backend: string;
  threads: number;
}

async function rawRunner(url: string, feedSpecs: FeedSpec[]): Promise<Runner> {
  const m = await ort();
  const bytes = await fetchBytes(url);
  const session = await m.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const feeds = makeFeeds(feedSpecs);
  return {
    backend: ortProxy ? 'wasm (onnxruntime proxy worker)' : 'wasm (main thread)',
    threads: m.env.wasm.numThreads ?? 1,
    async predict() {
      const ortFeeds: Record<string, Ort.Tensor> = {};
      // The proxy worker takes the input buffers (transfers them): a caller needs fresh ones each call.
      for (const [name, f] of Object.entries(feeds)) ortFeeds[name] = new m.Tensor(f.type, ortProxy ? f.data.slice() : f.data, f.dims);
      const out = await session.run(ortFeeds);
      const n = touch(out);
      for (const t of Object.values(out)) t.dispose();
      return n;
    },
    dispose: () => session.release(),
  };
}

async function libraryRunner(spec: RunnerSpec): Promise<Runner> {
  const model = await loadModel(spec.url, { backend: spec.backend ?? 'wasm', cache: spec.cache ?? 'none', card: false, threads: spec.threads ?? 'auto' });
  const inputs = libraryInputs(makeFeeds(spec.feeds));
  return {
    backend: model.info.backend.name,
    threads: model.info.threads,
    predict: async () => touch(await model.predict(inputs)),
    dispose: () => model.dispose(),
  };
}

/** onnxruntime-web in a plain worker of this page (no ml-predict): records session.run's own time there. */
async function workerRawRunner(url: string, feedSpecs: FeedSpec[], inner: number[]): Promise<Runner> {
  const worker = new Worker(new URL('./ort-worker.ts', import.meta.url), { type: 'module', name: 'bench-ort-worker' });
  const reply = () =>
    new Promise<{ ok: boolean; runMs?: number; error?: string }>((resolve) => worker.addEventListener('message', (e) => resolve(e.data), { once: true }));
  const threads = ortThreads ?? autoThreads();
  worker.postMessage({ type: 'init', bytes: await fetchBytes(url), threads });
  const init = await reply();
  if (!init.ok) throw new Error(`the bench worker could not load the model: ${init.error}`);
  const feeds = makeFeeds(feedSpecs);
  return {
    backend: 'wasm (plain worker)',
    threads,
    async predict() {
      // Copied, as ml-predict copies a caller's buffers.
      const copy: Record<string, Feed> = {};
      for (const [name, f] of Object.entries(feeds)) copy[name] = { ...f, data: f.data.slice() };
      worker.postMessage({ type: 'run', feeds: copy }, Object.values(copy).map((f) => f.data.buffer));
      const r = await reply();
      if (!r.ok) throw new Error(r.error);
      inner.push(r.runMs!);
    },
    dispose: async () => worker.terminate(),
  };
}

const innerTimes = new Map<string, number[]>();

/**
 * Messaging cost after the page waited: a plain worker spins `busyMs` then replies; returns
 * (round trip − busyMs) for each of `n` calls. A thread that has idled for long wakes slower.
 */
async function wakeCost(busyMs: number, n: number): Promise<number[]> {
  const worker = new Worker(new URL('./ort-worker.ts', import.meta.url), { type: 'module', name: 'bench-ort-worker' });
  try {
    const out: number[] = [];
    for (let i = 0; i < n + 3; i++) {
      const t = performance.now();
      const reply = new Promise((resolve) => worker.addEventListener('message', resolve, { once: true }));
      worker.postMessage({ type: 'busy', ms: busyMs });
      await reply;
      if (i >= 3) out.push(performance.now() - t - busyMs);
    }
    return out;
  } finally {
    worker.terminate();
  }
}

function roundTripRunner(): Runner {
  const worker = runtimeWorker();
  return { backend: 'none', threads: 0, predict: () => worker.call((w) => w.sessionCount()), dispose: async () => undefined };
}

const runners = new Map<string, Runner>();

async function open(id: string, spec: RunnerSpec): Promise<OpenResult> {
  if (runners.has(id)) throw new Error(`runner "${id}" is already open`);
  const started = performance.now();
  const runner =
    spec.kind === 'raw'
      ? await rawRunner(spec.url, spec.feeds)
      : spec.kind === 'roundtrip'
        ? roundTripRunner()
        : spec.kind === 'worker-raw'
          ? await workerRawRunner(spec.url, spec.feeds, innerTimes.set(id, []).get(id)!)
          : await libraryRunner(spec);
  const loadMs = performance.now() - started;
  runners.set(id, runner);
  return { loadMs, backend: runner.backend, threads: runner.threads };
}

async function time(id: string, n: number, group = 1): Promise<number[]> {
  const runner = runners.get(id);
  if (!runner) throw new Error(`no runner "${id}"`);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    for (let k = 0; k < group; k++) await runner.predict();
    times.push((performance.now() - t) / group);
  }
  return times;
}

async function close(id: string): Promise<void> {
  const runner = runners.get(id);
  runners.delete(id);
  await runner?.dispose();
}

// ---- P3: time to the first prediction -----------------------------------------------------

async function firstPrediction(spec: FirstPredictionSpec): Promise<FirstPrediction> {
  const source = spec.source === 'bytes' ? await fetchBytes(spec.url) : spec.url;
  const inputs = libraryInputs(makeFeeds(spec.feeds));
  const phases: Record<string, number> = {};
  const t0 = performance.now();
  performance.mark('bench:load-start');
  const model = await loadModel(source, {
    backend: 'wasm',
    card: false,
    onProgress: (p: LoadProgress) => {
      phases[p.phase] ??= performance.now() - t0;
    },
  });
  const t1 = performance.now();
  await model.predict(inputs);
  const t2 = performance.now();
  performance.measure('bench:first-prediction', 'bench:load-start');
  const result = { totalMs: t2 - t0, loadMs: t1 - t0, predictMs: t2 - t1, fromCache: model.info.fromCache, phases };
  await model.dispose();
  return result;
}

// ---- P4: long tasks on the main thread ----------------------------------------------------

async function longTasks(spec: LongTaskSpec): Promise<LongTaskResult> {
  const entries: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ type: 'longtask' });
  performance.mark(LONG_TASKS_START);
  const started = performance.now();
  let runner: Runner;
  if (spec.kind === 'raw') runner = await rawRunner(spec.url, spec.feeds);
  else if (spec.kind !== 'ml-predict') throw new Error('longTasks() measures ml-predict or raw');
  else {
    const model = await loadModel(spec.url, { backend: 'wasm', cache: 'none', card: false });
    const inputs = libraryInputs(makeFeeds(spec.feeds));
    runner = { backend: 'wasm', threads: 0, predict: () => model.predict(inputs), dispose: () => model.dispose() };
  }
  const loadMs = performance.now() - started;
  for (let i = 0; i < spec.predictions; i++) await runner.predict();
  const elapsedMs = performance.now() - started;
  // Long-task entries are queued: a macrotask later every one that happened has been delivered.
  await new Promise((r) => setTimeout(r, 0));
  entries.push(...observer.takeRecords());
  observer.disconnect();
  await runner.dispose();
  const durations = entries.map((e) => e.duration);
  return {
    count: durations.length,
    totalMs: durations.reduce((a, b) => a + b, 0),
    maxMs: durations.length ? Math.max(...durations) : 0,
    startsMs: entries.map((e) => e.startTime - started),
    elapsedMs,
    loadMs,
  };
}

// ---- P6: load/dispose cycles --------------------------------------------------------------

async function cycles(spec: CycleSpec): Promise<void> {
  const inputs = libraryInputs(makeFeeds(spec.feeds));
  for (let i = 0; i < spec.cycles; i++) {
    const model: Model = await loadModel(spec.url, { backend: 'wasm', card: false });
    await model.predict(inputs);
    await model.dispose();
  }
}

// ---- P2: batch throughput -----------------------------------------------------------------

type PredictBatch = (rows: readonly (readonly number[])[], options: { workers?: number; onProgress?: () => void }) => Promise<unknown>;

const batchRows = new Map<string, number[][]>();

/** The rows for a batch (made once per size, not timed): numbers as a CSV parser would give them. */
function rowsFor(rows: number, columns: number): number[][] {
  const key = `${rows}x${columns}`;
  let list = batchRows.get(key);
  if (!list) {
    const random = seeded(7);
    list = Array.from({ length: rows }, () => Array.from({ length: columns }, () => random() * 10));
    batchRows.set(key, list);
  }
  return list;
}

async function batch(spec: BatchSpec): Promise<BatchResult> {
  const rows = rowsFor(spec.rows, spec.columns);
  const all: number[][] = spec.variants.map(() => []);
  const m = spec.variants.includes('raw') ? await ort() : undefined;
  const session = m ? await m.InferenceSession.create(await fetchBytes(spec.url), { executionProviders: ['wasm'] }) : undefined;
  const model = spec.variants.some((v) => v !== 'raw')
    ? await loadModel(spec.url, { backend: 'wasm', cache: 'none', card: false, threads: spec.threads ?? 'auto' })
    : undefined;
  try {
    const predictBatch = model && (model as unknown as { predictBatch?: PredictBatch }).predictBatch;
    if (model && typeof predictBatch !== 'function') return { all, rows: spec.rows, error: 'Model.predictBatch is not in this build of ml-predict (issue 7)' };
    for (let b = 0; b < spec.batches; b++) {
      for (let k = 0; k < spec.variants.length; k++) {
        const i = (b + k + (spec.rotate ?? 0)) % spec.variants.length;
        const variant = spec.variants[i]!;
        const t = performance.now();
        if (variant === 'raw') {
          // One big call as a user of onnxruntime would write it: rows → one tensor → session.run.
          const data = new Float32Array(spec.rows * spec.columns);
          rows.forEach((r, j) => data.set(r, j * spec.columns));
          const out = await session!.run({ [spec.input]: new m!.Tensor('float32', data, [spec.rows, spec.columns]) });
          touch(out);
        } else {
          touch((await predictBatch!.call(model, rows, { workers: variant })) as Record<string, { data: unknown }>);
        }
        all[i]!.push(performance.now() - t);
      }
    }
    if (!spec.profile || !model) return { all, rows: spec.rows };
    // Where the main thread's part goes, in calls after the timed ones (not counted in `all`).
    const converts: number[] = [];
    for (let k = 0; k < spec.profile; k++) {
      const t = performance.now();
      const { feeds, owned } = checkFeeds(model.info.name, model.info.inputs, { [model.info.inputs[0]!.name]: rows });
      converts.push(performance.now() - t);
      recycleOwned(feeds, owned);
    }
    const byWorkers: BatchProfile['byWorkers'] = {};
    for (const workers of spec.variants.filter((v): v is number => v !== 'raw')) {
      const calls: Array<BatchProfile['byWorkers'][number]> = [];
      for (let k = 0; k < spec.profile; k++) {
        const stamps: number[] = [];
        const t = performance.now();
        touch((await predictBatch!.call(model, rows, { workers, onProgress: () => stamps.push(performance.now()) })) as Record<string, { data: unknown }>);
        calls.push({ firstChunkMs: stamps[0]! - t, afterLastChunkMs: performance.now() - stamps.at(-1)!, chunks: stamps.length });
      }
      const pick = (key: keyof BatchProfile['byWorkers'][number]) => summarize(calls.map((c) => c[key])).p50;
      byWorkers[workers] = { firstChunkMs: pick('firstChunkMs'), afterLastChunkMs: pick('afterLastChunkMs'), chunks: pick('chunks') };
    }
    return { all, rows: spec.rows, profile: { convertMs: summarize(converts).p50, byWorkers } };
  } finally {
    await session?.release();
    await model?.dispose();
  }
}

// ---- profiling helpers: what a call costs besides the model ---------------------------------

/** What a batch pool pays for each extra worker: a new runtime worker loading the model (ms). */
async function extraWorkerStart(url: string): Promise<number> {
  const t = performance.now();
  const worker = new RuntimeWorker();
  try {
    await worker.load({ callId: -1, name: 'bench', source: { kind: 'url', url }, backends: ['wasm'], auto: false, threads: autoThreads(), cache: 'none' });
    return performance.now() - t;
  } finally {
    worker.end();
  }
}

/** What the page's WebGPU adapter says about itself (SwiftShader is a CPU implementation). */
async function gpuAdapter(): Promise<string> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: Record<string, unknown> } | null> } }).gpu;
  if (!gpu) return 'no navigator.gpu';
  const adapter = await gpu.requestAdapter();
  if (!adapter) return 'no adapter';
  const info = adapter.info ?? {};
  return ['vendor', 'architecture', 'device', 'description', 'isFallbackAdapter']
    .filter((k) => info[k] !== undefined && info[k] !== '')
    .map((k) => `${k}: ${String(info[k])}`)
    .join(', ');
}

const api: BenchApi = {
  facts: () => ({
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated,
    deviceMemory: (navigator as Navigator & { deviceMemory?: number }).deviceMemory,
  }),
  open,
  time,
  close,
  firstPrediction,
  longTasks,
  cycles,
  workerCounts: () => ({ ...counts }),
  workersGone,
  setIdleTimeout,
  clearCache,
  batch,
  extraWorkerStart,
  innerTimes: (id: string) => innerTimes.get(id) ?? [],
  wakeCost,
  gpuAdapter,
};
window.bench = api;
document.body.dataset.ready = 'true';
