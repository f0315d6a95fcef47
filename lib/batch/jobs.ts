/**
 * Batch jobs: a CSV file predicted on the device, stored in IndexedDB as it goes, resumable
 * after a reload or a crash, with results to download as CSV.
 *
 * A run: take the job's Web Lock (one runner per job across tabs; a dead page's lock is freed by
 * the browser, which is how a stale "running" job is told from a live one), wait for the page's
 * turn (one job runs at a time per page), open the CSV in the batch worker (parse + convert),
 * predict its chunks over a pool (the model's session plus extra runtime workers), and commit
 * each chunk's results together with the record that counts them, in input order. Pause, cancel
 * and crashes all stop at a committed chunk; a resume starts after the last one, so each input
 * row is in the results exactly once.
 */
import { abortError, MlPredictError, quote, throwIfAborted } from '../errors.js';
import type { ModelCard } from '../model/card.js';
import { isQuotaError } from '../cache/store.js';
import { base64ToHex } from '../model/integrity.js';
import { loadModel } from '../model/load.js';
import { openRegistry } from '../model/registry.js';
import type { Model, Outputs, TensorType } from '../types.js';
import { inputSpec } from './csv.js';
import { notifyJobEnded } from './notify.js';
import { checkBatchSize, checkKeys, checkWorkers, defaultWorkers, Pool, runOrdered } from './pool.js';
import { internalsOf } from '../model/internals.js';
import type { ParsedChunk } from './protocol.js';
import { commitChunk, createJob, deleteJob, getCard, getChunk, getFile, getRecord, listRecords, putRecord } from './store.js';
import type { BatchJobOptions, BatchJobRecord, BatchRunOptions, BatchSummary, ResultChunk, RowError } from './types.js';
import { BatchWorker } from './worker-client.js';

export const DEFAULT_JOB_BATCH_SIZE = 2048;
/** Files smaller than this run on the model's own session by default: a second worker would not pay for its start. */
export const POOL_MIN_BYTES = 4 * 1024 * 1024;
const FIRST_ERRORS = 20;
const CREATE_KEYS = ['model', 'registry', 'name', 'version', 'card', 'batchSize', 'workers', 'useDefaults', 'notify', 'start'] as const;
const RUN_KEYS = ['model', 'workers', 'signal'] as const;

type StopReason = 'paused' | 'cancelled' | 'deleted';

interface ActiveRun {
  controller: AbortController;
  stopAs?: StopReason;
  promise: Promise<BatchJobRecord>;
}

let handles: Map<string, BatchJob> | undefined;
let events: EventTarget | undefined;
/** One job runs at a time per page: whether one holds the turn, and those waiting for it. */
let turnHeld = false;
const waiting: Array<() => void> = [];

/** Events of every batch job of this page ('progress', 'status', 'done'; detail: the record): for an app-wide notice. */
export function batchJobEvents(): EventTarget {
  return (events ??= new EventTarget());
}

const lockName = (id: string) => `ml-predict-job:${id}`;

function noJob(id: string): MlPredictError {
  return new MlPredictError('INVALID_ARGUMENT', `No batch job with id ${quote(id)}: it was deleted (or the site's storage was cleared).`);
}

function busy(id: string): MlPredictError {
  return new MlPredictError('INVALID_ARGUMENT', `Batch job ${quote(id)} is running in another tab or window; pause or cancel it there.`);
}

/** Runs `fn` holding the job's lock: waits for it, or (ifAvailable) returns `busy` when another context holds it. */
async function withLock<T>(id: string, fn: () => Promise<T>, wait: { signal?: AbortSignal } | 'if-available'): Promise<T> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return fn();
  if (wait === 'if-available') {
    return locks.request(lockName(id), { ifAvailable: true }, async (lock) => {
      if (!lock) throw busy(id);
      return fn();
    });
  }
  try {
    return await locks.request(lockName(id), wait.signal ? { signal: wait.signal } : {}, fn);
  } catch (e) {
    if (wait.signal?.aborted && (e as { name?: string })?.name === 'AbortError') throw abortError(wait.signal.reason);
    throw e;
  }
}

/** True when some context of this origin holds the job's lock (it is running there). */
async function lockHeld(id: string): Promise<boolean> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return false;
  const state = await locks.query();
  return (state.held ?? []).some((l) => l.name === lockName(id));
}

/** Waits for this page's turn to run a job (one at a time); the returned function passes the turn on. */
async function takeTurn(signal: AbortSignal, onWait: () => Promise<void>): Promise<() => void> {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    const next = waiting.shift();
    if (next) next();
    else turnHeld = false;
  };
  if (!turnHeld) {
    turnHeld = true;
    return release;
  }
  await onWait();
  await new Promise<void>((resolve, reject) => {
    const go = () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      const i = waiting.indexOf(go);
      if (i >= 0) waiting.splice(i, 1);
      reject(abortError(signal.reason));
    };
    if (signal.aborted) return reject(abortError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    waiting.push(go);
  });
  return release;
}

/** Default sessions for a large job: one per core but the CSV worker's, at most 4. */
export function jobWorkers(): number {
  return Math.max(1, Math.min(4, defaultWorkers(), (globalThis.navigator?.hardwareConcurrency ?? 1) - 1));
}

function inputTypes(model: Model): Record<string, TensorType> {
  return Object.fromEntries(model.info.inputs.map((i) => [i.name, i.type]));
}

function sha256Hex(model: Model): string {
  const b64 = model.info.sha256;
  if (!b64) throw new MlPredictError('INTERNAL', `Model "${model.info.name}" has no sha256 in its info.`);
  return base64ToHex(b64);
}

/** IndexedDB refused a write for lack of room (Chrome may say AbortError): QUOTA_EXCEEDED, saying what and what to do. */
function quotaError(e: unknown, what: string): unknown {
  if (!isQuotaError(e)) return e;
  return new MlPredictError(
    'QUOTA_EXCEEDED',
    `The browser has no room left to store ${what}. Free space for this site (delete finished jobs or cached models, or ask for persistent storage), then resume.`,
    { cause: (e as Error)?.message },
  );
}

function toError(e: unknown): MlPredictError {
  if (e instanceof MlPredictError) return e;
  return new MlPredictError('INTERNAL', e instanceof Error ? e.message : String(e));
}

/**
 * A batch job of this page. One handle per job id (getBatchJob returns the same one). Dispatches
 * 'progress' (after each committed chunk), 'status' and 'done'; `detail` is a copy of the record.
 */
export class BatchJob extends EventTarget {
  private current: BatchJobRecord;
  private active: ActiveRun | undefined;
  /** A model this page loaded for the job (used by its runs). */
  private model: Model | undefined;
  private ownsModel = false;

  constructor(record: BatchJobRecord) {
    super();
    this.current = record;
  }

  get id(): string {
    return this.current.id;
  }

  /** The latest record this page knows (refresh() reads it again from IndexedDB). */
  get record(): BatchJobRecord {
    return this.current;
  }

  get status(): BatchJobRecord['status'] {
    return this.current.status;
  }

  /** True while this page runs the job. */
  get running(): boolean {
    return this.active !== undefined;
  }

  /** @internal gives the job a model for its next run; owned models are disposed after it. */
  attachModel(model: Model, owned: boolean): void {
    this.model = model;
    this.ownsModel = owned;
  }

  private emit(type: 'progress' | 'status' | 'done'): void {
    const detail = { ...this.current };
    this.dispatchEvent(new CustomEvent(type, { detail }));
    batchJobEvents().dispatchEvent(new CustomEvent(type, { detail }));
  }

  private async save(status?: BatchJobRecord['status']): Promise<void> {
    if (status) this.current.status = status;
    this.current.updatedAt = Date.now();
    await putRecord(this.current);
    if (status) this.emit('status');
  }

  async refresh(): Promise<BatchJobRecord> {
    const record = await getRecord(this.id);
    if (!record) throw noJob(this.id);
    if (!this.active) this.current = record;
    return this.current;
  }

  /**
   * Runs (or resumes) the job: from the start, or after its last committed chunk. Resolves with
   * the record when the run ends (done, paused or cancelled); rejects with the job's error when
   * it fails. Waits while another tab runs the job. Calling it while running returns the same run.
   */
  start(options: BatchRunOptions = {}): Promise<BatchJobRecord> {
    checkKeys(options, RUN_KEYS, 'job.start()');
    checkWorkers(options.workers, 'job.start()');
    if (this.active) return this.active.promise;
    const controller = new AbortController();
    const active: ActiveRun = { controller, promise: undefined as unknown as Promise<BatchJobRecord> };
    const outer = options.signal;
    const onOuter = () => this.stop(active, 'paused');
    if (outer?.aborted) onOuter();
    outer?.addEventListener('abort', onOuter, { once: true });
    active.promise = withLock(this.id, () => this.runLocked(active, options), { signal: controller.signal })
      .catch(async (e: unknown) => {
        // Stopped before the lock was ours: nothing was written; say where the job stands.
        if (controller.signal.aborted && active.stopAs !== undefined) return this.refresh().catch(() => this.current);
        throw e;
      })
      .finally(() => {
        outer?.removeEventListener('abort', onOuter);
        if (this.active === active) this.active = undefined;
      });
    this.active = active;
    return active.promise;
  }

  /** Same as start(): continues from the last committed chunk. */
  resume(options: BatchRunOptions = {}): Promise<BatchJobRecord> {
    return this.start(options);
  }

  private stop(active: ActiveRun, as: StopReason): void {
    active.stopAs ??= as;
    active.controller.abort(new MlPredictError('ABORTED', `The batch job was ${as}.`));
  }

  private async runLocked(active: ActiveRun, options: BatchRunOptions): Promise<BatchJobRecord> {
    const { signal } = active.controller;
    const record = await getRecord(this.id);
    if (!record) throw noJob(this.id);
    this.current = record;
    if (record.status === 'done' || record.status === 'cancelled') return record;
    let release: (() => void) | undefined;
    try {
      release = await takeTurn(signal, () => this.save('queued'));
      return await this.execute(signal, options);
    } catch (e) {
      if (signal.aborted) {
        const as = active.stopAs ?? 'paused';
        if (as !== 'deleted') await this.save(as);
        return this.current;
      }
      const err = toError(e);
      this.current.error = { code: err.code, message: err.message, details: err.details };
      await this.save('failed');
      void notifyJobEnded(this.current).catch(() => undefined);
      throw err;
    } finally {
      release?.();
    }
  }

  /** The model for a run: the one given, the one this page attached, or the job's own loaded again (from the cache). */
  private async modelFor(options: BatchRunOptions, signal: AbortSignal): Promise<{ model: Model; owned: boolean }> {
    if (options.model) return { model: options.model, owned: false };
    const attached = this.model;
    if (attached && !attached.disposed) {
      const owned = this.ownsModel;
      if (owned) this.model = undefined;
      return { model: attached, owned };
    }
    const m = this.current.model;
    if (!m.url) {
      throw new MlPredictError(
        'INVALID_ARGUMENT',
        `Batch job ${quote(this.id)} predicts with model "${m.name}", which was loaded from bytes (there is no URL to load it from again): pass it, job.start({ model }).`,
      );
    }
    const model = await loadModel(m.url, { integrity: m.integrity, version: m.version, name: m.name, card: false, signal });
    return { model, owned: true };
  }

  private async execute(signal: AbortSignal, options: BatchRunOptions): Promise<BatchJobRecord> {
    const record = this.current;
    const [card, file] = await Promise.all([getCard(this.id), getFile(this.id)]);
    if (!card || !file) throw noJob(this.id);
    throwIfAborted(signal);
    const { model, owned } = await this.modelFor(options, signal);
    const worker = new BatchWorker();
    let pool: Pool | undefined;
    const onAbort = () => worker.end();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const sha = sha256Hex(model);
      if (sha !== record.model.sha256) {
        throw new MlPredictError(
          'INVALID_ARGUMENT',
          `Batch job ${quote(this.id)} predicts with model "${record.model.name}" sha256 ${record.model.sha256}; the model given ("${model.info.name}") has sha256 ${sha}.`,
          { expected: record.model.sha256, actual: sha },
        );
      }
      const spec = inputSpec(card, inputTypes(model), record.useDefaults);
      record.startedAt ??= Date.now();
      record.error = undefined;
      await this.save('running');
      let last = performance.now();
      const csv = await worker.call((api) =>
        api.open({
          file,
          fileName: record.file.name,
          spec,
          csv: record.csv,
          start: record.sync,
          skip: record.rowsDone - record.sync.row,
          batchSize: record.batchSize,
          firstChunk: record.chunks,
        }),
      );
      if (!record.csv) {
        record.csv = csv;
        await this.save();
      }
      // Small files: the model's own session (a worker's start would not pay). Large ones: up to
      // cores − 1 sessions of one wasm thread (the CSV worker takes a core), the model's own
      // session only when it runs one thread itself (a thread pool spinning next to the CSV
      // worker halved throughput on 2 cores: bench/batch.ts).
      const large = file.size >= POOL_MIN_BYTES;
      const size = options.workers ?? record.workers ?? (large ? jobWorkers() : 1);
      const request = internalsOf(model)?.request;
      const own = !large || model.info.threads <= 1 || !request;
      pool = new Pool({ model, request: size > 1 || !own ? request : undefined, size, own });
      await runOrdered<ParsedChunk, Outputs | null>({
        pool,
        signal,
        next: async () => (await worker.call((api) => api.next())) ?? undefined,
        exec: (slot, chunk, s) => (chunk.feeds ? slot.run(chunk.feeds, s) : Promise.resolve(null)),
        deliver: async (chunk, outputs) => {
          const now = performance.now();
          this.count(chunk, now - last);
          last = now;
          const result: ResultChunk = { index: chunk.index, firstRow: chunk.firstRow, rows: chunk.rows, outputs, errors: chunk.errors };
          await commitChunk(record, result).catch((e: unknown) => {
            throw quotaError(e, `the results of batch job ${quote(this.id)} (rows ${chunk.firstRow}–${record.rowsDone} were not stored; the ${chunk.firstRow - 1} before are)`);
          });
          this.emit('progress');
        },
      });
      throwIfAborted(signal);
      record.runMs += performance.now() - last;
      record.finishedAt = Date.now();
      await this.save('done');
      this.emit('done');
      void notifyJobEnded(record).catch(() => undefined);
      return record;
    } finally {
      signal.removeEventListener('abort', onAbort);
      pool?.close();
      worker.end();
      if (owned) await model.dispose().catch(() => undefined);
    }
  }

  /** Counts a chunk into the record (before it is committed with it). */
  private count(chunk: ParsedChunk, ms: number): void {
    const r = this.current;
    r.rowsDone = chunk.firstRow - 1 + chunk.rows;
    r.predicted += chunk.valid;
    r.errorCount += chunk.errors.length;
    for (const e of chunk.errors) {
      r.errorsByKind[e.kind] = (r.errorsByKind[e.kind] ?? 0) + 1;
      if (r.firstErrors.length < FIRST_ERRORS) r.firstErrors.push(e);
    }
    r.chunks = chunk.index + 1;
    r.sync = chunk.sync;
    r.bytesDone = chunk.bytesRead;
    r.runMs += ms;
    r.updatedAt = Date.now();
  }

  /** Pauses: the run stops at a committed chunk (status paused); start() continues from there. */
  pause(): Promise<BatchJobRecord> {
    return this.stopWith('paused');
  }

  /** Cancels: the run stops (status cancelled, final); the results so far stay and can be downloaded. */
  cancel(): Promise<BatchJobRecord> {
    return this.stopWith('cancelled');
  }

  private async stopWith(as: 'paused' | 'cancelled'): Promise<BatchJobRecord> {
    const active = this.active;
    if (active) {
      this.stop(active, as);
      await active.promise.catch(() => undefined);
    }
    const record = await this.refresh();
    const from = as === 'paused' ? ['queued', 'running'] : ['queued', 'running', 'paused', 'failed'];
    if (!from.includes(record.status)) return record;
    // Not running in this page: change the status, unless another tab runs it.
    return withLock(
      this.id,
      async () => {
        const fresh = await getRecord(this.id);
        if (!fresh) throw noJob(this.id);
        this.current = fresh;
        if (from.includes(fresh.status)) await this.save(as);
        return this.current;
      },
      'if-available',
    );
  }

  /** Deletes the job: its record, stored input file and results. Stops it first if this page runs it. */
  async delete(): Promise<void> {
    const active = this.active;
    if (active) {
      this.stop(active, 'deleted');
      await active.promise.catch(() => undefined);
    }
    await withLock(this.id, () => deleteJob(this.id), 'if-available');
    handles?.delete(this.id);
    this.current = { ...this.current };
    this.emit('status');
  }

  /** Resolves with the record when the current run ends (at once when none runs); rejects if it fails. */
  async finished(): Promise<BatchJobRecord> {
    if (this.active) return this.active.promise;
    const record = await this.refresh();
    if (record.status === 'failed' && record.error) throw new MlPredictError(record.error.code, record.error.message, record.error.details);
    return record;
  }

  /**
   * The results as CSV, streamed from IndexedDB: the input columns, then `prediction`, a
   * `probability_<label>` per class for classifiers, and `error` (the reason a row was not
   * predicted). Holds the rows committed when the stream starts (all of them for a done job).
   */
  results(): ReadableStream<Uint8Array> {
    let worker: BatchWorker | undefined;
    const id = this.id;
    return new ReadableStream<Uint8Array>(
      {
        start: async () => {
          worker = new BatchWorker();
          await worker.call((api) => api.exportOpen(id));
        },
        pull: async (controller) => {
          const piece = await worker!.call((api) => api.exportNext());
          if (piece) controller.enqueue(piece);
          else {
            controller.close();
            worker!.end();
          }
        },
        cancel: () => worker?.end(),
      },
      { highWaterMark: 1 },
    );
  }

  /** The results CSV as a Blob (built by the browser from the stream; large ones are kept on disk). */
  download(): Promise<Blob> {
    return new Response(this.results(), { headers: { 'content-type': 'text/csv;charset=utf-8' } }).blob();
  }

  /** A file name for the results: `<input name>.predictions.csv`. */
  get downloadName(): string {
    return `${this.current.file.name.replace(/\.(csv|txt|tsv)$/i, '')}.predictions.csv`;
  }

  /** Counts per class (classifiers) or a histogram (regressors), and error counts, over the committed rows. */
  async summary(): Promise<BatchSummary> {
    const record = await this.refresh();
    if (record.summary && record.summary.rows === record.rowsDone) return record.summary;
    const worker = new BatchWorker();
    try {
      const summary = await worker.call((api) => api.summary(this.id));
      if (!this.active && (record.status === 'done' || record.status === 'cancelled')) {
        // Final results: keep the summary with the record (under the job's lock, if free).
        await withLock(
          this.id,
          async () => {
            const fresh = await getRecord(this.id);
            if (fresh && fresh.rowsDone === summary.rows) {
              this.current = { ...fresh, summary };
              await putRecord(this.current);
            }
          },
          'if-available',
        ).catch(() => undefined);
      }
      return summary;
    } finally {
      worker.end();
    }
  }

  /** Every committed result chunk, in order: the raw model outputs of its readable rows, and its row errors. */
  async *chunks(): AsyncGenerator<ResultChunk> {
    const record = await this.refresh();
    for (let i = 0; i < record.chunks; i++) {
      const chunk = await getChunk(this.id, i);
      if (!chunk) throw new MlPredictError('INTERNAL', `Result chunk ${i} of batch job ${quote(this.id)} is missing.`);
      yield chunk;
    }
  }

  /** Every row error recorded so far, in row order. */
  async *errors(): AsyncGenerator<RowError> {
    for await (const chunk of this.chunks()) yield* chunk.errors;
  }
}

function handleFor(record: BatchJobRecord): BatchJob {
  handles ??= new Map();
  let job = handles.get(record.id);
  if (!job) {
    job = new BatchJob(record);
    handles.set(record.id, job);
  }
  return job;
}

/**
 * Creates a batch job for a CSV file and (by default) starts it. The file is stored with the
 * job, so the job can resume after a reload without asking for it again.
 *
 * @example
 * const job = await createBatchJob(file, { model });            // model loaded with its card
 * job.addEventListener('progress', (e) => bar.value = e.detail.bytesDone / e.detail.file.size);
 * await job.finished();
 * const csv = await job.download();
 */
export async function createBatchJob(file: Blob, options: BatchJobOptions): Promise<BatchJob> {
  if (!(file instanceof Blob)) {
    throw new MlPredictError('INVALID_ARGUMENT', `createBatchJob() takes a File or Blob with CSV text, got ${quote(file)}.`);
  }
  checkKeys(options, CREATE_KEYS, 'createBatchJob()');
  const batchSize = checkBatchSize(options.batchSize, 'createBatchJob()') ?? DEFAULT_JOB_BATCH_SIZE;
  const workers = checkWorkers(options.workers, 'createBatchJob()');
  let model = options.model;
  let owned = false;
  let registryUrl: string | undefined;
  if (!model) {
    if (options.registry === undefined || options.name === undefined) {
      throw new MlPredictError(
        'INVALID_ARGUMENT',
        'createBatchJob() needs a model: pass { model } (a loaded model with a card), or { registry, name } (and a version) to load one.',
      );
    }
    const registry = typeof options.registry === 'string' || options.registry instanceof URL ? await openRegistry(options.registry) : options.registry;
    registryUrl = registry.url;
    model = await registry.load(options.name, { version: options.version });
    owned = true;
  }
  const card: ModelCard | undefined = options.card ?? model.info.card;
  try {
    if (!card) {
      throw new MlPredictError(
        'INVALID_ARGUMENT',
        `Model "${model.info.name}" has no model card: a batch job matches CSV columns to the card's features. Load it with its card (openRegistry(…).load, or loadModel(url, { card })) or pass { card }.`,
      );
    }
    const spec = inputSpec(card, inputTypes(model), options.useDefaults ?? false);
    const now = Date.now();
    const info = model.info;
    const sha256 = sha256Hex(model);
    const record: BatchJobRecord = {
      id: crypto.randomUUID(),
      status: 'queued',
      model: {
        name: card.name || info.name,
        version: info.version ?? card.version,
        sha256,
        bytes: info.bytes,
        url: info.url,
        integrity: `sha256-${info.sha256}`,
        registry: registryUrl,
      },
      file: { name: (file as File).name ?? 'data.csv', size: file.size, type: file.type, lastModified: (file as File).lastModified },
      input: spec.kind,
      batchSize,
      workers,
      useDefaults: options.useDefaults ?? false,
      notify: options.notify ?? true,
      rowsDone: 0,
      predicted: 0,
      errorCount: 0,
      errorsByKind: {},
      firstErrors: [],
      bytesDone: 0,
      chunks: 0,
      sync: { byte: 0, row: 0 },
      createdAt: now,
      updatedAt: now,
      runMs: 0,
    };
    await createJob(record, card, file).catch((e: unknown) => {
      throw quotaError(e, `the input file ${quote(record.file.name)} (${file.size} bytes) of a new batch job`);
    });
    const job = handleFor(record);
    if (options.start === false && owned) await model.dispose();
    else job.attachModel(model, owned);
    if (options.start !== false) void job.start().catch(() => undefined);
    return job;
  } catch (e) {
    if (owned) await model.dispose();
    throw e;
  }
}

/** The job with this id (the same handle each time), or undefined. */
export async function getBatchJob(id: string): Promise<BatchJob | undefined> {
  const known = handles?.get(id);
  if (known) return known;
  const record = await getRecord(id);
  return record ? handleFor(record) : undefined;
}

/** Records of every stored job, oldest first. */
export function listBatchJobs(): Promise<BatchJobRecord[]> {
  return listRecords();
}

/**
 * Continues the jobs a previous page left queued or running (after a reload, a crash or a closed
 * tab), skipping those another tab is running. Call it once when the app starts.
 */
export async function resumeBatchJobs(options: Omit<BatchRunOptions, 'signal'> = {}): Promise<BatchJob[]> {
  const resumed: BatchJob[] = [];
  for (const record of await listRecords()) {
    if (record.status !== 'running' && record.status !== 'queued') continue;
    const job = handleFor(record);
    if (job.running || (await lockHeld(record.id))) continue;
    void job.start(options).catch(() => undefined);
    resumed.push(job);
  }
  return resumed;
}
