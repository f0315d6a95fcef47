/**
 * Batch jobs in IndexedDB: database "ml-predict-jobs", object store "jobs" (never the models
 * store), opened lazily on first use, from the page or the batch worker. Keys:
 *   ['j', id]         the job record (small; rewritten at every commit)
 *   ['c', id]         the model card the job reads columns and labels from (written once)
 *   ['f', id]         the input file itself, a Blob: a job resumes after a reload without asking
 *                     for the file again (browsers keep stored Blobs on disk, not in memory)
 *   ['r', id, i]      result chunk i: the outputs of its readable rows and its row errors
 * A result chunk and the record that counts it are written in one transaction, so after a crash
 * the record never counts a chunk that is not there, nor misses one that is.
 */
import { createStore, get, promisifyRequest, set, setMany, type UseStore } from 'idb-keyval';
import type { ModelCard } from '../model/card.js';
import type { BatchJobRecord, ResultChunk } from './types.js';

let store: UseStore | undefined;
const db = (): UseStore => (store ??= createStore('ml-predict-jobs', 'jobs'));

const recordKey = (id: string): IDBValidKey => ['j', id];
const cardKey = (id: string): IDBValidKey => ['c', id];
const fileKey = (id: string): IDBValidKey => ['f', id];
const chunkKey = (id: string, i: number): IDBValidKey => ['r', id, i];
const chunkRange = (id: string) => IDBKeyRange.bound(['r', id, 0], ['r', id, Infinity]);

export function getRecord(id: string): Promise<BatchJobRecord | undefined> {
  return get<BatchJobRecord>(recordKey(id), db());
}

export function putRecord(record: BatchJobRecord): Promise<void> {
  return set(recordKey(record.id), record, db());
}

/** Every job record, oldest first. */
export async function listRecords(): Promise<BatchJobRecord[]> {
  const records = await db()('readonly', (s) => promisifyRequest(s.getAll(IDBKeyRange.bound(['j'], ['j', []])) as IDBRequest<BatchJobRecord[]>));
  return records.sort((a, b) => a.createdAt - b.createdAt);
}

/** Stores a new job: its record, card and input file in one transaction. */
export function createJob(record: BatchJobRecord, card: ModelCard, file: Blob): Promise<void> {
  return setMany(
    [
      [fileKey(record.id), file],
      [cardKey(record.id), card],
      [recordKey(record.id), record],
    ],
    db(),
  );
}

export function getCard(id: string): Promise<ModelCard | undefined> {
  return get<ModelCard>(cardKey(id), db());
}

export function getFile(id: string): Promise<Blob | undefined> {
  return get<Blob>(fileKey(id), db());
}

/** Writes a result chunk and the record that now counts it, atomically. */
export function commitChunk(record: BatchJobRecord, chunk: ResultChunk): Promise<void> {
  return setMany(
    [
      [chunkKey(record.id, chunk.index), chunk],
      [recordKey(record.id), record],
    ],
    db(),
  );
}

export function getChunk(id: string, index: number): Promise<ResultChunk | undefined> {
  return get<ResultChunk>(chunkKey(id, index), db());
}

/** Deletes chunks from `from` on (left by nothing in normal operation; a belt for resume). */
export function deleteChunksFrom(id: string, from: number): Promise<void> {
  return db()('readwrite', (s) => {
    s.delete(IDBKeyRange.bound(['r', id, from], ['r', id, Infinity]));
    return promisifyRequest(s.transaction);
  });
}

/** Deletes a job: record, card, file and every result chunk, in one transaction. */
export function deleteJob(id: string): Promise<void> {
  return db()('readwrite', (s) => {
    s.delete(chunkRange(id));
    s.delete(fileKey(id));
    s.delete(cardKey(id));
    s.delete(recordKey(id));
    return promisifyRequest(s.transaction);
  });
}
