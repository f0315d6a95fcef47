/**
 * Get-or-fetch of model bytes, inside the worker: a verified cache entry when there is one,
 * else one download (across tabs, through a Web Lock) that is stored in chunks as it arrives,
 * verified, and only then made an entry. Quota is checked before and handled during the write;
 * corrupt entries are deleted and fetched again; interrupted downloads resume with Range.
 * Bytes that are not ONNX are never made an entry, and a stored entry that is not ONNX is
 * deleted and fetched again. A clear (or a database deletion) during a download stops its
 * writes: that download makes no entry (store.ts: downloads own their records). A store that
 * cannot be used (blocked, failing) never fails or holds up a load: the model runs from memory
 * with a CACHE_UNAVAILABLE warning.
 */
import { abortError, isMlPredictError, MlPredictError } from '../errors.js';
import { concat, fetchModelBytes, openDownload, readBody, type Download } from '../model/fetch.js';
import { parseIntegrity, sha256Base64 } from '../model/integrity.js';
import { inspectOnnx } from '../model/onnx-check.js';
import { planRoom, quotaError } from './quota.js';
import type { LoadWarning } from '../types.js';
import type { LoadRequest, ProgressCallback, WarningCallback } from '../worker/protocol.js';
import {
  CHUNK_BYTES,
  commitEntry,
  deleteAll,
  downloadId,
  getEntry,
  getPartial,
  isQuotaError,
  listEntries,
  readChunks,
  readPartialChunks,
  startPartial,
  storeChunk,
  storeUnavailable,
  touch,
  type CacheEntry,
  type PartialDownload,
} from './store.js';

export interface Acquired {
  bytes: Uint8Array;
  sha256: string;
  fromCache: boolean;
  cached: boolean;
  cacheReason?: string;
  repaired: boolean;
}

export interface AcquireOptions {
  signal: AbortSignal;
  onProgress?: ProgressCallback;
  onWarning?: WarningCallback;
  /** Reject with QUOTA_EXCEEDED when the model cannot be stored (prefetch), instead of warning. */
  mustStore?: boolean;
}

/** The cache key: URL, version and integrity together. */
export function cacheKey(url: string, version?: string, integrity?: string): string {
  return JSON.stringify([url, version ?? '', integrity ?? '']);
}

async function verify(bytes: Uint8Array, req: LoadRequest, opts: AcquireOptions): Promise<string> {
  const expected = req.integrity ? parseIntegrity(req.integrity) : undefined;
  if (expected) opts.onProgress?.({ phase: 'verify', loaded: 0, total: bytes.length });
  const actual = await sha256Base64(bytes);
  if (expected) {
    if (actual !== expected) {
      throw new MlPredictError(
        'INTEGRITY_MISMATCH',
        `Model "${req.name}" failed its integrity check: expected sha256-${expected}, got sha256-${actual} (${bytes.length} bytes). The file was changed or damaged in transit; nothing was stored.`,
        { expected: `sha256-${expected}`, actual: `sha256-${actual}`, bytes: bytes.length },
      );
    }
    opts.onProgress?.({ phase: 'verify', loaded: bytes.length, total: bytes.length });
  }
  return actual;
}

function monotonic(onProgress: ProgressCallback | undefined): (loaded: number, total: number | undefined) => void {
  let last = -1;
  return (loaded, total) => {
    if (loaded < last) return;
    last = loaded;
    onProgress?.({ phase: 'download', loaded, total });
  };
}

function hasIndexedDb(): boolean {
  return typeof indexedDB !== 'undefined';
}

/** The store cannot be used right now: its open failed or timed out, or its connection is closing. */
function isUnavailable(e: unknown): e is Error {
  return isMlPredictError(e, 'CACHE_UNAVAILABLE') || (e as { name?: string } | null)?.name === 'InvalidStateError';
}

/** Why a stored entry cannot be used; undefined when it can. */
async function entryProblem(bytes: Uint8Array | undefined, entry: CacheEntry, name: string): Promise<string | undefined> {
  if (!bytes) return 'chunks are missing';
  if ((await sha256Base64(bytes)) !== entry.sha256) return 'its bytes no longer match their sha256';
  try {
    inspectOnnx(bytes, name);
  } catch {
    return 'its bytes are not a valid ONNX model';
  }
  return undefined;
}

/** Deletes what the store holds for a load's URL, version and integrity (e.g. an entry that failed to load). Never rejects. */
export async function dropStored(req: LoadRequest): Promise<void> {
  if (req.source.kind !== 'url' || req.cache === 'none' || !hasIndexedDb()) return;
  await deleteAll(cacheKey(req.source.url, req.version, req.integrity)).catch(() => undefined);
}

/** A stored entry's bytes when they are all there and match their sha256; else deletes it. */
async function readEntry(key: string, req: LoadRequest, opts: AcquireOptions): Promise<{ bytes?: Uint8Array; entry?: CacheEntry; corrupt: boolean }> {
  const entry = await getEntry(key);
  if (!entry) return { corrupt: false };
  const bytes = await readChunks(key, entry.chunks, entry.bytes);
  opts.onProgress?.({ phase: 'verify', loaded: 0, total: entry.bytes });
  const problem = await entryProblem(bytes, entry, req.name);
  if (problem) {
    await deleteAll(key);
    opts.onWarning?.({
      code: 'CACHE_CORRUPT',
      message: `The cached copy of model "${req.name}" was damaged (${problem}); it was deleted and is fetched again.`,
    });
    return { corrupt: true };
  }
  opts.onProgress?.({ phase: 'verify', loaded: entry.bytes, total: entry.bytes });
  await touch(entry).catch(() => undefined);
  return { bytes, entry, corrupt: false };
}

/** Runs `fn` holding the download lock for `key`, so tabs of one origin download a model once. */
async function withDownloadLock<T>(key: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return fn();
  try {
    return await locks.request(`ml-predict:download:${key}`, { signal }, fn);
  } catch (e) {
    if (signal.aborted) throw abortError(signal.reason);
    throw e;
  }
}

/** Makes room for `needed` bytes by evicting least recently used entries (never `keep`); returns the error when it cannot. */
async function makeRoom(needed: number, req: LoadRequest, keep: string): Promise<MlPredictError | undefined> {
  const [entries, estimate] = await Promise.all([listEntries(), navigator.storage?.estimate?.().catch(() => undefined)]);
  const plan = planRoom({
    name: req.name,
    needed,
    maxBytes: req.maxBytes,
    quota: estimate?.quota,
    usage: estimate?.usage,
    entries: entries.filter((e) => e.key !== keep),
  });
  if (!plan.ok) return plan.error;
  for (const key of plan.evict) await deleteAll(key);
  return undefined;
}

/** Removes the other versions of the same URL once a new one is stored. */
async function removeOtherVersions(entry: CacheEntry): Promise<void> {
  for (const e of await listEntries()) if (e.url === entry.url && e.key !== entry.key) await deleteAll(e.key);
}

interface Writer {
  name: string;
  storing: boolean;
  /** The store failed to open or went away: no more store operations for this download. */
  unavailable: boolean;
  reason?: string;
  partial: PartialDownload;
  pending: Uint8Array[];
  pendingBytes: number;
}

/** Why a download stopped storing when its records were cleared or deleted while it ran. */
function clearedError(name: string): MlPredictError {
  return new MlPredictError(
    'ABORTED',
    `The model store was cleared (or its database deleted) while model "${name}" downloaded: nothing of this download is stored.`,
  );
}

/**
 * Stops storing this download: the load goes on from memory, with a warning of `code` when one
 * is given; a prefetch (mustStore) rejects with `error` instead.
 */
function stopStoring(w: Writer, error: Error, code: string | undefined, opts: AcquireOptions): void {
  w.storing = false;
  w.reason = error.message;
  w.pending = [];
  w.pendingBytes = 0;
  if (opts.mustStore) throw error;
  if (code) opts.onWarning?.({ code, message: `${error.message} The model runs from memory and is not kept for offline use.` } satisfies LoadWarning);
}

function markUnavailable(w: Writer, e: Error, opts: AcquireOptions): void {
  w.unavailable = true;
  if (w.storing) stopStoring(w, storeUnavailable(`The model store could not be used for model "${w.name}": ${e.message}.`, e), 'CACHE_UNAVAILABLE', opts);
}

/** Runs one store operation of a download; an unusable store stops storing instead of failing the load. */
async function storeOp<T>(w: Writer, opts: AcquireOptions, op: () => Promise<T>): Promise<T | undefined> {
  if (w.unavailable) return undefined;
  try {
    return await op();
  } catch (e) {
    if (!isUnavailable(e)) throw e;
    markUnavailable(w, e, opts);
    return undefined;
  }
}

/** Deletes this download's records (after a failure); nothing when the store is unusable. */
const discard = (w: Writer): Promise<void> => (w.unavailable ? Promise.resolve() : deleteAll(w.partial.key).catch(() => undefined));

async function flush(w: Writer, final: boolean, opts: AcquireOptions): Promise<void> {
  while (w.storing && (w.pendingBytes >= CHUNK_BYTES || (final && w.pendingBytes > 0))) {
    const all = concat(w.pending, w.pendingBytes);
    const size = Math.min(CHUNK_BYTES, all.length);
    const chunk = all.slice(0, size);
    const rest = all.subarray(size);
    w.pending = rest.length ? [rest] : [];
    w.pendingBytes = rest.length;
    const next: PartialDownload = { ...w.partial, stored: w.partial.stored + size, chunks: w.partial.chunks + 1, updatedAt: Date.now() };
    try {
      if (await storeChunk(next, w.partial.chunks, chunk)) w.partial = next;
      else stopStoring(w, clearedError(w.name), undefined, opts);
    } catch (e) {
      if (isUnavailable(e)) {
        markUnavailable(w, e, opts);
      } else if (isQuotaError(e)) {
        stopStoring(w, quotaError(w.name, next.stored, w.partial.stored, `the browser refused the write: ${(e as Error).name}`), 'QUOTA_EXCEEDED', opts);
        await discard(w);
      } else {
        throw e;
      }
    }
  }
}

async function downloadAndStore(key: string, url: string, req: LoadRequest, opts: AcquireOptions): Promise<Acquired> {
  const { signal } = opts;
  const progress = monotonic(opts.onProgress);
  // Resume from stored chunks when a partial download of the same file exists.
  let partial: PartialDownload | undefined;
  let resumed: Uint8Array[] | undefined;
  let unusable: Error | undefined;
  try {
    partial = await getPartial(key);
    const v = partial?.etag ?? partial?.lastModified;
    resumed = partial && partial.url === url && v ? await readPartialChunks(partial) : undefined;
  } catch (e) {
    if (!isUnavailable(e)) throw e;
    [partial, resumed, unusable] = [undefined, undefined, e];
  }
  const validator = partial?.etag ?? partial?.lastModified;
  const d: Download = await openDownload(url, req.name, {
    signal,
    resume: resumed && validator ? { from: partial!.stored, validator } : undefined,
  });
  const kept: Uint8Array[] = d.offset > 0 && resumed ? resumed : [];
  const w: Writer = {
    name: req.name,
    storing: true,
    unavailable: false,
    partial:
      d.offset > 0 && partial
        ? { ...partial, id: downloadId() }
        : { key, id: downloadId(), url, etag: d.etag, lastModified: d.lastModified, stored: 0, chunks: 0, total: d.total, updatedAt: Date.now() },
    pending: [],
    pendingBytes: 0,
  };
  if (unusable) markUnavailable(w, unusable, opts);
  // The file changed, or no resume: start over. From its partial record on, this download owns the key's records.
  await storeOp(w, opts, async () => {
    if (d.offset === 0 && partial) await deleteAll(key);
    await startPartial(w.partial);
  });
  if (w.storing && d.total !== undefined) {
    const room = await storeOp(w, opts, () => makeRoom(d.total!, req, key));
    if (room) stopStoring(w, room, room.code, opts);
  }
  // Without a validator or Range support a partial download cannot be resumed: don't keep one.
  const resumable = d.ranges && (d.etag !== undefined || d.lastModified !== undefined);
  const received: Uint8Array[] = [...kept];
  try {
    await readBody(d, req.name, url, {
      signal,
      onProgress: progress,
      onData: async (chunk) => {
        received.push(chunk);
        if (!w.storing) return;
        w.pending.push(chunk);
        w.pendingBytes += chunk.length;
        await flush(w, false, opts);
      },
    });
  } catch (e) {
    if (!resumable || w.partial.chunks === 0) await discard(w);
    throw e;
  }
  const bytes = concat(received);
  let sha256: string;
  try {
    sha256 = await verify(bytes, req, opts);
    inspectOnnx(bytes, req.name); // bytes that are not ONNX are never stored (MODEL_INVALID)
  } catch (e) {
    await discard(w);
    throw e;
  }
  if (w.storing && w.partial.total === undefined) {
    const room = await storeOp(w, opts, () => makeRoom(bytes.length, req, key));
    if (room) {
      stopStoring(w, room, room.code, opts);
      await discard(w);
    }
  }
  await flush(w, true, opts);
  const inMemory = (): Acquired => ({ bytes, sha256, fromCache: false, cached: false, cacheReason: w.reason, repaired: false });
  if (!w.storing) return inMemory();
  const now = Date.now();
  const entry: CacheEntry = {
    key,
    url,
    name: req.name,
    version: req.version,
    integrity: req.integrity,
    sha256,
    bytes: bytes.length,
    chunks: w.partial.chunks,
    etag: w.partial.etag,
    lastModified: w.partial.lastModified,
    storedAt: now,
    lastUsedAt: now,
  };
  try {
    const committed = await storeOp(w, opts, () => commitEntry(entry, w.partial));
    if (committed === false) stopStoring(w, clearedError(req.name), undefined, opts);
  } catch (e) {
    if (!isQuotaError(e)) throw e;
    await discard(w);
    stopStoring(w, quotaError(req.name, bytes.length, 0, `the browser refused the write: ${(e as Error).name}`), 'QUOTA_EXCEEDED', opts);
  }
  if (!w.storing) return inMemory();
  await storeOp(w, opts, () => removeOtherVersions(entry));
  return { bytes, sha256, fromCache: false, cached: true, repaired: false };
}

/** Without a usable store: one download into memory, with a CACHE_UNAVAILABLE warning (a prefetch rejects). */
async function fromMemory(url: string, req: LoadRequest, opts: AcquireOptions, e: Error): Promise<Acquired> {
  const reason = `The model store could not be used for model "${req.name}": ${e.message}.`;
  if (opts.mustStore) throw storeUnavailable(reason, e);
  opts.onWarning?.({ code: 'CACHE_UNAVAILABLE', message: `${reason} The model runs from memory and is not kept for offline use.` });
  const bytes = await fetchModelBytes(url, req.name, { signal: opts.signal, onProgress: monotonic(opts.onProgress) });
  const sha256 = await verify(bytes, req, opts);
  return { bytes, sha256, fromCache: false, cached: false, cacheReason: reason, repaired: false };
}

export async function acquireModelBytes(req: LoadRequest, opts: AcquireOptions): Promise<Acquired> {
  const { source } = req;
  if (source.kind === 'bytes') {
    const bytes = source.bytes instanceof Blob ? new Uint8Array(await source.bytes.arrayBuffer()) : new Uint8Array(source.bytes);
    const sha256 = await verify(bytes, req, opts);
    return { bytes, sha256, fromCache: false, cached: false, cacheReason: 'the model was given as bytes: there is no URL to cache it under', repaired: false };
  }
  const url = source.url;
  if (req.cache === 'none' || !hasIndexedDb()) {
    const bytes = await fetchModelBytes(url, req.name, { signal: opts.signal, onProgress: monotonic(opts.onProgress) });
    const sha256 = await verify(bytes, req, opts);
    const cacheReason = req.cache === 'none' ? 'the cache option is "none"' : 'IndexedDB is not available here';
    return { bytes, sha256, fromCache: false, cached: false, cacheReason, repaired: false };
  }
  const key = cacheKey(url, req.version, req.integrity);
  // `done`: the stored model, or (where the store cannot be used) the load from memory instead;
  // else `missed`: no complete entry (and whether a corrupt one was dropped).
  const read = async () => {
    let found: Awaited<ReturnType<typeof readEntry>>;
    try {
      found = await readEntry(key, req, opts);
    } catch (e) {
      if (!isUnavailable(e)) throw e;
      return { done: await fromMemory(url, req, opts, e) };
    }
    if (found.bytes) return { done: { bytes: found.bytes, sha256: found.entry!.sha256, fromCache: true, cached: true, repaired: false } };
    return { missed: found };
  };
  const first = await read();
  if (first.done) return first.done;
  const result = await withDownloadLock(key, opts.signal, async () => {
    // Another tab may have stored it while this one waited for the lock.
    const again = await read();
    if (again.done) return again.done;
    return downloadAndStore(key, url, req, opts);
  });
  return { ...result, repaired: first.missed.corrupt || result.repaired };
}
