/**
 * The library's own IndexedDB store (database "ml-predict", object store "models"), opened
 * lazily on first use. Three kinds of record, told apart by the first element of their key:
 *   ['e', key]        an entry: a complete, verified model (written last, after all its chunks)
 *   ['c', key, i]     chunk i of a model's bytes (CHUNK_BYTES each, the last one shorter)
 *   ['p', key]        a partial download: chunks stored so far, for resuming
 * Works in the worker and on the main thread.
 *
 * Connections: a connection is open only while operations use it, and closes as soon as another
 * context asks for a version change or a deletion (`versionchange`); the next operation opens a
 * new one. An open that does not succeed within OPEN_TIMEOUT_MS (a deletion blocked by some other
 * connection queues every open behind it) fails that operation with CACHE_UNAVAILABLE instead of
 * waiting.
 *
 * Downloads own their records: a download writes its partial record (with its `id`) before any
 * chunk, and every later chunk and the final entry are written only in a transaction that finds
 * that same partial record still there. A clear, a delete or a new database that lands during the
 * download removes the record, so nothing more of that download is ever written.
 */
import { get, promisifyRequest, set, type UseStore } from 'idb-keyval';
import { concat } from '../model/fetch.js';
import { MlPredictError } from '../errors.js';

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
  /** The download that owns this record and its chunks (unique per download). */
  id?: string;
  url: string;
  etag?: string;
  lastModified?: string;
  /** Bytes stored in complete chunks. */
  stored: number;
  chunks: number;
  total?: number;
  updatedAt: number;
}

const DB_NAME = 'ml-predict';
const STORE_NAME = 'models';
/** How long one open of the database may take before the operation that needed it fails. */
export const OPEN_TIMEOUT_MS = 3000;

/** The store could not be opened in time (a deletion or upgrade blocked by another connection) or at all. */
/** CACHE_UNAVAILABLE: the store cannot be used now (a blocked or failed open); `cause` is the browser's error. */
export function storeUnavailable(message: string, cause?: unknown): MlPredictError {
  return new MlPredictError('CACHE_UNAVAILABLE', message, undefined, cause === undefined ? undefined : { cause });
}

let opening: Promise<IDBDatabase> | undefined;

function open(): Promise<IDBDatabase> {
  if (opening) return opening;
  const p = new Promise<IDBDatabase>((resolve, reject) => {
    let settled = false;
    let r: IDBOpenDBRequest;
    try {
      r = indexedDB.open(DB_NAME);
    } catch (e) {
      reject(storeUnavailable(`IndexedDB database "${DB_NAME}" could not be opened: ${String(e)}`, e));
      return;
    }
    const timer = setTimeout(() => {
      settled = true;
      reject(storeUnavailable(`IndexedDB database "${DB_NAME}" did not open within ${OPEN_TIMEOUT_MS} ms (a deletion or upgrade is blocked by another connection)`));
    }, OPEN_TIMEOUT_MS);
    r.onupgradeneeded = () => {
      if (!r.result.objectStoreNames.contains(STORE_NAME)) r.result.createObjectStore(STORE_NAME);
    };
    r.onsuccess = () => {
      clearTimeout(timer);
      const conn = r.result;
      if (settled) return conn.close(); // too late: this operation already failed
      settled = true;
      const forget = () => {
        if (opening === p) opening = undefined;
      };
      conn.onversionchange = () => {
        conn.close();
        forget();
      };
      conn.onclose = forget;
      resolve(conn);
    };
    r.onerror = () => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      reject(storeUnavailable(`IndexedDB database "${DB_NAME}" could not be opened: ${r.error?.message ?? 'unknown error'}`, r.error));
    };
  });
  opening = p;
  p.catch(() => {
    if (opening === p) opening = undefined;
  });
  return p;
}

/** Operations now using (or waiting for) the connection. */
let users = 0;

/** Closes the connection once no operation uses it; the next operation opens a new one. */
function release(): void {
  if (--users > 0 || !opening) return;
  const p = opening;
  opening = undefined;
  p.then((conn) => conn.close(), () => undefined); // its transactions still complete
}

/**
 * idb-keyval's store function over a connection that lives only while operations use it (and
 * closes at once on `versionchange`). An idle connection is never left open: WebKit keeps the
 * connection of a terminated worker open for good, which would block every later deletion of
 * the database, and every open behind it.
 */
const db = (): UseStore => async (mode, callback) => {
  users++;
  try {
    const conn = await open();
    return await callback(conn.transaction(STORE_NAME, mode).objectStore(STORE_NAME));
  } finally {
    release();
  }
};

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
export const getPartial = (key: string): Promise<PartialDownload | undefined> => get<PartialDownload>(partialKey(key), db());

/** A fresh id for a download's partial record. */
export function downloadId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** Writes a download's partial record before its first chunk: from now on the download owns `key`'s records. */
export const startPartial = (partial: PartialDownload): Promise<void> => set(partialKey(partial.key), partial, db());

/**
 * Runs `write` in one readwrite transaction only when the partial record of `key` is still the
 * one download `id` wrote; resolves whether it wrote.
 */
function owned(key: string, id: string | undefined, write: (s: IDBObjectStore) => void): Promise<boolean> {
  return db()('readwrite', (s) => {
    let wrote = false;
    const r = s.get(partialKey(key));
    r.onsuccess = () => {
      const current = r.result as PartialDownload | undefined;
      if (id === undefined || current?.id !== id) return;
      write(s);
      wrote = true;
    };
    return promisifyRequest(s.transaction).then(() => wrote);
  });
}

/**
 * Stores chunk `index` and the partial record that counts it, in one transaction, when the
 * download still owns its records; false (nothing written) when they were cleared meanwhile.
 */
export function storeChunk(partial: PartialDownload, index: number, bytes: Uint8Array): Promise<boolean> {
  return owned(partial.key, partial.id, (s) => {
    s.put(bytes, chunkKey(partial.key, index));
    s.put(partial, partialKey(partial.key));
  });
}

/**
 * Makes a fully stored, verified download an entry: written last, in the transaction that
 * removes the partial record, and only when that record is still the download's own with all
 * of the entry's chunks; false (nothing written) otherwise.
 */
export function commitEntry(entry: CacheEntry, partial: PartialDownload): Promise<boolean> {
  if (partial.chunks !== entry.chunks) return Promise.resolve(false);
  return owned(entry.key, partial.id, (s) => {
    s.put(entry, entryKey(entry.key));
    s.delete(partialKey(entry.key));
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

/** Marks an entry used now; writes nothing when the entry is gone (deleted or cleared meanwhile). */
export function touch(entry: CacheEntry): Promise<void> {
  return db()('readwrite', (s) => {
    const r = s.get(entryKey(entry.key));
    r.onsuccess = () => {
      const current = r.result as CacheEntry | undefined;
      if (current?.sha256 === entry.sha256) s.put({ ...current, lastUsedAt: Date.now() }, entryKey(entry.key));
    };
    return promisifyRequest(s.transaction);
  });
}

/** For tests of self-repair: overwrite one stored chunk. */
export function overwriteChunk(key: string, index: number, bytes: Uint8Array): Promise<void> {
  return set(chunkKey(key, index), bytes, db());
}

export function readChunk(key: string, index: number): Promise<Uint8Array | undefined> {
  return get<Uint8Array>(chunkKey(key, index), db());
}
