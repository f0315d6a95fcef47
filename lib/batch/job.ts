/**
 * The handle of a batch job in this page: one per job id, holding its live record, its run and
 * its events. A run takes the job's Web Lock (one runner per job across tabs), then the page's
 * turn (one job runs at a time per page), then runs (lib/batch/run.ts). Pause, cancel and
 * crashes all stop at a committed chunk; a resume starts after the last one, so each input row
 * is in the results exactly once.
 */
import { MlPredictError, quote } from '../errors.js';
import { loadModel } from '../model/load.js';
import { checkOptions, WORKERS_RULE, type OptionRules } from '../options.js';
import type { Model } from '../types.js';
import { withLock, takeTurn } from './locks.js';
import { notifyJobEnded } from './notify.js';
import { resultChunks, resultsBlob, resultsFileName, resultsStream, rowErrors, summaryOf } from './results.js';
import { runJob, type RunHost } from './run.js';
import { deleteJob, getRecord, noJob, putRecord } from './store.js';
import type { BatchJobRecord, BatchJobStatus, BatchRunOptions, BatchSummary, ResultChunk, RowError } from './types.js';

/** The options of `job.start()` and `job.resume()`, in their documented order. */
const RUN_RULES: OptionRules = { model: 'object', workers: WORKERS_RULE, signal: 'signal' };

type StopReason = 'paused' | 'cancelled' | 'deleted';

interface ActiveRun {
  controller: AbortController;
  stopAs?: StopReason;
  promise: Promise<BatchJobRecord>;
}

let events: EventTarget | undefined;

/** Events of every batch job of this page ('progress', 'status', 'done'; detail: the record): for an app-wide notice. */
export function batchJobEvents(): EventTarget {
  return (events ??= new EventTarget());
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
  /** A model this page gave the job for its next run. */
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

  get status(): BatchJobStatus {
    return this.current.status;
  }

  /** True while this page runs the job. */
  get running(): boolean {
    return this.active !== undefined;
  }

  /** @internal gives the job a model for its next run; an owned model is disposed after that run. */
  attachModel(model: Model, owned: boolean): void {
    this.model = model;
    this.ownsModel = owned;
  }

  private emit(type: 'progress' | 'status' | 'done'): void {
    const detail = { ...this.current };
    this.dispatchEvent(new CustomEvent(type, { detail }));
    batchJobEvents().dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** Stores the live record with `patch` applied, then makes it the live one ('status' when the patch sets one). */
  private async save(patch: Partial<BatchJobRecord>): Promise<BatchJobRecord> {
    const next: BatchJobRecord = { ...this.current, ...patch, updatedAt: Date.now() };
    await putRecord(next);
    this.current = next;
    if (patch.status) this.emit('status');
    return next;
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
   * it fails (INVALID_ARGUMENT for bad options). Waits while another tab runs the job. Calling it
   * while running returns the same run.
   */
  start(given: BatchRunOptions = {}): Promise<BatchJobRecord> {
    let options: BatchRunOptions;
    try {
      options = checkOptions(given, 'job.start()', RUN_RULES);
    } catch (e) {
      return Promise.reject(e);
    }
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
      release = await takeTurn(signal, async () => void (await this.save({ status: 'queued' })));
      const done = await runJob(this.host(options), signal, options.workers);
      this.emit('done');
      void notifyJobEnded(done).catch(() => undefined);
      return done;
    } catch (e) {
      if (signal.aborted) {
        const as = active.stopAs ?? 'paused';
        if (as !== 'deleted') await this.save({ status: as });
        return this.current;
      }
      return await this.fail(toError(e));
    } finally {
      release?.();
    }
  }

  /**
   * Ends a run with `err`: the live record (the last committed one) becomes failed and is
   * stored, then `err` is thrown. When the failed record cannot be stored either (no room, say),
   * the store keeps the last committed record, which `resumeBatchJobs()` continues later.
   */
  private async fail(err: MlPredictError): Promise<never> {
    const failed: BatchJobRecord = {
      ...this.current,
      status: 'failed',
      error: { code: err.code, message: err.message, details: err.details },
      updatedAt: Date.now(),
    };
    this.current = failed;
    await putRecord(failed).catch(() => undefined);
    this.emit('status');
    void notifyJobEnded(failed).catch(() => undefined);
    throw err;
  }

  /** What a run of this job needs of its handle; its `record` is the live record at each read. */
  private host(options: BatchRunOptions): RunHost {
    const live = () => this.current;
    return {
      id: this.id,
      get record() {
        return live();
      },
      save: (patch) => this.save(patch),
      adopt: (record) => {
        this.current = record;
        this.emit('progress');
      },
      model: (signal) => this.modelFor(options, signal),
    };
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
    const from: BatchJobStatus[] = as === 'paused' ? ['queued', 'running'] : ['queued', 'running', 'paused', 'failed'];
    if (!from.includes(record.status)) return record;
    // Not running in this page: change the status, unless another tab runs it.
    return withLock(
      this.id,
      async () => {
        const fresh = await getRecord(this.id);
        if (!fresh) throw noJob(this.id);
        this.current = fresh;
        if (from.includes(fresh.status)) await this.save({ status: as });
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
    return resultsStream(this.id);
  }

  /** The results CSV as a Blob (built by the browser from the stream; large ones are kept on disk). */
  download(): Promise<Blob> {
    return resultsBlob(this.id);
  }

  /** A file name for the results: `<input name>.predictions.csv`. */
  get downloadName(): string {
    return resultsFileName(this.current);
  }

  /** Counts per class (classifiers) or a histogram (regressors), and error counts, over the committed rows. */
  async summary(): Promise<BatchSummary> {
    const record = await this.refresh();
    const final = !this.active && (record.status === 'done' || record.status === 'cancelled');
    const { summary, kept } = await summaryOf(record, final);
    if (kept && !this.active) this.current = kept;
    return summary;
  }

  /** Every committed result chunk, in order: the raw model outputs of its readable rows, and its row errors. */
  async *chunks(): AsyncGenerator<ResultChunk> {
    const record = await this.refresh();
    yield* resultChunks(this.id, record.chunks);
  }

  /** Every row error recorded so far, in row order. */
  async *errors(): AsyncGenerator<RowError> {
    const record = await this.refresh();
    yield* rowErrors(this.id, record.chunks);
  }
}

let handles: Map<string, BatchJob> | undefined;

/** The handle of a job this page knows already, if any. */
export function knownJob(id: string): BatchJob | undefined {
  return handles?.get(id);
}

/** The handle for `record`'s job: the one this page has, else a new one (kept for the next call). */
export function handleFor(record: BatchJobRecord): BatchJob {
  handles ??= new Map();
  let job = handles.get(record.id);
  if (!job) {
    job = new BatchJob(record);
    handles.set(record.id, job);
  }
  return job;
}
