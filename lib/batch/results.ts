/**
 * A batch job's stored results, read back: the results CSV (streamed from the batch worker,
 * which re-reads the stored input and the result chunks), its summary, and the raw result chunks
 * and row errors. Each reads what is committed when it starts; none of them changes a run.
 */
import { MlPredictError, quote } from '../errors.js';
import { withLock } from './locks.js';
import { getChunk, getRecord, putRecord } from './store.js';
import type { BatchJobRecord, BatchSummary, ResultChunk, RowError } from './types.js';
import { BatchWorker } from './worker-client.js';

/**
 * The results CSV of job `id`, pulled from a batch worker 256 KB at a time: the input columns,
 * then `prediction`, a `probability_<label>` per class for classifiers, and `error`. The worker
 * ends when the stream ends or is cancelled.
 */
export function resultsStream(id: string): ReadableStream<Uint8Array> {
  let worker: BatchWorker | undefined;
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

/** The results CSV of job `id` as a Blob of type `text/csv;charset=utf-8` (built by the browser from the stream). */
export function resultsBlob(id: string): Promise<Blob> {
  return new Response(resultsStream(id), { headers: { 'content-type': 'text/csv;charset=utf-8' } }).blob();
}

/** A file name for a job's results: `<input name>.predictions.csv`. */
export function resultsFileName(record: BatchJobRecord): string {
  return `${record.file.name.replace(/\.(csv|txt|tsv)$/i, '')}.predictions.csv`;
}

/**
 * The summary of `record`'s committed rows: the one kept with the record when it covers them,
 * else computed in a batch worker. `keep`: the results are final (done or cancelled, and no run
 * in this page), so the summary is stored with the record, under the job's lock when no other
 * context holds it (else not stored). `kept` is the record stored with it, if it was.
 */
export async function summaryOf(record: BatchJobRecord, keep: boolean): Promise<{ summary: BatchSummary; kept?: BatchJobRecord }> {
  if (record.summary && record.summary.rows === record.rowsDone) return { summary: record.summary };
  const worker = new BatchWorker();
  try {
    const summary = await worker.call((api) => api.summary(record.id));
    if (!keep) return { summary };
    const kept = await withLock(
      record.id,
      async () => {
        const fresh = await getRecord(record.id);
        if (!fresh || fresh.rowsDone !== summary.rows) return undefined;
        const next = { ...fresh, summary };
        await putRecord(next);
        return next;
      },
      'if-available',
    ).catch(() => undefined);
    return { summary, kept };
  } finally {
    worker.end();
  }
}

/** Result chunks 0 … count − 1 of job `id`, in order; INTERNAL when one is not stored. */
export async function* resultChunks(id: string, count: number): AsyncGenerator<ResultChunk> {
  for (let i = 0; i < count; i++) {
    const chunk = await getChunk(id, i);
    if (!chunk) throw new MlPredictError('INTERNAL', `Result chunk ${i} of batch job ${quote(id)} is missing.`);
    yield chunk;
  }
}

/** The row errors of result chunks 0 … count − 1 of job `id`, in row order. */
export async function* rowErrors(id: string, count: number): AsyncGenerator<RowError> {
  for await (const chunk of resultChunks(id, count)) yield* chunk.errors;
}
