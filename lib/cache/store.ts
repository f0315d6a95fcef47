/**
 * The library's own IndexedDB store (database "ml-predict", object store "models"), opened
 * lazily on first use. Three kinds of record, told apart by the first element of their key:
 *   ['e', key]        an entry: a complete, verified model (written last, after all its chunks)
 *   ['c', key, i]     chunk i of a model's bytes (CHUNK_BYTES each, the last one shorter)
 *   ['p', key]        a partial download: chunks stored so far, for resuming
 * Works in the worker and on the main thread.
 */
import { createStore, get, promisifyRequest, set, type UseStore } from 'idb-keyval';
import { concat } from '../model/fetch.js';

/** Models are stored in chunks of this size: no single giant IndexedDB value. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

export interface CacheEntry {
  key: string;
  url: string;
  name: string;
  version?: string;
  integrity?: string;
  /** sha256 of the whole file, base64. */
  sha256: string;
  bytes: number;
  chunks: number;
  etag?: string;
  lastModified?: string;
  /** ms since epoch */
  storedAt: number;
  lastUsedAt: number;
}

export interface PartialDownload {
  key: string;
  url: string;
  etag?: string;
  lastModified?: string;
  /** Bytes stored in complete chunks. */
  stored: number;
  chunks: number;
  total?: number;
  updatedAt: number;
}

let store: UseStore | undefined;
const db = (): UseStore => (store ??= createStore('ml-predict', 'models'));

const entryKey = (key: string): IDBValidKey => ['e', key];
const partialKey = (key: string): IDBValidKey => ['p', key];
const chunkKey = (key: string, i: number): IDBValidKey => ['c', key, i];
const chunkRange = (key: string) => IDBKeyRange.bound(['c', key, 0], ['c', key, Infinity]);

/** Chrome may raise AbortError rather than QuotaExceededError near the quota: both mean "full". */
export function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  return name === 'QuotaExceededError' || name === 'AbortError' || /quota/i.test(String((e as Error)?.message ?? ''));
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

export const getEntry = (key: string): Promise<CacheEntry | undefined> => get<CacheEntry>(entryKey(key), db());
export const putEntry = (entry: CacheEntry): Promise<void> => set(entryKey(entry.key), entry, db());
export const getPartial = (key: string): Promise<PartialDownload | undefined> => get<PartialDownload>(partialKey(key), db());

/** Stores chunk `index` and the partial record that counts it, in one transaction. */
export function storeChunk(partial: PartialDownload, index: number, bytes: Uint8Array): Promise<void> {
  return db()('readwrite', (s) => {
    s.put(bytes, chunkKey(partial.key, index));
    s.put(partial, partialKey(partial.key));
    return promisifyRequest(s.transaction);
  });
}

/** Makes a fully stored, verified download an entry: the entry record is written last. */
export function commitEntry(entry: CacheEntry): Promise<void> {
  return db()('readwrite', (s) => {
    s.put(entry, entryKey(entry.key));
    s.delete(partialKey(entry.key));
    return promisifyRequest(s.transaction);
  });
}

export function listEntries(): Promise<CacheEntry[]> {
  return db()('readonly', (s) => request(s.getAll(IDBKeyRange.bound(['e', ''], ['e', '\uffff']))) as Promise<CacheEntry[]>);
}

export function listPartials(): Promise<PartialDownload[]> {
  return db()('readonly', (s) => request(s.getAll(IDBKeyRange.bound(['p', ''], ['p', '\uffff']))) as Promise<PartialDownload[]>);
}

/** Reads a model's chunks back; undefined when any is missing or the sizes do not add up. */
export async function readChunks(key: string, chunks: number, bytes: number): Promise<Uint8Array | undefined> {
  const parts = await db()('readonly', (s) => request(s.getAll(chunkRange(key))) as Promise<Uint8Array[]>);
  if (parts.length !== chunks) return undefined;
  if (parts.reduce((n, p) => n + p.byteLength, 0) !== bytes) return undefined;
  return concat(parts, bytes);
}

/** Reads the stored chunks of a partial download (for resuming); undefined when some are missing. */
export async function readPartialChunks(partial: PartialDownload): Promise<Uint8Array[] | undefined> {
  const parts = await db()('readonly', (s) => request(s.getAll(chunkRange(partial.key))) as Promise<Uint8Array[]>);
  if (parts.length < partial.chunks) return undefined;
  const kept = parts.slice(0, partial.chunks);
  return kept.reduce((n, p) => n + p.byteLength, 0) === partial.stored ? kept : undefined;
}

/** Deletes everything stored for a key: entry, chunks and partial, in one transaction. */
export function deleteAll(key: string): Promise<void> {
  return db()('readwrite', (s) => {
    s.delete(entryKey(key));
    s.delete(partialKey(key));
    s.delete(chunkRange(key));
    return promisifyRequest(s.transaction);
  });
}

/** Deletes every record of the store. */
export function clearStore(): Promise<void> {
  return db()('readwrite', (s) => request(s.clear())).then(() => undefined);
}

export function touch(entry: CacheEntry): Promise<void> {
  return putEntry({ ...entry, lastUsedAt: Date.now() });
}

/** For tests of self-repair: overwrite one stored chunk. */
export function overwriteChunk(key: string, index: number, bytes: Uint8Array): Promise<void> {
  return set(chunkKey(key, index), bytes, db());
}

export function readChunk(key: string, index: number): Promise<Uint8Array | undefined> {
  return get<Uint8Array>(chunkKey(key, index), db());
}
