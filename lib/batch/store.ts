/**
 * Batch jobs in IndexedDB: database "ml-predict-jobs", object store "jobs" (never the models
 * store), opened lazily on first use, from the page or the batch worker. Keys:
 *   ['j', id]         the job record (small; rewritten at every commit)
 *   ['c', id]         the model card the job reads columns and labels from (written once)
 *   ['f', id]         the input file itself, a Blob: a job resumes after a reload without asking
 *                     for the file again (browsers keep stored Blobs on disk, not in memory).
 *                     Where IndexedDB refuses Blobs (WebKit in a private or automated profile:
 *                     "Error preparing Blob/File data"), found by a probe once per page, its
 *                     bytes instead, as `StoredBytes`.
 *   ['r', id, i]      result chunk i: the outputs of its readable rows and its row errors
 * A result chunk and the record that counts it are written in one transaction, so after a crash
 * the record never counts a chunk that is not there, nor misses one that is.
 *
 * Every function here rejects with an MlPredictError only: QUOTA_EXCEEDED when the browser has
 * no room for a write (saying what was not stored), INTERNAL for any other refusal (quoting the
 * browser's reason; an aborted transaction may carry none, and then says so).
 */
import { createStore, get, promisifyRequest, set, setMany, type UseStore } from 'idb-keyval';
import { isQuotaError } from '../cache/store.js';
import { MlPredictError, quote } from '../errors.js';
import type { ModelCard } from '../model/card.js';
import type { BatchJobRecord, ResultChunk } from './types.js';

let store: UseStore | undefined;
const db = (): UseStore => (store ??= createStore('ml-predict-jobs', 'jobs'));

const recordKey = (id: string): IDBValidKey => ['j', id];
const cardKey = (id: string): IDBValidKey => ['c', id];
const fileKey = (id: string): IDBValidKey => ['f', id];
const chunkKey = (id: string, i: number): IDBValidKey => ['r', id, i];
const chunkRange = (id: string) => IDBKeyRange.bound(['r', id, 0], ['r', id, Infinity]);

/** INVALID_ARGUMENT: no job has this id (any more). */
export function noJob(id: string): MlPredictError {
  return new MlPredictError('INVALID_ARGUMENT', `No batch job with id ${quote(id)}: it was deleted (or the site's storage was cleared).`);
}

/**
 * The MlPredictError for an IndexedDB request that failed with `e` while it would `action`
 * `what` (e.g. "store", "the record of batch job \"x\""). An MlPredictError is returned as it is.
 */
export function storageError(e: unknown, action: 'read' | 'store' | 'delete', what: string): MlPredictError {
  if (e instanceof MlPredictError) return e;
  const reason = e instanceof Error || e instanceof DOMException ? `${e.name}: ${e.message}` : e == null ? undefined : String(e);
  const details = { action, what, cause: reason };
  if (action === 'store' && isQuotaError(e)) {
    return new MlPredictError(
      'QUOTA_EXCEEDED',
      `The browser has no room left to store ${what}. Free space for this site (delete finished jobs or cached models, or ask for persistent storage), then resume.`,
      details,
      { cause: e },
    );
  }
  const why = reason ?? 'the transaction was aborted without a reason';
  return new MlPredictError('INTERNAL', `IndexedDB could not ${action} ${what}: ${why}.`, details, { cause: e });
}

function guard<T>(work: () => Promise<T>, action: 'read' | 'store' | 'delete', what: () => string): Promise<T> {
  try {
    return work().catch((e: unknown) => {
      throw storageError(e, action, what());
    });
  } catch (e) {
    return Promise.reject(storageError(e, action, what()));
  }
}

const jobOf = (id: string) => `batch job ${quote(id)}`;

export function getRecord(id: string): Promise<BatchJobRecord | undefined> {
  return guard(() => get<BatchJobRecord>(recordKey(id), db()), 'read', () => `the record of ${jobOf(id)}`);
}

export function putRecord(record: BatchJobRecord): Promise<void> {
  return guard(() => set(recordKey(record.id), record, db()), 'store', () => `the record of ${jobOf(record.id)}`);
}

/** Every job record, oldest first. */
export async function listRecords(): Promise<BatchJobRecord[]> {
  const records = await guard(
    () => db()('readonly', (s) => promisifyRequest(s.getAll(IDBKeyRange.bound(['j'], ['j', []])) as IDBRequest<BatchJobRecord[]>)),
    'read',
    () => 'the records of the batch jobs',
  );
  return records.sort((a, b) => a.createdAt - b.createdAt);
}

/** A file's bytes, stored where IndexedDB refuses Blobs. */
interface StoredBytes {
  kind: 'ml-predict:bytes';
  bytes: ArrayBuffer;
  type: string;
}

let blobsStorable: Promise<boolean> | undefined;

/**
 * Whether this page's IndexedDB stores Blobs: writes and deletes a one-byte Blob, once per
 * page. A refusal for want of room is no answer (it says nothing about Blobs): asked again later.
 */
export function probeBlobStorage(): Promise<boolean> {
  blobsStorable ??= (async () => {
    const key: IDBValidKey = ['probe', 'blob'];
    try {
      await set(key, new Blob([new Uint8Array([1])]), db());
    } catch (e) {
      if (isQuotaError(e)) {
        blobsStorable = undefined;
        return true;
      }
      return false;
    }
    await db()('readwrite', (s) => promisifyRequest(s.delete(key))).catch(() => undefined);
    return true;
  })();
  return blobsStorable;
}

async function storable(file: Blob): Promise<Blob | StoredBytes> {
  if (await probeBlobStorage()) return file;
  return { kind: 'ml-predict:bytes', bytes: await file.arrayBuffer(), type: file.type };
}

function isStoredBytes(value: unknown): value is StoredBytes {
  return typeof value === 'object' && value !== null && (value as StoredBytes).kind === 'ml-predict:bytes';
}

/** Stores a new job: its record, card and input file in one transaction. */
export async function createJob(record: BatchJobRecord, card: ModelCard, file: Blob): Promise<void> {
  const stored = await storable(file);
  return guard(
    () =>
      setMany(
        [
          [fileKey(record.id), stored],
          [cardKey(record.id), card],
          [recordKey(record.id), record],
        ],
        db(),
      ),
    'store',
    () => `the input file ${quote(record.file.name)} (${file.size} bytes) of a new batch job`,
  );
}

export function getCard(id: string): Promise<ModelCard | undefined> {
  return guard(() => get<ModelCard>(cardKey(id), db()), 'read', () => `the model card of ${jobOf(id)}`);
}

export async function getFile(id: string): Promise<Blob | undefined> {
  const value = await guard(() => get<Blob | StoredBytes>(fileKey(id), db()), 'read', () => `the input file of ${jobOf(id)}`);
  return isStoredBytes(value) ? new Blob([value.bytes], { type: value.type }) : value;
}

/**
 * Writes a result chunk and `record`, the record that counts it (`record.chunks` is
 * `chunk.index + 1`), in one transaction: both are stored, or neither is.
 */
export function commitChunk(record: BatchJobRecord, chunk: ResultChunk): Promise<void> {
  return guard(
    () =>
      setMany(
        [
          [chunkKey(record.id, chunk.index), chunk],
          [recordKey(record.id), record],
        ],
        db(),
      ),
    'store',
    () =>
      `the results of ${jobOf(record.id)} (rows ${chunk.firstRow}–${chunk.firstRow - 1 + chunk.rows} were not stored; the ${chunk.firstRow - 1} before are)`,
  );
}

export function getChunk(id: string, index: number): Promise<ResultChunk | undefined> {
  return guard(() => get<ResultChunk>(chunkKey(id, index), db()), 'read', () => `result chunk ${index} of ${jobOf(id)}`);
}

/** Deletes a job: record, card, file and every result chunk, in one transaction. */
export function deleteJob(id: string): Promise<void> {
  return guard(
    () =>
      db()('readwrite', (s) => {
        s.delete(chunkRange(id));
        s.delete(fileKey(id));
        s.delete(cardKey(id));
        s.delete(recordKey(id));
        return promisifyRequest(s.transaction);
      }),
    'delete',
    () => jobOf(id),
  );
}
