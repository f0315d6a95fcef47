/**
 * One run of a batch job, for the job handle (lib/batch/job.ts) that holds the job's lock and
 * the page's turn: open the stored CSV in the batch worker (parse + convert), predict its chunks
 * over a pool (the model's session plus extra runtime workers), and commit each chunk's results
 * together with the record that counts it, in input order. The record that counts a chunk comes
 * from the pure transition (lib/batch/transition.ts) and becomes the live record only once its
 * commit succeeded; a run that stops (abort, failure, crash) leaves the stored and the live
 * record at the same committed chunk, and the next run starts after it.
 */
import { MlPredictError, quote, throwIfAborted } from '../errors.js';
import { internalsOf } from '../model/internals.js';
import { base64ToHex } from '../model/integrity.js';
import type { Model, Outputs, TensorType } from '../types.js';
import { inputSpec } from './csv.js';
import { defaultWorkers, Pool, runOrdered } from './pool.js';
import type { ParsedChunk } from './protocol.js';
import { commitChunk, getCard, getFile, noJob } from './store.js';
import { afterChunk } from './transition.js';
import type { BatchJobRecord, ResultChunk } from './types.js';
import { BatchWorker } from './worker-client.js';

/** Files smaller than this run on the model's own session by default: a second worker would not pay for its start. */
export const POOL_MIN_BYTES = 4 * 1024 * 1024;

/** Default sessions for a large job: one per core but the CSV worker's, at most 4. */
export function jobWorkers(): number {
  return Math.max(1, Math.min(4, defaultWorkers(), (globalThis.navigator?.hardwareConcurrency ?? 1) - 1));
}

/** What a run needs of its job's handle. */
export interface RunHost {
  readonly id: string;
  /** The live record: the last one stored. */
  readonly record: BatchJobRecord;
  /** Stores the live record with `patch` applied (and `updatedAt` now), then makes that the live record. */
  save(patch: Partial<BatchJobRecord>): Promise<BatchJobRecord>;
  /** Makes `record`, stored already (committed with its chunk), the live record. */
  adopt(record: BatchJobRecord): void;
  /** The model to predict with; `owned`: the run disposes it when it ends. */
  model(signal: AbortSignal): Promise<{ model: Model; owned: boolean }>;
}

/** sha256 of a loaded model, as lower-case hex. */
export function sha256Hex(model: Model): string {
  const b64 = model.info.sha256;
  if (!b64) throw new MlPredictError('INTERNAL', `Model ${quote(model.info.name)} has no sha256 in its info.`);
  return base64ToHex(b64);
}

/** The element type of each model input, by name. */
export function inputTypes(model: Model): Record<string, TensorType> {
  return Object.fromEntries(model.info.inputs.map((i) => [i.name, i.type]));
}

/** The rank of each model input, by name. */
export function inputRanks(model: Model): Record<string, number> {
  return Object.fromEntries(model.info.inputs.map((i) => [i.name, i.dims.length]));
}

/**
 * Runs the job from its live record (status running) to its end: resolves with the record
 * stored as done. Rejects when `signal` aborts (with `abortError(signal.reason)`) or the run
 * fails; the live record is then the last stored one, and the caller stores the job's status.
 * `workers`: sessions to predict with (default: the job's, else from the file size and cores).
 */
export async function runJob(host: RunHost, signal: AbortSignal, workers: number | undefined): Promise<BatchJobRecord> {
  const [card, file] = await Promise.all([getCard(host.id), getFile(host.id)]);
  if (!card || !file) throw noJob(host.id);
  throwIfAborted(signal);
  const { model, owned } = await host.model(signal);
  const worker = new BatchWorker();
  let pool: Pool | undefined;
  // An aborted run ends the batch worker: its pending calls settle and no chunk comes after.
  const onAbort = () => worker.end();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const job = host.record;
    const sha = sha256Hex(model);
    if (sha !== job.model.sha256) {
      throw new MlPredictError(
        'INVALID_ARGUMENT',
        `Batch job ${quote(host.id)} predicts with model "${job.model.name}" sha256 ${job.model.sha256}; the model given ("${model.info.name}") has sha256 ${sha}.`,
        { expected: job.model.sha256, actual: sha },
      );
    }
    const spec = inputSpec(card, inputTypes(model), job.useDefaults, inputRanks(model));
    const started = await host.save({ status: 'running', startedAt: job.startedAt ?? Date.now(), error: undefined });
    let last = performance.now();
    const csv = await worker.call((api) =>
      api.open({
        file,
        fileName: started.file.name,
        spec,
        csv: started.csv,
        start: started.sync,
        skip: started.rowsDone - started.sync.row,
        batchSize: started.batchSize,
        firstChunk: started.chunks,
      }),
    );
    if (!started.csv) await host.save({ csv });
    // Small files: the model's own session (a worker's start would not pay). Large ones: up to
    // cores − 1 sessions of one wasm thread (the CSV worker takes a core), the model's own
    // session only when it runs one thread itself (a thread pool would compete with the CSV
    // worker for its core).
    const large = file.size >= POOL_MIN_BYTES;
    const size = workers ?? started.workers ?? (large ? jobWorkers() : 1);
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
        const next = afterChunk(host.record, chunk, now - last, Date.now());
        last = now;
        const result: ResultChunk = { index: chunk.index, firstRow: chunk.firstRow, rows: chunk.rows, outputs, errors: chunk.errors };
        await commitChunk(next, result);
        host.adopt(next);
      },
    });
    throwIfAborted(signal);
    return await host.save({ status: 'done', runMs: host.record.runMs + performance.now() - last, finishedAt: Date.now() });
  } finally {
    signal.removeEventListener('abort', onAbort);
    pool?.close();
    worker.end();
    if (owned) await model.dispose().catch(() => undefined);
  }
}
