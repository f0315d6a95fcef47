/**
 * Get-or-fetch of model bytes inside the worker: the cache in IndexedDB when there is a good
 * entry, else the network; integrity checked before anything is run or stored.
 */
import { MlPredictError } from '../errors.js';
import { fetchModelBytes } from '../model/fetch.js';
import { parseIntegrity, sha256Base64 } from '../model/integrity.js';
import type { LoadRequest, ProgressCallback, WarningCallback } from '../worker/protocol.js';

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
}

async function bytesOf(source: LoadRequest['source'], req: LoadRequest, opts: AcquireOptions): Promise<Uint8Array> {
  if (source.kind === 'bytes') {
    const b = source.bytes;
    return b instanceof Blob ? new Uint8Array(await b.arrayBuffer()) : new Uint8Array(b);
  }
  let last = -1;
  const result = await fetchModelBytes(source.url, req.name, {
    signal: opts.signal,
    onProgress: (loaded, total) => {
      if (loaded < last) return;
      last = loaded;
      opts.onProgress?.({ phase: 'download', loaded, total });
    },
  });
  return result.bytes;
}

export async function verify(bytes: Uint8Array, req: LoadRequest, opts: AcquireOptions): Promise<string> {
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

export async function acquireModelBytes(req: LoadRequest, opts: AcquireOptions): Promise<Acquired> {
  const bytes = await bytesOf(req.source, req, opts);
  const sha256 = await verify(bytes, req, opts);
  return { bytes, sha256, fromCache: false, cached: false, cacheReason: 'caching is not enabled', repaired: false };
}
