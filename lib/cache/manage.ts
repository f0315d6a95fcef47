/**
 * Cache management for apps: what is stored, how much room there is, and making a model
 * available offline ahead of time. Reads IndexedDB directly on the main thread (small records
 * only); prefetching runs in the runtime worker so model bytes never cross to this thread.
 */
import * as Comlink from 'comlink';
import { MlPredictError, quote, throwIfAborted } from '../errors.js';
import type { LoadProgress } from '../types.js';
import { nextCallId, runtimeWorker } from '../worker/host.js';
import type { PrefetchResult } from '../worker/protocol.js';
import { base64ToHex, integrityRule } from '../model/integrity.js';
import { checkOptions, MAX_BYTES_RULE, type OptionRules } from '../options.js';
import { nameFromUrl } from './model-name.js';
import { clearStore, deleteAll, listEntries, listPartials } from './store.js';

export interface CachedModel {
  url: string;
  name: string;
  version?: string;
  /** sha256 of the file, hex. */
  sha256: string;
  bytes: number;
  storedAt: Date;
  lastUsedAt: Date;
}

export interface StorageInfo {
  /** Bytes this origin uses (all storage, per navigator.storage.estimate()). */
  usage?: number;
  quota?: number;
  persisted: boolean;
  /** Complete models in the cache. */
  entries: number;
  /** Bytes of the complete models in the cache. */
  bytes: number;
  /** Bytes held by interrupted downloads kept for resuming. */
  partialBytes: number;
}

function absolute(url: string | URL): string {
  return new URL(String(url), globalThis.location?.href).href;
}

export async function listCachedModels(): Promise<CachedModel[]> {
  const entries = await listEntries();
  return entries
    .map((e) => ({
      url: e.url,
      name: e.name,
      version: e.version,
      sha256: base64ToHex(e.sha256),
      bytes: e.bytes,
      storedAt: new Date(e.storedAt),
      lastUsedAt: new Date(e.lastUsedAt),
    }))
    .sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime());
}

/** Deletes the cached copies of a model URL (all versions, or the one given). Returns how many were deleted. */
export async function deleteCachedModel(url: string | URL, options: { version?: string } = {}): Promise<number> {
  const target = absolute(url);
  const victims = (await listEntries()).filter((e) => e.url === target && (options.version === undefined || e.version === options.version));
  for (const p of await listPartials()) if (p.url === target) await deleteAll(p.key);
  for (const v of victims) await deleteAll(v.key);
  return victims.length;
}

/** Deletes every model and partial download from the cache. */
export function clearCache(): Promise<void> {
  return clearStore();
}

export async function storageInfo(): Promise<StorageInfo> {
  const [entries, partials, estimate, persisted] = await Promise.all([
    listEntries(),
    listPartials(),
    navigator.storage?.estimate?.().catch(() => undefined),
    navigator.storage?.persisted?.().catch(() => false) ?? Promise.resolve(false),
  ]);
  return {
    usage: estimate?.usage,
    quota: estimate?.quota,
    persisted,
    entries: entries.length,
    bytes: entries.reduce((n, e) => n + e.bytes, 0),
    partialBytes: partials.reduce((n, p) => n + p.stored, 0),
  };
}

export interface PersistenceOptions {
  /**
   * How long to wait for the browser's answer, in ms (default 5000). Firefox asks the person
   * with a prompt and answers only once they choose; a headless or unattended one never does.
   */
  timeoutMs?: number;
}

/** How long requestPersistence() waits for an answer by default. */
export const PERSISTENCE_TIMEOUT_MS = 5000;

/**
 * Asks the browser to keep this origin's storage (no eviction under storage pressure).
 * Resolves to the browser's answer within `timeoutMs`: false where the API is missing, where
 * the browser refuses or fails, or where no answer came in time (a prompt still open; a later
 * "yes" shows in `storageInfo().persisted`). Never rejects except for bad options.
 */
export async function requestPersistence(options: PersistenceOptions = {}): Promise<boolean> {
  const { timeoutMs = PERSISTENCE_TIMEOUT_MS } = checkOptions(options, 'requestPersistence()', {
    timeoutMs: { integer: [0, 600_000] },
  });
  const storage = globalThis.navigator?.storage;
  if (typeof storage?.persist !== 'function') return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([storage.persist().then((granted) => granted === true, () => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface PrefetchOptions {
  version?: string;
  integrity?: string;
  maxBytes?: number;
  name?: string;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
}

/** prefetchModel()'s options, in the order PrefetchOptions lists them. */
const PREFETCH_RULES: OptionRules = {
  version: 'string',
  integrity: integrityRule,
  maxBytes: MAX_BYTES_RULE,
  name: 'string',
  signal: 'signal',
  onProgress: 'function',
};

/**
 * Downloads a model into the cache (for offline use) without loading it. Rejects with
 * QUOTA_EXCEEDED (bytes needed and available) when it cannot be stored.
 */
export async function prefetchModel(url: string | URL, options: PrefetchOptions = {}): Promise<PrefetchResult> {
  if (typeof url !== 'string' && !(url instanceof URL)) {
    throw new MlPredictError('INVALID_ARGUMENT', `prefetchModel() takes a URL, got ${quote(url)}.`);
  }
  checkOptions(options, 'prefetchModel()', PREFETCH_RULES);
  throwIfAborted(options.signal);
  const href = absolute(url);
  const worker = runtimeWorker();
  worker.hold();
  const callId = nextCallId();
  const onAbort = () => worker.abort(callId);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await worker.call((api) =>
      api.prefetch(
        {
          callId,
          name: options.name ?? nameFromUrl(href),
          source: { kind: 'url', url: href },
          backends: ['wasm'],
          auto: false,
          threads: 1,
          integrity: options.integrity,
          version: options.version,
          cache: 'indexeddb',
          maxBytes: options.maxBytes,
        },
        options.onProgress ? Comlink.proxy(options.onProgress) : undefined,
      ),
    );
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    worker.unhold();
  }
}
