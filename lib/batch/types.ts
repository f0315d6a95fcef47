/** Public types of batch jobs (CSV files predicted on the device, stored, resumable). */
import type { MlPredictErrorCode } from '../errors.js';
import type { ModelCard } from '../model/card.js';
import type { Registry } from '../model/registry.js';
import type { Model, Outputs } from '../types.js';
import type { CsvFormat, RowError, RowErrorKind, SyncPoint } from './csv.js';

export type { RowError, RowErrorKind, SyncPoint, CsvFormat };

export const BATCH_JOB_STATUSES = ['queued', 'running', 'paused', 'done', 'failed', 'cancelled'] as const;
/**
 * queued: waiting for its turn (one job runs at a time per page); running: predicting (or was,
 * when the page went away: `resumeBatchJobs()` continues it); paused; done; failed (can be
 * resumed, e.g. after a worker crash); cancelled (final; its partial results stay downloadable).
 */
export type BatchJobStatus = (typeof BATCH_JOB_STATUSES)[number];

/** The model a job predicts with, pinned by its sha256. */
export interface BatchJobModel {
  name: string;
  version?: string;
  /** sha256 of the model file, 64 lower-case hex characters. */
  sha256: string;
  bytes: number;
  /** Where the model was loaded from: a resumed job loads it from here (the cache, offline) with the integrity below. */
  url?: string;
  integrity?: string;
  /** The registry the model came from, if any. */
  registry?: string;
}

/** The CSV's shape, learnt from its first row when the job first runs. */
export interface BatchJobCsv extends CsvFormat {
  header: string[];
  /** Column index per card feature (in card order), or of the text column; -1: filled from the card's default. */
  columns: number[];
}

export interface BatchJobRecord {
  id: string;
  status: BatchJobStatus;
  model: BatchJobModel;
  /** The input file: kept in IndexedDB with the job until the job is deleted. */
  file: { name: string; size: number; type: string; lastModified?: number };
  /** 'features' and 'columns': columns named after the card's features (one tensor, or one tensor each); 'text': a "text" column. */
  input: 'features' | 'columns' | 'text';
  csv?: BatchJobCsv;
  batchSize: number;
  /** Sessions to predict with; undefined: decided at run time from the cores and the file size. */
  workers?: number;
  /** Empty cells and missing columns take the card's default values (else they are row errors / CSV_INVALID). */
  useDefaults: boolean;
  /** Show a system notification when the job ends while the page is hidden (if permission was granted). */
  notify: boolean;
  /** Input rows committed: predicted or recorded as errors. Rows 1…rowsDone are in the results exactly once. */
  rowsDone: number;
  predicted: number;
  errorCount: number;
  errorsByKind: Partial<Record<RowErrorKind, number>>;
  /** The first row errors (at most 20); all of them are in the result chunks (`job.errors()`). */
  firstErrors: RowError[];
  /** Bytes of the input file read so far (for progress: bytesDone / file.size). */
  bytesDone: number;
  /** Result chunks committed. */
  chunks: number;
  /** Where parsing resumes: the latest exact row boundary at or before row `rowsDone`. */
  sync: SyncPoint;
  createdAt: number;
  updatedAt: number;
  /** First time the job ran. */
  startedAt?: number;
  finishedAt?: number;
  /** Milliseconds spent running, over all runs. */
  runMs: number;
  /** Why the job failed. */
  error?: { code: MlPredictErrorCode; message: string; details?: Record<string, unknown> };
  summary?: BatchSummary;
}

/** A committed chunk of results. */
export interface ResultChunk {
  index: number;
  /** Row number (1-based, data rows) of the chunk's first row. */
  firstRow: number;
  /** Input rows in the chunk, errors included. */
  rows: number;
  /** Model outputs for the chunk's readable rows, in order (null when none was readable). */
  outputs: Outputs | null;
  errors: RowError[];
}

export interface BatchSummary {
  rows: number;
  predicted: number;
  errors: number;
  errorsByKind: Partial<Record<RowErrorKind, number>>;
  kind: 'classification' | 'regression';
  /** Classifiers: rows per predicted label, in the card's label order. */
  classes?: Array<{ label: string; count: number }>;
  /** Regressors: the predicted values in 20 equal bins from min to max. */
  histogram?: { min: number; max: number; mean: number; unit?: string; bins: Array<{ from: number; to: number; count: number }> };
}

export interface BatchJobOptions {
  /** A loaded model with a card (`model.info.card`), or give `card`. */
  model?: Model;
  /** Or: a registry (or its URL) and a model `name` (and `version`) in it; the job loads the model. */
  registry?: Registry | string | URL;
  name?: string;
  version?: string;
  /** The card to read columns and labels from, when the model has none. */
  card?: ModelCard;
  /** Rows per chunk (per `session.run` and per stored result chunk). Default 2048. */
  batchSize?: number;
  /** Sessions to predict with (the model's own plus extra runtime workers). Default: from the cores and the file size. */
  workers?: number;
  /** Empty cells and missing columns take the card's default values. Default false: they are errors. */
  useDefaults?: boolean;
  /** System notification when done while the page is hidden, if the user allowed notifications. Default true. */
  notify?: boolean;
  /** Start at once (default true); false leaves the job queued until `job.start()`. */
  start?: boolean;
}

export interface BatchRunOptions {
  /** The model to predict with (must be the job's model: same sha256); default: the one the job was created with, or loaded again from its URL. */
  model?: Model;
  workers?: number;
  signal?: AbortSignal;
}

/** Events a BatchJob (and `batchJobEvents()`) dispatches; `detail` is the job's record. */
export interface BatchJobEventMap {
  progress: CustomEvent<BatchJobRecord>;
  status: CustomEvent<BatchJobRecord>;
  done: CustomEvent<BatchJobRecord>;
}
