/**
 * Get-or-fetch of model bytes, inside the worker: a verified cache entry when there is one,
 * else one download (across tabs, through a Web Lock) that is stored in chunks as it arrives,
 * verified, and only then made an entry. Quota is checked before and handled during the write;
 * corrupt entries are deleted and fetched again; interrupted downloads resume with Range.
 */
import { abortError, MlPredictError } from '../errors.js';
import { concat, fetchModelBytes, openDownload, readBody, type Download } from '../model/fetch.js';
import { parseIntegrity, sha256Base64 } from '../model/integrity.js';
import { planRoom, quotaError } from './quota.js';
import type { LoadWarning } from '../types.js';
import type { LoadRequest, ProgressCallback, WarningCallback } from '../worker/protocol.js';
import {
  CHUNK_BYTES,
  commitEntry,
  deleteAll,
  getEntry,
  getPartial,
  isQuotaError,
  listEntries,
  readChunks,
  readPartialChunks,
  storeChunk,
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

/** A stored entry's bytes when they are all there and match their sha256; else deletes it. */
async function readEntry(key: string, req: LoadRequest, opts: AcquireOptions): Promise<{ bytes?: Uint8Array; entry?: CacheEntry; corrupt: boolean }> {
  const entry = await getEntry(key);
  if (!entry) return { corrupt: false };
  const bytes = await readChunks(key, entry.chunks, entry.bytes);
  opts.onProgress?.({ phase: 'verify', loaded: 0, total: entry.bytes });
  const ok = bytes !== undefined && (await sha256Base64(bytes)) === entry.sha256;
  if (!ok) {
    await deleteAll(key);
    opts.onWarning?.({
      code: 'CACHE_CORRUPT',
      message: `The cached copy of model "${req.name}" was damaged (${bytes ? 'its bytes no longer match their sha256' : 'chunks are missing'}); it was deleted and is fetched again.`,
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
  reason?: MlPredictError;
  partial: PartialDownload;
  pending: Uint8Array[];
  pendingBytes: number;
}

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
      await storeChunk(next, w.partial.chunks, chunk);
      w.partial = next;
    } catch (e) {
      if (!isQuotaError(e)) throw e;
      stopStoring(w, quotaError(w.name, next.stored, w.partial.stored, `the browser refused the write: ${(e as Error).name}`), opts);
      await deleteAll(w.partial.key).catch(() => undefined);
    }
  }
}

function stopStoring(w: Writer, reason: MlPredictError, opts: AcquireOptions): void {
  w.storing = false;
  w.reason = reason;
  w.pending = [];
  w.pendingBytes = 0;
  if (opts.mustStore) throw reason;
  const warning: LoadWarning = { code: reason.code, message: `${reason.message} The model runs from memory and is not kept for offline use.` };
  opts.onWarning?.(warning);
}

async function downloadAndStore(key: string, url: string, req: LoadRequest, opts: AcquireOptions): Promise<Acquired> {
  const { signal } = opts;
  const progress = monotonic(opts.onProgress);
  // Resume from stored chunks when a partial download of the same file exists.
  const partial = await getPartial(key);
  const validator = partial?.etag ?? partial?.lastModified;
  const resumed = partial && partial.url === url && validator ? await readPartialChunks(partial) : undefined;
  const d: Download = await openDownload(url, req.name, {
    signal,
    resume: resumed && validator ? { from: partial!.stored, validator } : undefined,
  });
  const kept: Uint8Array[] = d.offset > 0 && resumed ? resumed : [];
  if (d.offset === 0 && partial) await deleteAll(key); // the file changed, or no resume: start over
  const w: Writer = {
    name: req.name,
    storing: true,
    partial:
      d.offset > 0 && partial
        ? partial
        : { key, url, etag: d.etag, lastModified: d.lastModified, stored: 0, chunks: 0, total: d.total, updatedAt: Date.now() },
    pending: [],
    pendingBytes: 0,
  };
  if (d.total !== undefined) {
    const room = await makeRoom(d.total, req, key);
    if (room) stopStoring(w, room, opts);
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
    if (!resumable) await deleteAll(key).catch(() => undefined);
    throw e;
  }
  const bytes = concat(received);
  let sha256: string;
  try {
    sha256 = await verify(bytes, req, opts);
  } catch (e) {
    await deleteAll(key).catch(() => undefined);
    throw e;
  }
  if (w.storing && w.partial.total === undefined) {
    const room = await makeRoom(bytes.length, req, key);
    if (room) {
      stopStoring(w, room, opts);
      await deleteAll(key).catch(() => undefined);
    }
  }
  await flush(w, true, opts);
  if (!w.storing) return { bytes, sha256, fromCache: false, cached: false, cacheReason: w.reason?.message, repaired: false };
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
    await commitEntry(entry);
  } catch (e) {
    if (!isQuotaError(e)) throw e;
    await deleteAll(key).catch(() => undefined);
    const reason = quotaError(req.name, bytes.length, 0, `the browser refused the write: ${(e as Error).name}`);
    stopStoring(w, reason, opts);
    return { bytes, sha256, fromCache: false, cached: false, cacheReason: reason.message, repaired: false };
  }
  await removeOtherVersions(entry);
  return { bytes, sha256, fromCache: false, cached: true, repaired: false };
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
  const first = await readEntry(key, req, opts);
  if (first.bytes) return { bytes: first.bytes, sha256: first.entry!.sha256, fromCache: true, cached: true, repaired: false };
  const result = await withDownloadLock(key, opts.signal, async () => {
    // Another tab may have stored it while this one waited for the lock.
    const again = await readEntry(key, req, opts);
    if (again.bytes) return { bytes: again.bytes, sha256: again.entry!.sha256, fromCache: true, cached: true, repaired: false };
    return downloadAndStore(key, url, req, opts);
  });
  return { ...result, repaired: first.corrupt || result.repaired };
}
