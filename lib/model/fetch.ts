/**
 * Streamed download of model bytes with progress and cancellation. Runs in the worker.
 * A body shorter than its content-length is an error, never a "complete" model.
 */
import { abortError, MlPredictError } from '../errors.js';

export interface FetchResult {
  bytes: Uint8Array;
  etag?: string;
  lastModified?: string;
  /** Total announced by the server (content-length), when it sent one. */
  total?: number;
}

export interface FetchOptions {
  signal?: AbortSignal;
  onProgress?: (loaded: number, total: number | undefined) => void;
  headers?: Record<string, string>;
  /** Called with each received chunk (for storing while downloading). */
  onChunk?: (chunk: Uint8Array) => void;
}

export async function fetchModelBytes(url: string, name: string, options: FetchOptions = {}): Promise<FetchResult> {
  const { signal, onProgress } = options;
  let response: Response;
  try {
    response = await fetch(url, { signal, headers: options.headers, cache: 'no-store' });
  } catch (e) {
    if (signal?.aborted) throw abortError(signal.reason);
    throw new MlPredictError(
      'FETCH_FAILED',
      `Could not download model "${name}" from ${url}: ${e instanceof Error ? e.message : String(e)} (offline, blocked by CORS, or the server is unreachable).`,
      { url },
      { cause: e },
    );
  }
  if (!response.ok) {
    throw new MlPredictError('FETCH_FAILED', `Could not download model "${name}" from ${url}: HTTP ${response.status} ${response.statusText}.`.replace(' .', '.'), {
      url,
      status: response.status,
    });
  }
  const lengthHeader = response.headers.get('content-length');
  const encoded = response.headers.get('content-encoding');
  // With content-encoding the length counts compressed bytes, not what the stream yields.
  const total = lengthHeader !== null && !encoded && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  const etag = response.headers.get('etag') ?? undefined;
  const lastModified = response.headers.get('last-modified') ?? undefined;
  onProgress?.(0, total);
  const parts: Uint8Array[] = [];
  let loaded = 0;
  try {
    if (!response.body) {
      const buf = new Uint8Array(await response.arrayBuffer());
      parts.push(buf);
      loaded = buf.length;
      options.onChunk?.(buf);
    } else {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        loaded += value.length;
        options.onChunk?.(value);
        onProgress?.(loaded, total);
      }
    }
  } catch (e) {
    if (signal?.aborted) throw abortError(signal.reason);
    throw new MlPredictError(
      'FETCH_FAILED',
      `Download of model "${name}" from ${url} broke off after ${loaded}${total !== undefined ? ` of ${total}` : ''} bytes: ${e instanceof Error ? e.message : String(e)}.`,
      { url, loaded, total },
      { cause: e },
    );
  }
  if (total !== undefined && loaded !== total) {
    throw new MlPredictError(
      'FETCH_FAILED',
      `Download of model "${name}" from ${url} is incomplete: received ${loaded} of ${total} bytes (content-length). Nothing was stored.`,
      { url, loaded, total },
    );
  }
  return { bytes: concat(parts, loaded), etag, lastModified, total };
}

export function concat(parts: readonly Uint8Array[], length = parts.reduce((n, p) => n + p.length, 0)): Uint8Array {
  if (parts.length === 1 && parts[0]!.length === length) return parts[0]!;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
