/**
 * ml-predict/batch: batch jobs, CSV files predicted on the device, stored in IndexedDB as they
 * go, resumable after a reload or a crash, with results to download as CSV. Importing this
 * module does nothing (no worker, no database, no globals) until a function is called.
 */
export { createBatchJob, getBatchJob, listBatchJobs, resumeBatchJobs } from './jobs.js';
export { BatchJob, batchJobEvents } from './job.js';
export type {
  BatchJobOptions,
  BatchJobRecord,
  BatchJobStatus,
  BatchJobModel,
  BatchJobCsv,
  BatchRunOptions,
  BatchSummary,
  BatchJobEventMap,
  ResultChunk,
  RowError,
  RowErrorKind,
  SyncPoint,
  CsvFormat,
} from './types.js';
