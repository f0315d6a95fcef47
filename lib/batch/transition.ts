/**
 * The pure step of a batch job's run: the record that counts one more parsed chunk. No I/O and
 * no mutation: the run commits the record this returns together with the chunk's results (one
 * IndexedDB transaction, lib/batch/store.ts) and adopts it as the live record only once that
 * commit succeeded, so a stored record never counts a chunk that is not stored.
 */
import { MlPredictError, quote } from '../errors.js';
import type { ParsedChunk } from './protocol.js';
import type { BatchJobRecord } from './types.js';

/** How many row errors a record keeps in `firstErrors` (all of them are in the result chunks). */
export const FIRST_ERRORS = 20;

/** What of a parsed chunk the record counts. */
export type CountedChunk = Pick<ParsedChunk, 'index' | 'firstRow' | 'rows' | 'valid' | 'errors' | 'sync' | 'bytesRead'>;

/**
 * The record after `chunk`, the next chunk of `record`'s job (index `record.chunks`, first row
 * `record.rowsDone + 1`), whose prediction took `ms` of run time, committed at `now` (epoch ms).
 * Returns a new record; `record` and its nested values are left as they are. Throws INTERNAL
 * when the chunk is not the next one (a commit out of order would break "each row once").
 */
export function afterChunk(record: Readonly<BatchJobRecord>, chunk: CountedChunk, ms: number, now: number): BatchJobRecord {
  if (chunk.index !== record.chunks || chunk.firstRow !== record.rowsDone + 1) {
    throw new MlPredictError(
      'INTERNAL',
      `Chunk ${chunk.index} (rows from ${chunk.firstRow}) of batch job ${quote(record.id)} is not its next one: ${record.chunks} chunks and ` +
        `${record.rowsDone} rows are committed, so the next is chunk ${record.chunks} from row ${record.rowsDone + 1}.`,
      { index: chunk.index, firstRow: chunk.firstRow, chunks: record.chunks, rowsDone: record.rowsDone },
    );
  }
  const errorsByKind = { ...record.errorsByKind };
  for (const e of chunk.errors) errorsByKind[e.kind] = (errorsByKind[e.kind] ?? 0) + 1;
  const room = Math.max(0, FIRST_ERRORS - record.firstErrors.length);
  return {
    ...record,
    rowsDone: chunk.firstRow - 1 + chunk.rows,
    predicted: record.predicted + chunk.valid,
    errorCount: record.errorCount + chunk.errors.length,
    errorsByKind,
    firstErrors: room > 0 && chunk.errors.length > 0 ? [...record.firstErrors, ...chunk.errors.slice(0, room)] : record.firstErrors,
    chunks: chunk.index + 1,
    sync: { ...chunk.sync },
    bytesDone: chunk.bytesRead,
    runMs: record.runMs + ms,
    updatedAt: now,
  };
}
