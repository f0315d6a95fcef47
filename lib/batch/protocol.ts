/**
 * Everything that crosses the batch worker's boundary (lib/batch/batch-worker.ts): its API,
 * called through comlink over a MessagePort, and the types of its arguments and replies. The
 * connect handshake and the error transfer are the runtime worker's (lib/worker/protocol.ts).
 */
import type { Tensor } from '../types.js';
import type { InputSpec, RowError, SyncPoint } from './csv.js';
import type { BatchJobCsv, BatchSummary } from './types.js';

export interface OpenRequest {
  file: Blob;
  /** For messages: the file's name. */
  fileName: string;
  spec: InputSpec;
  /** Known from an earlier run: the header, delimiter, line ending and column matching. */
  csv?: BatchJobCsv;
  /** Where to start parsing, and how many data rows after it were already committed. */
  start: SyncPoint;
  skip: number;
  batchSize: number;
  /** Index of the first chunk this run produces. */
  firstChunk: number;
}

/** One chunk of parsed rows, ready to predict. */
export interface ParsedChunk {
  index: number;
  /** Row number (1-based) of the chunk's first row. */
  firstRow: number;
  rows: number;
  /** Inputs of the readable rows (null when no row was readable). */
  feeds: Record<string, Tensor> | null;
  valid: number;
  errors: RowError[];
  /** The latest exact resume point at or before the chunk's end. */
  sync: SyncPoint;
  /** Bytes of the file read so far. */
  bytesRead: number;
}

export interface BatchWorkerApi {
  /** Opens the file: reads (or checks) the header and matches columns; CSV_INVALID when a column is missing. */
  open(req: OpenRequest): Promise<BatchJobCsv>;
  /** The next chunk, or null at the end of the file. */
  next(): Promise<ParsedChunk | null>;
  /** Starts writing a job's results as CSV (input columns + predictions), up to its committed rows. */
  exportOpen(jobId: string): Promise<void>;
  /** The next piece of the results CSV (UTF-8), or null at the end. */
  exportNext(): Promise<Uint8Array | null>;
  /** Counts per class, or a histogram of values, over a job's committed results. */
  summary(jobId: string): Promise<BatchSummary>;
}
